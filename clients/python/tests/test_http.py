"""The HTTP side of the package against a live service (R1_REWARD_URL), standard library only.
The harness (tests/integration/python.test.ts) starts the service with label task type `exact`."""
import asyncio
import json
import os
import unittest

from r1reward import Client, RewardServiceError, code_task, label_to_task
from r1reward import trl as r1trl
from r1reward import verl as r1verl

URL = os.environ["R1_REWARD_URL"]
RIGHT = "<think>work</think> The answer is \\boxed{B}"
WRONG = "<think>work</think> The answer is \\boxed{C}"


class ClientTest(unittest.TestCase):
    def test_score_and_field_errors(self):
        res = Client(URL).score([{"completion": RIGHT, "task": {"type": "exact", "answer": "B"}}])
        self.assertEqual(res["results"][0]["reward"], 2)
        with self.assertRaises(RewardServiceError) as cm:
            Client(URL).score([], config={"weights": {"acuracy": 1}})
        self.assertEqual(cm.exception.status, 400)
        self.assertIn("config.weights.acuracy", str(cm.exception))

    def test_unreachable_service_raises(self):
        with self.assertRaises(RewardServiceError):
            Client("http://127.0.0.1:9", retries=1, backoff=0.01).score([])

    def test_label_rule(self):
        self.assertEqual(label_to_task("42"), {"type": "math", "answer": "42"})
        self.assertEqual(label_to_task('{"type":"code","tests":[1]}'), {"type": "code", "tests": [1]})
        self.assertEqual(label_to_task({"answer": "3"}, "exact"), {"type": "exact", "answer": "3"})
        self.assertEqual(label_to_task("{1, 2}"), {"type": "math", "answer": "{1, 2}"})
        self.assertIsNone(label_to_task(""))


class VerlTest(unittest.TestCase):
    kw = {"url": URL, "task_type": "exact"}

    def test_compute_score(self):
        self.assertEqual(r1verl.compute_score("mmlu", RIGHT, "B", None, **self.kw)["score"], 2.0)
        wrong = r1verl.compute_score("mmlu", WRONG, "B", {"index": 1}, **self.kw)
        self.assertEqual(wrong["score"], 1.0)
        self.assertEqual(wrong["acc"], 0.0)
        self.assertEqual(wrong["r1_unscored"], 0.0)

    def test_json_ground_truth_and_per_source_types(self):
        gt = '{"type": "exact", "answer": ["B", "b)"]}'
        self.assertEqual(r1verl.compute_score("any", RIGHT, gt, url=URL)["acc"], 1.0)
        self.assertEqual(r1verl.compute_score("mc", RIGHT, "B", url=URL, task_types={"mc": "exact"})["acc"], 1.0)

    def test_unscorable_is_flagged_or_raises(self):
        r = r1verl.compute_score("x", RIGHT, '{"type": "no_such_type"}', **self.kw)
        self.assertEqual(r["score"], 0.0)
        self.assertEqual(r["r1_unscored"], 1.0)
        with self.assertRaisesRegex(RuntimeError, "unknown_task_type"):
            r1verl.compute_score("x", RIGHT, '{"type": "no_such_type"}', on_unscored="raise", **self.kw)

    def test_batch_form(self):
        out = r1verl.compute_score_batch(
            data_sources=["a", "a", "a"], solution_strs=[RIGHT, WRONG, "no think"], ground_truths=["B", "B", "B"],
            extra_infos=[None, None, None], **self.kw)
        self.assertEqual([o["score"] for o in out], [2.0, 1.0, 0.0])
        self.assertEqual(len({tuple(sorted(o)) for o in out}), 1)  # same keys in every dict
        self.assertEqual(r1verl.compute_score_batch([], [], [], [], **self.kw), [])

    def test_loads_by_file_path_as_verl_does(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location("custom_module", r1verl.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.assertEqual(module.compute_score("a", RIGHT, "B", None, **self.kw)["score"], 2.0)

    def test_async(self):
        r = asyncio.run(r1verl.compute_score_async("a", RIGHT, "B", None, **self.kw))
        self.assertEqual(r["score"], 2.0)


class TrlTest(unittest.TestCase):
    prompts = ["Which? A, B or C", "Which? A, B or C", "Which? A, B or C"]

    def test_math_columns_sync_and_async(self):
        fn = r1trl.make_reward_fn("math", url=URL, task_type="exact")
        self.assertEqual(fn.__name__, "r1_math_reward")
        got = fn(self.prompts, [RIGHT, WRONG, RIGHT], answer=["B", "B", '{"type": "no_such_type"}'])
        self.assertEqual(got, [2.0, 1.0, None])  # None: the service cannot score it
        afn = r1trl.make_async_reward_fn("math", url=URL, task_type="exact", component="accuracy")
        self.assertEqual(asyncio.run(afn(self.prompts, [RIGHT, WRONG, RIGHT], solution=["B", "B", "B"])), [1.0, 0.0, 1.0])

    def test_conversational_completions(self):
        fn = r1trl.make_reward_fn("math", url=URL, task_type="exact", component="format")
        conv = [[{"role": "assistant", "content": RIGHT}], [{"role": "assistant", "content": "no think"}]]
        self.assertEqual(fn([[{"role": "user", "content": "q"}]] * 2, conv, answer=["B", "B"]), [1.0, 0.0])

    def test_code_column(self):
        fn = r1trl.make_reward_fn("code", url=URL)
        tasks = ['{"type": "exact", "answer": "B"}', {"type": "exact", "answer": "C"}, '{"answer": "B"}']
        got = fn(self.prompts, [RIGHT, RIGHT, RIGHT], task=tasks)
        # a typeless task becomes {"type": "code", ...}: scored by the code verifier when it accepts it, else None
        self.assertEqual(got[:2], [2.0, 1.0])
        self.assertIsNone(got[2])

    def test_missing_column_is_named(self):
        fn = r1trl.make_reward_fn("math", url=URL)
        with self.assertRaisesRegex(ValueError, "answer, solution, ground_truth"):
            fn(["p"], ["c"], other=["x"])

    def test_mismatched_columns_are_an_error(self):
        fn = r1trl.make_reward_fn("math", url=URL)
        with self.assertRaisesRegex(ValueError, "completions=2, labels=1"):
            fn(["p", "p"], ["c", "c"], answer=["B"])
        with self.assertRaisesRegex(ValueError, "ground_truths=1"):
            r1verl.compute_score_batch(["a", "a"], [RIGHT, RIGHT], ["B"], **VerlTest.kw)


# A real code task through the live service's sandbox: open-r1's verification_info as TRL passes it.
DOUBLE = "<think>read n, print 2n</think>\n```python\nprint(int(input()) * 2)\n```"
OFF_BY_ONE = "<think>read n</think>\n```python\nprint(int(input()) * 2 + 1)\n```"
OPEN_R1 = {"language": "python", "test_cases": [
    {"input": "2\n", "output": "4\n", "type": "stdin_stdout"},
    {"input": "21\n", "output": "42\n", "type": "stdin_stdout"},
]}


class CodeTest(unittest.TestCase):
    def test_open_r1_verification_info_maps_to_stdin_stdout_tests(self):
        task = code_task(json.dumps(OPEN_R1))
        self.assertEqual(task, {"type": "code", "language": "python", "tests": [{"stdin": "2\n", "stdout": "4\n"}, {"stdin": "21\n", "stdout": "42\n"}]})
        self.assertEqual(code_task({"language": "c++", "test_cases": []})["language"], "cpp")

    def test_apps_input_output_maps_to_io_or_call_tests(self):
        self.assertEqual(code_task({"input_output": '{"inputs": ["1 2\\n"], "outputs": ["3\\n"]}'})["tests"], [{"stdin": "1 2\n", "stdout": "3\n"}])
        calls = code_task('{"inputs": [[1, 2]], "outputs": [[3]], "fn_name": "add"}')["tests"]
        self.assertEqual(calls, [{"call": "add", "args": [1, 2], "expected": 3}])

    def test_trl_code_reward_end_to_end(self):
        acc = r1trl.make_reward_fn("code", url=URL, component="accuracy")
        unscorable = {"language": "python", "test_cases": [{"input": "2", "output": "4", "type": "function_call"}]}
        got = acc(["double it"] * 3, [DOUBLE, OFF_BY_ONE, DOUBLE], verification_info=[json.dumps(OPEN_R1), OPEN_R1, unscorable])
        self.assertEqual(got, [1.0, 0.0, None])  # right program, wrong program, a test kind the service cannot run
        full = r1trl.code_reward(["double it"], [DOUBLE], verification_info=[OPEN_R1])
        self.assertEqual(full, [2.0])  # accuracy 1 + format 1

    def test_verl_code_ground_truth_end_to_end(self):
        apps = json.dumps({"inputs": ["2\n", "5\n"], "outputs": ["4\n", "10\n"]})
        out = r1verl.compute_score_batch(["apps", "apps"], [DOUBLE, OFF_BY_ONE], [apps, apps], url=URL, task_types={"apps": "code"})
        self.assertEqual([o["acc"] for o in out], [1.0, 0.0])
        self.assertEqual([o["r1_unscored"] for o in out], [0.0, 0.0])


if __name__ == "__main__":
    unittest.main()
