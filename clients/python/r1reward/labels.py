"""A trainer's label / ground truth as an r1-reward task.

The same rule as the server's trainer adapters (src/server/adapters/labels.ts):
  None or ""                          -> no task (accuracy does not apply)
  a dict (any Mapping) with a "type"  -> that task, as is
  a dict without "type"               -> {"type": default_type, **dict}
  a string holding a JSON object      -> that object, by the two rules above
  any other string, or a number       -> {"type": default_type, "answer": "<label>"}
  anything else                       -> {"type": default_type, "answer": it} (the service rejects it: invalid_task)
"""
import json
from collections.abc import Mapping
from typing import Any, Optional


def _from_dict(obj: Mapping, default_type: str) -> dict:
    obj = dict(obj)  # a Hydra DictConfig is a Mapping, not a dict
    return obj if isinstance(obj.get("type"), str) else {**obj, "type": default_type}


def label_to_task(label: Any, default_type: str = "math") -> Optional[dict]:
    if label is None or label == "":
        return None
    if isinstance(label, Mapping):
        return _from_dict(label, default_type)
    if isinstance(label, str):
        if label.lstrip().startswith("{"):
            try:
                parsed = json.loads(label)
            except ValueError:
                parsed = None  # an answer that starts with a brace, e.g. "{1, 2}"
            if isinstance(parsed, dict):
                return _from_dict(parsed, default_type)
        return {"type": default_type, "answer": label}
    if isinstance(label, bool):
        return {"type": default_type, "answer": label}
    if isinstance(label, (int, float)):
        return {"type": default_type, "answer": str(label)}
    return {"type": default_type, "answer": label}
