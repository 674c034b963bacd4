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

Chat templates that open `<think>` (DeepSeek-R1-Distill, QwQ): TRL passes the messages, not the templated
prompt, so pass tokenizer=, chat_template= or prompt_opens_think=True (r1reward.templates). A completion
parsed into `reasoning_content` (transformers' response schema) is scored as its thought + its answer.

TRL before 1.6 counts None as 0 (the row enters the group baseline and is penalised). unscored="auto"
detects the installed TRL: before 1.6 an unscorable row gets its group's mean scored reward instead
(advantage 0, the group's mean unchanged), with a warning; from 1.6 it gets None.
"""
import asyncio
import importlib.metadata
import re
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence

from .client import Client
from .code_tasks import code_task
from .labels import label_to_task
from .templates import opens_think, think_text, with_opens_think

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


def _completion_text(x: Any, opens: Optional[bool]) -> str:
    """A plain string, or the last message of a conversational completion (its reasoning_content included)."""
    if isinstance(x, str):
        return x
    if isinstance(x, list) and x and isinstance(x[-1], dict):
        return think_text(x[-1], opens)
    return "" if x is None else str(x)


def _prompt_text(x: Any) -> str:
    """A plain string, or the last user turn of a conversational prompt."""
    if isinstance(x, str):
        return x
    if isinstance(x, list) and x and all(isinstance(m, dict) for m in x):
        user = next((m for m in reversed(x) if m.get("role") == "user"), x[-1])
        content = user.get("content", "")
        if isinstance(content, list):  # multimodal parts
            return "".join(p.get("text", "") for p in content if isinstance(p, dict))
        return str(content)
    return "" if x is None else str(x)


def trl_counts_none_as_zero() -> bool:
    """True for TRL before 1.6.0, whose advantages treat a None reward as 0."""
    try:
        version = importlib.metadata.version("trl")
    except importlib.metadata.PackageNotFoundError:
        return False
    nums = [int(n) for n in re.findall(r"\d+", version)[:2]] + [0, 0]
    return (nums[0], nums[1]) < (1, 6)


def group_mean_for_none(prompts: Sequence[Any], rewards: List[Optional[float]]) -> List[Optional[float]]:
    """Each None replaced by the mean of the scored rewards of its group (consecutive rollouts of one prompt,
    as TRL lays out its num_generations); a group with none scored gets 0.0 throughout (advantage 0)."""
    out = list(rewards)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and prompts[j + 1] == prompts[i]:
            j += 1
        scored = [r for r in out[i:j + 1] if r is not None]
        fill = sum(scored) / len(scored) if scored else 0.0
        out[i:j + 1] = [fill if r is None else r for r in out[i:j + 1]]
        i = j + 1
    return out


def _pick_column(kind: str, column: Optional[str], kwargs: dict) -> Sequence[Any]:
    names = (column,) if column else COLUMNS[kind]
    for name in names:
        if name in kwargs:
            return kwargs[name]
    raise ValueError(f"r1reward {kind} reward: the dataset needs one of the columns {', '.join(names)}")


def _build(kind: str, column: Optional[str], url: Optional[str], config: Optional[dict], component: str, task_type: Optional[str],
           client: Optional[Client], template: Dict[str, Any], unscored: str):
    if kind not in COLUMNS:
        raise ValueError(f"kind must be one of {', '.join(COLUMNS)}")
    if unscored not in ("auto", "none", "group_mean"):
        raise ValueError("unscored must be auto, none or group_mean")
    default_type = task_type or kind
    opens = opens_think(**template)
    config = with_opens_think(config, opens)
    fill = unscored == "group_mean" or (unscored == "auto" and trl_counts_none_as_zero())
    warned: List[bool] = []

    def score(prompts: Sequence[Any], completions: Sequence[Any], kwargs: dict) -> List[Optional[float]]:
        labels = _pick_column(kind, column, kwargs)
        same_lengths(prompts=prompts, completions=completions, labels=labels)
        rollouts = []
        for prompt, completion, label in zip(prompts, completions, labels):
            r: dict = {"prompt": _prompt_text(prompt), "completion": _completion_text(completion, opens)}
            task = _task_of(kind, label, default_type)
            if task is not None:
                r["task"] = task
            rollouts.append(r)
        if not rollouts:
            return []
        # A Client only holds settings: made per call so that R1_REWARD_URL set after import counts.
        results = (client or Client(url)).score(rollouts, config)["results"]
        if component == "reward":
            out = [r.get("reward") for r in results]
        else:
            out = [(r.get("rewards") or {}).get(component) for r in results]
        if fill and None in out:
            if not warned:
                warned.append(True)
                warnings.warn("r1reward: TRL < 1.6 counts a None reward as 0; unscorable rollouts get their group's mean "
                              "reward instead (advantage 0). Upgrade TRL to 1.6+ to leave them out.", stacklevel=3)
            return group_mean_for_none([rr["prompt"] for rr in rollouts], out)
        return out

    return score


def make_reward_fn(kind: str = "math", *, column: Optional[str] = None, url: Optional[str] = None, config: Optional[dict] = None,
                   component: str = "reward", task_type: Optional[str] = None, name: Optional[str] = None,
                   client: Optional[Client] = None, prompt_opens_think: Optional[bool] = None, chat_template: Optional[str] = None,
                   tokenizer: Any = None, unscored: str = "auto") -> Callable[..., List[Optional[float]]]:
    """A synchronous TRL reward function. component: "reward" (the service's weighted sum) or one of
    accuracy, format, language, length. prompt_opens_think / chat_template / tokenizer: whether the chat
    template opens <think> (r1reward.templates). unscored: auto, none (None, TRL >= 1.6) or group_mean."""
    score = _build(kind, column, url, config, component, task_type, client,
                   {"prompt_opens_think": prompt_opens_think, "chat_template": chat_template, "tokenizer": tokenizer}, unscored)

    def reward_fn(prompts, completions, **kwargs) -> List[Optional[float]]:
        return score(prompts, completions, kwargs)

    reward_fn.__name__ = name or f"r1_{kind}_{component}"
    return reward_fn


def make_async_reward_fn(kind: str = "math", *, column: Optional[str] = None, url: Optional[str] = None, config: Optional[dict] = None,
                         component: str = "reward", task_type: Optional[str] = None, name: Optional[str] = None,
                         client: Optional[Client] = None, prompt_opens_think: Optional[bool] = None, chat_template: Optional[str] = None,
                         tokenizer: Any = None, unscored: str = "auto"):
    """The same as an async function (TRL awaits async reward functions concurrently)."""
    score = _build(kind, column, url, config, component, task_type, client,
                   {"prompt_opens_think": prompt_opens_think, "chat_template": chat_template, "tokenizer": tokenizer}, unscored)

    async def reward_fn(prompts, completions, **kwargs) -> List[Optional[float]]:
        return await asyncio.to_thread(score, prompts, completions, kwargs)

    reward_fn.__name__ = name or f"r1_{kind}_{component}_async"
    return reward_fn


math_reward = make_reward_fn("math")
code_reward = make_reward_fn("code")
async_math_reward = make_async_reward_fn("math")
async_code_reward = make_async_reward_fn("code")
