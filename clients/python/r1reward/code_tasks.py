"""Code dataset columns as r1-reward code tasks ({"type": "code", "language", "tests": [...]}).

The service's code task takes stdin/stdout tests `{"stdin", "stdout"}` or call tests
`{"call", "args", "expected"}` (docs/code.md). Datasets ship tests in their own shapes; this maps the
common ones the same way the service's converter does (src/code/convert.ts):

  open-r1 verification_info  {"language", "test_cases": [{"input", "output", "type": "stdin_stdout"}]}
                             -> tests [{"stdin": input, "stdout": output}]; language "c++" -> "cpp"
  APPS / TACO / veRL prime   {"inputs": [...], "outputs": [...], "fn_name"?}  (or under "input_output")
                             -> stdin/stdout tests, or call tests of fn_name when it is given
  a code task                {"type": "code", ...} or {"language", "tests" | "test_code", ...}: as is

A test case of a kind the service does not run (an open-r1 "type" other than stdin_stdout) is passed on
unchanged, so the service rejects the task by name (status invalid_task, reward None) instead of this
client dropping the test and scoring the rest.
"""
import json
from typing import Any, Optional

from .labels import label_to_task

_LANGUAGES = {"c++": "cpp", "python3": "python", "py": "python", "js": "javascript", "ts": "typescript"}


def _text(x: Any) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, list):
        return "\n".join(str(v) for v in x)
    return "" if x is None else str(x)


def _maybe_json(x: Any) -> Any:
    if isinstance(x, str) and x.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(x)
        except ValueError:
            return x
    return x


def _language(info: dict, default_language: str) -> str:
    lang = info.get("language") or default_language
    return _LANGUAGES.get(lang, lang) if isinstance(lang, str) else lang


def _from_test_cases(info: dict, default_language: str) -> dict:
    tests = []
    for case in info["test_cases"]:
        if isinstance(case, dict) and case.get("type", "stdin_stdout") == "stdin_stdout":
            tests.append({"stdin": _text(case.get("input")), "stdout": _text(case.get("output"))})
        else:
            tests.append(case)  # not a stdin/stdout test: the service names it (invalid_task)
    return {"type": "code", "language": _language(info, default_language), "tests": tests}


def _from_input_output(io: dict, default_language: str, language: Optional[str]) -> dict:
    inputs, outputs = io.get("inputs"), io.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
        # passed on for the service to reject by name
        return {"type": "code", "language": language or default_language, "input_output": io}
    fn = io.get("fn_name")
    if fn:
        # APPS/TACO wrap a call's result in a one-element list
        tests = [
            {"call": fn, "args": args if isinstance(args, list) else [args], "expected": out[0] if isinstance(out, list) and len(out) == 1 else out}
            for args, out in zip(inputs, outputs)
        ]
    else:
        tests = [{"stdin": _text(i), "stdout": _text(o)} for i, o in zip(inputs, outputs)]
    return {"type": "code", "language": language or default_language, "tests": tests}


def code_task(label: Any, default_language: str = "python") -> Optional[dict]:
    """A code column value (dict or JSON text) as a code task; None where there is no label."""
    if label is None or label == "":
        return None
    value = _maybe_json(label)
    if isinstance(value, dict):
        if isinstance(value.get("type"), str):
            return value
        if isinstance(value.get("test_cases"), list):
            return _from_test_cases(value, default_language)
        io = _maybe_json(value.get("input_output"))
        if isinstance(io, dict):
            return _from_input_output(io, default_language, value.get("language"))
        if "inputs" in value and "outputs" in value:
            return _from_input_output(value, default_language, None)
        return {**value, "type": "code"}  # a code task without its type; the service names what is missing
    return label_to_task(label, "code")
