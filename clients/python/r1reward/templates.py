"""Whether a chat template opens `<think>` for the model (DeepSeek-R1-Distill, QwQ style).

Such a template ends the prompt with `<think>\\n`, so the completion starts inside the thought: it has
`</think>` but no `<think>`. veRL and TRL never send the templated prompt, so the service cannot see it;
the reward functions here tell it instead (config format.prompt_opens_think), from any of:

  prompt_opens_think=True/False   said outright
  tokenizer=...                   a tokenizer: its template is rendered for one user turn
  chat_template="..." / a path    the template text, a model directory, tokenizer_config.json or a .jinja file

Nothing given: the service decides (its `auto` rule).
"""
import json
import os
from typing import Any, Optional

OPEN, CLOSE = "<think>", "</think>"


def template_opens_think(template: str) -> bool:
    """The Jinja text of a chat template: does its generation prompt leave a `<think>` open? Qwen3's
    `<think>\\n\\n</think>` (thinking switched off) closes what it opens, so it does not count."""
    at = template.rfind("add_generation_prompt")
    tail = template[at:] if at >= 0 else template
    return tail.count(OPEN) > tail.count(CLOSE)


def _template_text(chat_template: str) -> str:
    """The template itself, or the one stored at a path (model dir, tokenizer_config.json, .jinja)."""
    if "\n" in chat_template or "{" in chat_template or not os.path.exists(chat_template):
        return chat_template
    path = chat_template
    if os.path.isdir(path):
        jinja = os.path.join(path, "chat_template.jinja")
        path = jinja if os.path.exists(jinja) else os.path.join(path, "tokenizer_config.json")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        t = json.loads(text).get("chat_template")
        if isinstance(t, list):  # named templates: the default one
            t = next((x.get("template") for x in t if x.get("name") == "default"), None)
        if not isinstance(t, str):
            raise ValueError(f"r1reward: no chat_template in {path}")
        return t
    return text


def _truthy(v: Any) -> Optional[bool]:
    if v is None or isinstance(v, bool):
        return v
    s = str(v).strip().lower()  # a Hydra override may arrive as a string
    if s in ("true", "1", "yes"):
        return True
    if s in ("false", "0", "no"):
        return False
    if s in ("", "auto", "none"):
        return None
    raise ValueError(f"r1reward: prompt_opens_think must be true, false or auto, got {v!r}")


def opens_think(prompt_opens_think: Any = None, chat_template: Optional[str] = None, tokenizer: Any = None) -> Optional[bool]:
    """True / False when known, None to leave it to the service."""
    said = _truthy(prompt_opens_think)
    if said is not None:
        return said
    if tokenizer is not None:
        rendered = tokenizer.apply_chat_template([{"role": "user", "content": "x"}], tokenize=False, add_generation_prompt=True)
        return str(rendered).rstrip().endswith(OPEN)
    if chat_template:
        return template_opens_think(_template_text(chat_template))
    return None


def with_opens_think(config: Any, opens: Optional[bool]) -> Any:
    """The request config with format.prompt_opens_think set, unless the caller's config already sets it."""
    if opens is None:
        return config
    cfg = dict(config or {})
    fmt = dict(cfg.get("format") or {})
    fmt.setdefault("prompt_opens_think", opens)
    cfg["format"] = fmt
    return cfg


def think_text(message: Any, opens: Optional[bool]) -> str:
    """A parsed assistant message as the model wrote it: `reasoning_content` (transformers' response
    schema) becomes the thought, closed by `</think>`, opened too unless the template opened it."""
    content = message.get("content")
    text = content if isinstance(content, str) else ("" if content is None else str(content))
    reasoning = message.get("reasoning_content")
    if not reasoning:
        return text
    return f"{'' if opens else OPEN}{reasoning}{CLOSE}{text}"
