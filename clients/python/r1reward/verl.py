"""veRL reward functions that call the r1-reward service.

Per sample: veRL >= 0.7's reward loop (the default, reward_model.use_reward_loop=true) and the legacy
naive / prime reward managers::

    custom_reward_function.path=<site-packages>/r1reward/verl.py
    custom_reward_function.name=compute_score            # or compute_score_async
    +custom_reward_function.reward_kwargs.url=http://r1-reward:8000

Batched, veRL v0.6 and v0.7.0 only (the legacy managers have `batch`; v0.7.0's default reward loop does
not, v0.7.1+ has no legacy path; drop use_reward_loop on v0.6, which lacks the key):
reward_model.use_reward_loop=False reward_model.reward_manager=batch custom_reward_function.name=compute_score_batch

reward_kwargs arrive from Hydra as DictConfig / ListConfig (Mappings and Sequences, not dict and list):
any Mapping / Sequence is accepted. Chat templates that open <think> (DeepSeek-R1-Distill, QwQ): veRL
never passes the prompt, so set +custom_reward_function.reward_kwargs.prompt_opens_think=true, or
chat_template=<the model directory, its tokenizer_config.json or the template text>.

ground_truth maps onto a task by r1reward.labels.label_to_task; the default type is `task_type`
("math"), or `task_types[data_source]` when given. Where that type is "code", ground_truth maps by
r1reward.code_tasks.code_task (APPS-style {"inputs", "outputs", "fn_name"?} as veRL's code datasets
store it, open-r1 verification_info, or a code task). veRL needs a float: a rollout the service cannot
score gets score 0.0 with r1_unscored = 1.0 in reward_extra_info (logged by veRL), or raises with
on_unscored="raise".
"""
import asyncio
import os
import sys
from typing import Any, Dict, List, Optional, Sequence

# veRL loads custom_reward_function.path as a lone file (no package), so imports are absolute; when the
# package is not installed, the directory above this file is the one that holds it.
try:
    from r1reward.client import Client
    from r1reward.code_tasks import code_task
    from r1reward.labels import label_to_task
    from r1reward.templates import opens_think, with_opens_think
    from r1reward.trl import same_lengths
except ImportError:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from r1reward.client import Client
    from r1reward.code_tasks import code_task
    from r1reward.labels import label_to_task
    from r1reward.templates import opens_think, with_opens_think
    from r1reward.trl import same_lengths

_clients: Dict[Any, Client] = {}


_opens: Dict[Any, Optional[bool]] = {}


def _client(url: Optional[str], timeout: float) -> Client:
    key = (url, timeout)
    if key not in _clients:
        _clients[key] = Client(url, timeout=timeout)
    return _clients[key]


def _opens_think(prompt_opens_think: Any, chat_template: Optional[str]) -> Optional[bool]:
    """Read once per setting: chat_template may be a file."""
    key = (str(prompt_opens_think), chat_template)
    if key not in _opens:
        _opens[key] = opens_think(prompt_opens_think, chat_template)
    return _opens[key]


def _rollout(data_source: str, solution_str: str, ground_truth: Any, task_type: str, task_types: Optional[dict]) -> dict:
    default = (task_types or {}).get(data_source, task_type)
    task = code_task(ground_truth) if default == "code" else label_to_task(ground_truth, default)
    r: Dict[str, Any] = {"completion": solution_str}
    if task is not None:
        r["task"] = task
    return r


def _result(r: dict, on_unscored: str) -> Dict[str, float]:
    reward = r.get("reward")
    if reward is None and on_unscored == "raise":
        raise RuntimeError(f"r1-reward could not score a rollout: {r.get('status')}: {r.get('error')}")
    rewards = r.get("rewards") or {}
    # Every dict has the same keys: veRL gathers them into reward_extra_info lists.
    return {
        "score": float(reward) if reward is not None else 0.0,
        "acc": float(rewards.get("accuracy") or 0.0),
        "format": float(rewards.get("format") or 0.0),
        "r1_unscored": 0.0 if reward is not None else 1.0,
    }


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Optional[Sequence[Any]] = None,
    *,
    url: Optional[str] = None,
    config: Optional[dict] = None,
    task_type: str = "math",
    task_types: Optional[dict] = None,
    on_unscored: str = "zero",
    timeout: float = 180.0,
    prompt_opens_think: Any = None,
    chat_template: Optional[str] = None,
    **_ignored: Any,
) -> List[Dict[str, float]]:
    """The batch form for veRL's BatchRewardManager: one POST /v1/score for the whole batch (split by the
    client past its chunk limits)."""
    same_lengths(data_sources=data_sources, solution_strs=solution_strs, ground_truths=ground_truths, **({"extra_infos": extra_infos} if extra_infos is not None else {}))
    rollouts = [_rollout(d, s, g, task_type, task_types) for d, s, g in zip(data_sources, solution_strs, ground_truths)]
    if not rollouts:
        return []
    config = with_opens_think(config, _opens_think(prompt_opens_think, chat_template))
    res = _client(url, timeout).score(rollouts, config)
    return [_result(r, on_unscored) for r in res["results"]]


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Optional[dict] = None,
    **kw: Any,
) -> Dict[str, float]:
    """veRL's per-sample contract: returns {"score": float, ...extra info}."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], **kw)[0]


async def compute_score_async(data_source: str, solution_str: str, ground_truth: Any, extra_info: Optional[dict] = None, **kw: Any) -> Dict[str, float]:
    """The same, awaitable (veRL accepts async reward functions): the HTTP call runs in a worker thread."""
    return await asyncio.to_thread(compute_score, data_source, solution_str, ground_truth, extra_info, **kw)
