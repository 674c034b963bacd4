"""HTTP client of POST /v1/score, standard library only.

Retries what a busy, restarting or unreachable service answers (503/502/504/429, connection refused or
reset), with exponential backoff that honours Retry-After, until a total retry budget is spent (default
600 s, R1_REWARD_RETRY_BUDGET_S): a rolling restart of the service must not kill a training step. A 400
names the offending field and a 413 says the body is too large: neither is retried.

Large batches are split transparently (by rollout count and by body size, keeping each group in one
request) and the answers put back in order, so veRL's batch mode and older OpenRLHF-style whole-batch
calls never meet the service's 8,192-rollout or 64 MiB limits.
"""
import http.client
import json
import math
import os
import random
import time
import urllib.parse
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Dict, Iterable, List, Optional

DEFAULT_URL = "http://127.0.0.1:8000"
RETRY_STATUSES = (429, 502, 503, 504)


class RewardServiceError(RuntimeError):
    """The service refused the request (status and its JSON error body), or could not be reached."""

    def __init__(self, message: str, status: Optional[int] = None, body: Optional[dict] = None):
        super().__init__(message)
        self.status = status
        self.body = body or {}


def plain(o: Any) -> Any:
    """json.dumps' fallback for what trainers hand over: Hydra DictConfig/ListConfig (Mapping/Sequence, not
    dict/list), numpy arrays and scalars, tuples, sets."""
    if isinstance(o, Mapping):
        return dict(o)
    if hasattr(o, "tolist"):  # numpy array or scalar
        return o.tolist()
    if isinstance(o, (str, bytes)):
        return o if isinstance(o, str) else o.decode("utf-8")
    try:
        return list(o)
    except TypeError:
        raise TypeError(f"r1reward: cannot send a {type(o).__name__} as JSON") from None


def dumps(body: Any) -> bytes:
    return json.dumps(body, default=plain, ensure_ascii=False).encode("utf-8")


def _env_float(name: str, default: float) -> float:
    v = os.environ.get(name)
    return float(v) if v else default


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class _Refused(Exception):
    def __init__(self, status: int, payload: dict, reason: str, retry_after: Optional[float]):
        super().__init__(f"HTTP {status}: {payload.get('message', reason)}")
        self.status, self.payload, self.retry_after = status, payload, retry_after


class Client:
    """url: the service (else R1_REWARD_URL); timeout: seconds per attempt; retry_budget_s: total seconds
    spent retrying before giving up (else R1_REWARD_RETRY_BUDGET_S, default 600); retries: an optional cap
    on the number of retries; backoff / max_backoff: the first and the largest pause between tries;
    chunk_rollouts / chunk_bytes: the most rollouts and body bytes sent in one request."""

    def __init__(self, url: Optional[str] = None, timeout: float = 180.0, retries: Optional[int] = None, backoff: float = 1.0,
                 retry_budget_s: Optional[float] = None, max_backoff: float = 30.0, chunk_rollouts: int = 4096,
                 chunk_bytes: int = 32 * 1024 * 1024):
        self.url = (url or os.environ.get("R1_REWARD_URL") or DEFAULT_URL).rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.retry_budget_s = retry_budget_s if retry_budget_s is not None else _env_float("R1_REWARD_RETRY_BUDGET_S", 600.0)
        self.chunk_rollouts = chunk_rollouts
        self.chunk_bytes = chunk_bytes

    def _once(self, path: str, data: bytes) -> dict:
        u = urllib.parse.urlsplit(self.url)
        conn_type = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        conn = conn_type(u.hostname or "127.0.0.1", u.port, timeout=self.timeout)
        try:
            try:
                conn.request("POST", (u.path or "") + path, body=data, headers={"content-type": "application/json"})
            except (BrokenPipeError, ConnectionResetError):
                # The server may have answered (413) and closed before reading the whole body: read it.
                pass
            res = conn.getresponse()
            raw = res.read()
            if res.status == 200:
                return json.loads(raw.decode("utf-8"))
            raise _Refused(res.status, _json_or_empty(raw), res.reason, _retry_after(res.getheader("retry-after")))
        finally:
            conn.close()

    def _post(self, path: str, body: dict) -> dict:
        data = dumps(body)
        start = time.monotonic()
        tries = 0
        while True:
            tries += 1
            try:
                return self._once(path, data)
            except _Refused as e:
                if e.status == 413:
                    raise RewardServiceError(f"{path}: HTTP 413: the request body ({len(data)} bytes) is larger than the service accepts "
                                             f"({e.payload.get('message', 'payload too large')}); lower chunk_bytes or raise R1_REWARD_BODY_LIMIT",
                                             413, e.payload) from None
                if e.status not in RETRY_STATUSES:
                    raise RewardServiceError(f"{path}: {e}", e.status, e.payload) from None
                last: Exception = e
                wait = e.retry_after
            except (OSError, http.client.HTTPException) as e:  # refused, reset, timed out, DNS
                last = e
                wait = None
            elapsed = time.monotonic() - start
            pause = wait if wait is not None else min(self.max_backoff, self.backoff * 2 ** (tries - 1)) * (0.5 + random.random() / 2)
            if (self.retries is not None and tries > self.retries) or elapsed + pause > self.retry_budget_s:
                status = last.status if isinstance(last, _Refused) else None
                raise RewardServiceError(f"{path}: gave up on {self.url} after {tries} tries in {elapsed:.1f} s "
                                         f"(retry budget {self.retry_budget_s:g} s, R1_REWARD_RETRY_BUDGET_S): {last}", status)
            time.sleep(pause)

    def score(self, rollouts: Iterable[dict], config: Optional[dict] = None) -> dict:
        """POST /v1/score: {results, groups, stats}; each result has reward (None = could not be scored) and status.
        Rewards come back as floats. A batch past chunk_rollouts / chunk_bytes goes as several requests, each
        group whole in one of them; results are in the order given, `stats` adds the chunks' counts up."""
        rollouts = list(rollouts)
        chunks = _chunks(rollouts, self.chunk_rollouts, self.chunk_bytes)
        answers = []
        for idx in chunks:
            body: dict = {"rollouts": [rollouts[i] for i in idx]}
            if config is not None:
                body["config"] = config
            answers.append(self._post("/v1/score", body))
        res = answers[0] if len(answers) == 1 else _merge(chunks, answers, len(rollouts))
        for r in res["results"]:
            _floats(r)
        return res

    def advantages(self, rewards: List[Optional[float]], groups: List[str], config: Optional[dict] = None) -> dict:
        body: dict = {"rewards": rewards, "groups": groups}
        if config is not None:
            body["config"] = config
        res = self._post("/v1/advantages", body)
        res["advantages"] = [float(a) for a in res.get("advantages", [])]
        return res


def _floats(r: dict) -> None:
    """Trainers build tensors from these: an int would make an int tensor."""
    if r.get("reward") is not None:
        r["reward"] = float(r["reward"])
    if "advantage" in r and r["advantage"] is not None:
        r["advantage"] = float(r["advantage"])
    comps = r.get("rewards") or {}
    for k, v in comps.items():
        if v is not None:
            comps[k] = float(v)


def _group_key(r: Any, i: int) -> str:
    """The service's grouping (src/pipeline/groups.ts): group, else prompt, else the rollout alone."""
    if isinstance(r, Mapping):
        if isinstance(r.get("group"), str):
            return "g:" + r["group"]
        if isinstance(r.get("prompt"), str):
            return "p:" + r["prompt"]
    return f"i:{i}"


def _chunks(rollouts: List[Any], max_n: int, max_bytes: int) -> List[List[int]]:
    """Indices per request: whole groups packed in order of first appearance; a group alone past a limit
    is split (its advantages are then per part)."""
    if len(rollouts) <= max_n and len(dumps(rollouts)) + 1024 <= max_bytes:
        return [list(range(len(rollouts)))]
    groups: Dict[str, List[int]] = {}
    for i, r in enumerate(rollouts):
        groups.setdefault(_group_key(r, i), []).append(i)
    sizes = [len(dumps(r)) + 1 for r in rollouts]
    budget = max_bytes - 1024  # the config and the envelope
    out: List[List[int]] = []
    cur: List[int] = []
    cur_bytes = 0
    for members in groups.values():
        g_bytes = sum(sizes[i] for i in members)
        if cur and (len(cur) + len(members) > max_n or cur_bytes + g_bytes > budget):
            out.append(cur)
            cur, cur_bytes = [], 0
        for i in members:
            if cur and (len(cur) + 1 > max_n or cur_bytes + sizes[i] > budget):
                out.append(cur)
                cur, cur_bytes = [], 0
            cur.append(i)
            cur_bytes += sizes[i]
    if cur or not out:
        out.append(cur)
    return out


def _merge(chunks: List[List[int]], answers: List[dict], n: int) -> dict:
    results: List[Any] = [None] * n
    for idx, a in zip(chunks, answers):
        for i, r in zip(idx, a["results"]):
            if "index" in r:
                r["index"] = i
            results[i] = r
    counts: Dict[str, int] = {}
    for a in answers:
        for status, c in (a["stats"].get("status_counts") or {}).items():
            counts[status] = counts.get(status, 0) + c
    scored = [r["reward"] for r in results if r.get("reward") is not None]
    mean = sum(scored) / len(scored) if scored else None
    std = math.sqrt(sum((x - mean) ** 2 for x in scored) / len(scored)) if scored else None  # population, as the service
    zero_var = sum(a["stats"].get("zero_variance_groups", 0) for a in answers)
    n_groups = sum(a["stats"]["groups"] for a in answers)
    stats = {"rollouts": n, "scored": len(scored), "groups": n_groups, "mean_reward": mean, "std_reward": std,
             "zero_variance_groups": zero_var, "frac_zero_variance_groups": zero_var / n_groups if n_groups else 0,
             "errors": sum(a["stats"]["errors"] for a in answers), "status_counts": counts, "chunks": len(answers)}
    return {"results": results, "groups": [g for a in answers for g in a["groups"]], "stats": stats}


def _json_or_empty(raw: bytes) -> dict:
    try:
        v: Any = json.loads(raw.decode("utf-8"))
        return v if isinstance(v, dict) else {}
    except ValueError:
        return {}
