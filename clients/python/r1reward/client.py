"""HTTP client of POST /v1/score, standard library only.

Retries what a busy or restarting service answers (503 with Retry-After, connection refused / reset)
and nothing else: a 400 names the offending field and is raised at once.
"""
import json
import os
import time
import urllib.error
import urllib.request
from typing import Any, Iterable, List, Optional

DEFAULT_URL = "http://127.0.0.1:8000"


class RewardServiceError(RuntimeError):
    """The service refused the request (status and its JSON error body), or could not be reached."""

    def __init__(self, message: str, status: Optional[int] = None, body: Optional[dict] = None):
        super().__init__(message)
        self.status = status
        self.body = body or {}


class Client:
    def __init__(self, url: Optional[str] = None, timeout: float = 180.0, retries: int = 5, backoff: float = 1.0):
        self.url = (url or os.environ.get("R1_REWARD_URL") or DEFAULT_URL).rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def _post(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode("utf-8")
        last: Optional[Exception] = None
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.url + path, data=data, headers={"content-type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as res:
                    return json.loads(res.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                payload = _json_or_empty(e.read())
                if e.code == 503 and attempt < self.retries:
                    time.sleep(float(e.headers.get("retry-after") or self.backoff))
                    continue
                raise RewardServiceError(f"{path}: HTTP {e.code}: {payload.get('message', e.reason)}", e.code, payload) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                last = e
                if attempt < self.retries:
                    time.sleep(self.backoff * (attempt + 1))
                    continue
        raise RewardServiceError(f"{path}: cannot reach {self.url}: {last}")

    def score(self, rollouts: Iterable[dict], config: Optional[dict] = None) -> dict:
        """POST /v1/score: {results, groups, stats}; each result has reward (None = could not be scored) and status."""
        body: dict = {"rollouts": list(rollouts)}
        if config is not None:
            body["config"] = config
        return self._post("/v1/score", body)

    def advantages(self, rewards: List[Optional[float]], groups: List[str], config: Optional[dict] = None) -> dict:
        body: dict = {"rewards": rewards, "groups": groups}
        if config is not None:
            body["config"] = config
        return self._post("/v1/advantages", body)


def _json_or_empty(raw: bytes) -> dict:
    try:
        v: Any = json.loads(raw.decode("utf-8"))
        return v if isinstance(v, dict) else {}
    except ValueError:
        return {}
