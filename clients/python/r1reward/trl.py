"""TRL GRPOTrainer reward functions that call the r1-reward service.

    from r1reward.trl import math_reward, code_reward
    GRPOTrainer(..., reward_funcs=[math_reward])

A reward function gets the batch's prompts and completions plus every dataset column as a keyword list;
it returns one float per completion, or None where the service says the rollout cannot be scored (TRL
leaves such rows out of the group statistics and gives them advantage 0).

Columns read (the first present; or pass column=...): math: answer, solution, ground_truth;
code: task, verification_info, tests, input_output. A math value maps onto a task by
r1reward.labels.label_to_task; a code value by r1reward.code_tasks.code_task (open-r1 verification_info,
APPS-style input_output, or a code task as is).
"""
import asyncio
from typing import Any, Callable, List, Optional, Sequence

from .client import Client
from .code_tasks import code_task
from .labels import label_to_task

COLUMNS = {"math": ("answer", "solution", "ground_truth"), "code": ("task", "verification_info", "tests", "input_output")}


def _task_of(kind: str, label: Any, default_type: str) -> Optional[dict]:
    if kind == "code" and default_type == "code":
        return code_task(label)
    return label_to_task(label, default_type)


def same_lengths(**columns: Sequence[Any]) -> int:
    """The common length of the columns; a clear error instead of zip() silently dropping rows."""
    lengths = {name: len(col) for name, col in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError("r1reward: columns differ in length (" + ", ".join(f"{k}={v}" for k, v in lengths.items()) + ")")
    return next(iter(lengths.values()), 0)


def _text(x: Any) -> str:
    """A plain string, or the content of the last message of a conversational prompt / completion."""
    if isinstance(x, str):
        return x
    if isinstance(x, list) and x and isinstance(x[-1], dict):
        return str(x[-1].get("content", ""))
    return "" if x is None else str(x)


def _pick_column(kind: str, column: Optional[str], kwargs: dict) -> Sequence[Any]:
    names = (column,) if column else COLUMNS[kind]
    for name in names:
        if name in kwargs:
            return kwargs[name]
    raise ValueError(f"r1reward {kind} reward: the dataset needs one of the columns {', '.join(names)}")


def _build(kind: str, column: Optional[str], url: Optional[str], config: Optional[dict], component: str, task_type: Optional[str], client: Optional[Client]):
    if kind not in COLUMNS:
        raise ValueError(f"kind must be one of {', '.join(COLUMNS)}")
    default_type = task_type or kind

    def score(prompts: Sequence[Any], completions: Sequence[Any], kwargs: dict) -> List[Optional[float]]:
        labels = _pick_column(kind, column, kwargs)
        same_lengths(prompts=prompts, completions=completions, labels=labels)
        rollouts = []
        for prompt, completion, label in zip(prompts, completions, labels):
            r: dict = {"prompt": _text(prompt), "completion": _text(completion)}
            task = _task_of(kind, label, default_type)
            if task is not None:
                r["task"] = task
            rollouts.append(r)
        if not rollouts:
            return []
        # A Client only holds settings: made per call so that R1_REWARD_URL set after import counts.
        results = (client or Client(url)).score(rollouts, config)["results"]
        if component == "reward":
            return [r.get("reward") for r in results]
        return [(r.get("rewards") or {}).get(component) for r in results]

    return score


def make_reward_fn(kind: str = "math", *, column: Optional[str] = None, url: Optional[str] = None, config: Optional[dict] = None,
                   component: str = "reward", task_type: Optional[str] = None, name: Optional[str] = None,
                   client: Optional[Client] = None) -> Callable[..., List[Optional[float]]]:
    """A synchronous TRL reward function. component: "reward" (the service's weighted sum) or one of
    accuracy, format, language, length."""
    score = _build(kind, column, url, config, component, task_type, client)

    def reward_fn(prompts, completions, **kwargs) -> List[Optional[float]]:
        return score(prompts, completions, kwargs)

    reward_fn.__name__ = name or f"r1_{kind}_{component}"
    return reward_fn


def make_async_reward_fn(kind: str = "math", *, column: Optional[str] = None, url: Optional[str] = None, config: Optional[dict] = None,
                         component: str = "reward", task_type: Optional[str] = None, name: Optional[str] = None,
                         client: Optional[Client] = None):
    """The same as an async function (TRL awaits async reward functions concurrently)."""
    score = _build(kind, column, url, config, component, task_type, client)

    async def reward_fn(prompts, completions, **kwargs) -> List[Optional[float]]:
        return await asyncio.to_thread(score, prompts, completions, kwargs)

    reward_fn.__name__ = name or f"r1_{kind}_{component}_async"
    return reward_fn


math_reward = make_reward_fn("math")
code_reward = make_reward_fn("code")
async_math_reward = make_async_reward_fn("math")
async_code_reward = make_async_reward_fn("code")
