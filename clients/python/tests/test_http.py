"""The HTTP side of the package against a live service (R1_REWARD_URL), standard library only.
The harness (tests/integration/python.test.ts) starts the service with label task type `exact`."""
import asyncio
import os
import unittest

from r1reward import Client, RewardServiceError, label_to_task
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


if __name__ == "__main__":
    unittest.main()
