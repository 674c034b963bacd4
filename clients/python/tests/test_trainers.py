"""Each trainer's own calling convention against the live service (R1_REWARD_URL; label task type `exact`),
reproduced as facts from the trainers' sources (docs/integrations.md names versions and files): the exact
request body or Python call, and the Python types the trainer builds its tensors from.

R1_REWARD_SMALL_URL is a second live service with small limits (64 rollouts, 256 KiB bodies)."""
import asyncio
import functools
import http.server
import importlib.util
import inspect
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import warnings
from collections.abc import MutableMapping, MutableSequence

from r1reward import Client, RewardServiceError
from r1reward import trl as r1trl
from r1reward import verl as r1verl
from r1reward.templates import template_opens_think

URL = os.environ["R1_REWARD_URL"]
SMALL_URL = os.environ.get("R1_REWARD_SMALL_URL", URL)
PROMPT = "<|im_start|>user\nPick one<|im_end|>\n<|im_start|>assistant\n"
RIGHT = "<think>work</think> The answer is \\boxed{B}"
WRONG = "<think>work</think> The answer is \\boxed{C}"
# A completion under a template that opened <think> (DeepSeek-R1-Distill, QwQ): no opening tag.
OPENED = "work it out</think> The answer is \\boxed{B}"
# The generation prompts of real chat templates (their add_generation_prompt blocks).
DEEPSEEK_R1_DISTILL = "{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}"
QWQ = "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n<think>\\n' }}\n{%- endif %}\n"
QWEN3 = ("{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n    {%- if enable_thinking is defined and "
         "enable_thinking is false %}\n        {{- '<think>\\n\\n</think>\\n\\n' }}\n    {%- endif %}\n{%- endif %}\n")


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read().decode())


def tensor_dtype(values):
    """The dtype torch.tensor(values) infers from Python numbers: int64 unless a float is among them."""
    return "float32" if any(isinstance(v, float) for v in values) else "int64"


class OpenRLHFTest(unittest.TestCase):
    """v0.9.1+ (openrlhf/utils/agent.py): one POST per rollout, {"query": [prompt+response], "prompts":
    [prompt], "labels": [label]}; reward = torch.tensor([rewards[0]]); info[k] = extra_logs[k] stacked over
    the rollouts of a batch. v0.9.0 (remote_rm_utils.py): the whole shard in one POST."""

    def experience(self, rollouts):
        rewards, infos = [], []
        for prompt, response, label in rollouts:
            ans = post(URL + "/get_reward", {"query": [prompt + response], "prompts": [prompt], "labels": [label]})
            rewards.append(ans["rewards"][0])
            infos.append(ans.get("extra_logs") or {})
        return rewards, infos

    def test_rewards_are_floats_so_group_norm_has_a_float_tensor(self):
        rewards, _ = self.experience([(PROMPT, RIGHT + "<|im_end|>", "B"), (PROMPT, WRONG + "<|im_end|>", "B")])
        self.assertEqual(rewards, [2.0, 1.0])
        self.assertEqual(tensor_dtype([rewards[0]]), "float32")  # each sample's own tensor
        self.assertTrue(all(isinstance(r, float) for r in rewards))
        statistics.stdev(rewards)  # group_norm's std over the group

    def test_extra_logs_stack_whatever_goes_wrong(self):
        # a labelled row, an unlabelled row, an unparseable gold, an unknown task type
        batch = [(PROMPT, RIGHT, "B"), (PROMPT, RIGHT, ""), (PROMPT, RIGHT, '{"type": "exact"}'), (PROMPT, RIGHT, '{"type": "nope"}')]
        rewards, infos = self.experience(batch)
        keys = set(infos[0])
        for info in infos:
            self.assertEqual(set(info), keys)  # else the collate step's KeyError
        info = {k: [v for i in infos for v in i[k]] for k in keys}
        for k, v in info.items():
            self.assertEqual(len(v), len(batch), k)  # else "Size of info[k] ... does not match"
            self.assertEqual(tensor_dtype(v), "float32", k)
        self.assertEqual(info["r1_unscored"], [0.0, 1.0, 1.0, 1.0])
        self.assertEqual(rewards, [2.0, 0.0, 0.0, 0.0])  # the unlabelled row is flagged, not scored format-only

    def test_v0_9_0_whole_shard_in_one_request(self):
        ans = post(URL + "/get_reward", {"query": [PROMPT + RIGHT, PROMPT + WRONG, PROMPT + "no think"], "prompts": [PROMPT] * 3, "labels": ["B"] * 3})
        self.assertEqual(ans["rewards"], [2.0, 1.0, 0.0])
        self.assertTrue(all(isinstance(v, float) for vs in ans["extra_logs"].values() for v in vs))


class SlimeTest(unittest.TestCase):
    """slime/rollout/rm_hub/__init__.py: POST {"prompt", "response", "label"}; sample.reward is the JSON
    answer, --reward-key picks one field."""

    def test_score_key_is_always_a_float(self):
        for label, want in (("B", 2.0), ('{"type": "nope"}', 0.0)):
            ans = post(URL + "/slime/reward", {"prompt": PROMPT, "response": RIGHT, "label": label})
            self.assertIsInstance(ans["score"], float)
            self.assertEqual(ans["score"], want)
        self.assertIsNone(post(URL + "/slime/reward", {"prompt": PROMPT, "response": RIGHT, "label": '{"type": "nope"}'})["reward"])

    def test_prompt_as_messages(self):
        messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Pick one"}]
        ans = post(URL + "/slime/reward", {"prompt": messages, "response": RIGHT, "label": "B"})
        self.assertEqual(ans["reward"], 2.0)


class DictConfig(MutableMapping):
    """What Hydra hands veRL: a Mapping that is not a dict (omegaconf.DictConfig is a MutableMapping)."""

    def __init__(self, d):
        self._d = dict(d)

    def __getitem__(self, k):
        return self._d[k]

    def __setitem__(self, k, v):
        self._d[k] = v

    def __delitem__(self, k):
        del self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)


class ListConfig(MutableSequence):
    def __init__(self, items):
        self._l = list(items)

    def __getitem__(self, i):
        return self._l[i]

    def __setitem__(self, i, v):
        self._l[i] = v

    def __delitem__(self, i):
        del self._l[i]

    def __len__(self):
        return len(self._l)

    def insert(self, i, v):
        self._l.insert(i, v)


def verl_custom_reward_fn(name, reward_kwargs):
    """verl/trainer/ppo/reward.py get_custom_reward_fn: load the file by path, dict() the top level of
    reward_kwargs (nested values stay DictConfig) and merge it into every call."""
    spec = importlib.util.spec_from_file_location("custom_module", r1verl.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raw_fn = getattr(module, name)
    kw = dict(reward_kwargs)

    def call(fn, extra, *args, **kwargs):
        return fn(*args, **{**kwargs, **extra})

    async def call_async(fn, extra, *args, **kwargs):
        return await fn(*args, **{**kwargs, **extra})

    return functools.partial(call_async if inspect.iscoroutinefunction(raw_fn) else call, raw_fn, kw)


def verl_reward_loop(compute_score, solution_str, ground_truth):
    """The reward loop's naive manager (veRL >= 0.7, use_reward_loop: true): keyword call per sample,
    awaited when the function is a coroutine function; a dict's `score` is the reward."""
    kwargs = dict(data_source="gsm8k", solution_str=solution_str, ground_truth=ground_truth, extra_info={"num_turns": None})
    if inspect.iscoroutinefunction(compute_score):
        result = asyncio.run(compute_score(**kwargs))
    else:
        result = compute_score(**kwargs)
    return result["score"], result


class VerlTest(unittest.TestCase):
    def test_hydra_reward_kwargs(self):
        kwargs = DictConfig({"url": URL, "task_type": "exact", "task_types": DictConfig({"mc": "exact"}),
                             "config": DictConfig({"weights": DictConfig({"accuracy": 2, "format": 1}),
                                                   "format": DictConfig({"mode": "think"}), "math": DictConfig({})})})
        fn = verl_custom_reward_fn("compute_score", kwargs)
        score, result = verl_reward_loop(fn, RIGHT, "B")
        self.assertEqual(score, 3.0)
        self.assertIsInstance(score, float)
        self.assertTrue(all(isinstance(v, float) for v in result.values()))

    def test_hydra_list_in_ground_truth_and_config(self):
        fn = verl_custom_reward_fn("compute_score", DictConfig({"url": URL, "config": DictConfig({"preset": "verl"})}))
        score, _ = verl_reward_loop(fn, RIGHT, DictConfig({"type": "exact", "answer": ListConfig(["B", "b)"])}))
        self.assertEqual(score, 2.0)

    def test_async_under_the_reward_loop(self):
        fn = verl_custom_reward_fn("compute_score_async", DictConfig({"url": URL, "task_type": "exact"}))
        self.assertTrue(inspect.iscoroutinefunction(fn))
        self.assertEqual(verl_reward_loop(fn, RIGHT, "B")[0], 2.0)

    def test_template_that_opens_think(self):
        for opens in ("true", True):  # a Hydra override may arrive as a string
            fn = verl_custom_reward_fn("compute_score", DictConfig({"url": URL, "task_type": "exact", "prompt_opens_think": opens}))
            self.assertEqual(verl_reward_loop(fn, OPENED, "B")[1]["format"], 1.0)
        with tempfile.TemporaryDirectory() as model:
            with open(os.path.join(model, "tokenizer_config.json"), "w") as f:
                json.dump({"chat_template": DEEPSEEK_R1_DISTILL}, f)
            fn = verl_custom_reward_fn("compute_score", DictConfig({"url": URL, "task_type": "exact", "chat_template": model}))
            self.assertEqual(verl_reward_loop(fn, OPENED, "B")[1]["format"], 1.0)
        # where the template is known not to open it, the completion must open it itself
        fn = verl_custom_reward_fn("compute_score", DictConfig({"url": URL, "task_type": "exact", "chat_template": QWEN3}))
        self.assertEqual(verl_reward_loop(fn, OPENED, "B")[1]["format"], 0.0)
        self.assertEqual(verl_reward_loop(fn, RIGHT, "B")[1]["format"], 1.0)

    def test_legacy_batch_manager(self):
        """BatchRewardManager (legacy path, use_reward_loop=False): numpy arrays, keyword call."""
        fn = verl_custom_reward_fn("compute_score_batch", DictConfig({"url": URL, "task_type": "exact"}))
        out = fn(data_sources=("a", "a"), solution_strs=[RIGHT, WRONG], ground_truths=["B", "B"], extra_infos=(None, None))
        self.assertEqual([o["score"] for o in out], [2.0, 1.0])


class FakeTokenizer:
    """apply_chat_template as transformers renders a DeepSeek-R1-Distill template."""

    def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=False):
        text = "".join(f"<｜User｜>{m['content']}" for m in messages)
        return text + ("<｜Assistant｜><think>\n" if add_generation_prompt else "")


def trl_call(fn, prompts, completions, **columns):
    """GRPOTrainer._calculate_rewards: keyword call with completion_ids, trainer_state, log_extra,
    log_metric and every other dataset column; async functions awaited; None becomes NaN."""
    kw = dict(prompts=prompts, completions=completions, completion_ids=[[1, 2]] * len(prompts), trainer_state=None,
              log_extra=lambda *a, **k: None, log_metric=lambda *a, **k: None, **columns)
    out = asyncio.run(fn(**kw)) if inspect.iscoroutinefunction(fn) else fn(**kw)
    return [float("nan") if r is None else r for r in out]


def trl_advantages(rewards, num_generations, version):
    """Group advantages, sum_then_normalize, scale_rewards=group (eps 1e-4). Before 1.6 a NaN reward is
    nansum'd to 0 and enters the group; from 1.6 it is left out and its advantage is 0."""
    nan = [r != r for r in rewards]
    vals = [0.0 if n and version < (1, 6) else r for r, n in zip(rewards, nan)]
    adv = []
    for g in range(0, len(vals), num_generations):
        grp = vals[g:g + num_generations]
        used = [v for v in grp if v == v]
        mean, std = statistics.mean(used), statistics.stdev(used)
        adv += [0.0 if v != v else (v - mean) / (std + 1e-4) for v in grp]
    return adv


def fake_trl(version):
    """An installed-distribution record of trl at `version`, as importlib.metadata finds it."""
    d = tempfile.mkdtemp()
    info = os.path.join(d, f"trl-{version}.dist-info")
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.1\nName: trl\nVersion: {version}\n")
    return d


class TrlTest(unittest.TestCase):
    user = [{"role": "user", "content": "Which? A, B or C"}]

    def test_rewards_are_floats(self):
        out = trl_call(r1trl.make_reward_fn("math", url=URL, task_type="exact"), ["q", "q"], [RIGHT, WRONG], answer=["B", "B"])
        self.assertEqual(out, [2.0, 1.0])
        self.assertTrue(all(isinstance(r, float) for r in out))

    def test_reasoning_content_is_think_plus_answer(self):
        parsed = [[{"role": "assistant", "reasoning_content": "B fits", "content": "The answer is \\boxed{B}"}],
                  [{"role": "assistant", "content": "The answer is \\boxed{B}"}]]
        fn = r1trl.make_reward_fn("math", url=URL, task_type="exact")
        self.assertEqual(trl_call(fn, [self.user] * 2, parsed, answer=["B", "B"]), [2.0, 1.0])
        # a template that opens <think>: the second completion never closes it, so it has no answer part
        # (a truncated thought is not an answer: accuracy 0, and no format)
        opened = r1trl.make_async_reward_fn("math", url=URL, task_type="exact", prompt_opens_think=True)
        self.assertEqual(trl_call(opened, [self.user] * 2, parsed, answer=["B", "B"]), [2.0, 0.0])

    def test_template_that_opens_think(self):
        conv = [[{"role": "assistant", "content": OPENED}]]
        for kw in ({"tokenizer": FakeTokenizer()}, {"chat_template": DEEPSEEK_R1_DISTILL}, {"chat_template": QWQ}, {"prompt_opens_think": True}):
            fn = r1trl.make_reward_fn("math", url=URL, task_type="exact", component="format", **kw)
            self.assertEqual(trl_call(fn, [self.user], conv, answer=["B"]), [1.0], kw)
        strict = r1trl.make_reward_fn("math", url=URL, task_type="exact", component="format", chat_template=QWEN3)
        self.assertEqual(trl_call(strict, [self.user], conv, answer=["B"]), [0.0])
        self.assertTrue(template_opens_think(DEEPSEEK_R1_DISTILL) and template_opens_think(QWQ))
        self.assertFalse(template_opens_think(QWEN3))

    def run_under(self, version, unscored="auto"):
        path = fake_trl(version)
        sys.path.insert(0, path)
        try:
            fn = r1trl.make_reward_fn("math", url=URL, task_type="exact", unscored=unscored)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = trl_call(fn, ["q1"] * 4, [RIGHT, WRONG, RIGHT, "no think"], answer=["B", "B", '{"type": "nope"}', "B"])
            return out, caught
        finally:
            sys.path.remove(path)

    def test_trl_before_1_6_gets_a_value_that_does_not_bias_the_group(self):
        out, caught = self.run_under("1.5.1")
        self.assertEqual(out, [2.0, 1.0, 1.0, 0.0])  # the group's mean scored reward in place of None
        self.assertTrue(any("TRL < 1.6" in str(w.message) for w in caught))
        adv = trl_advantages(out, 4, (1, 5))
        self.assertAlmostEqual(adv[2], 0.0)
        self.assertGreater(adv[0], 0)
        self.assertLess(adv[3], 0)

    def test_trl_1_6_gets_none(self):
        out, _ = self.run_under("1.6.0")
        self.assertTrue(out[2] != out[2])  # None -> NaN in the trainer
        self.assertEqual(trl_advantages(out, 4, (1, 6))[2], 0.0)


class StubService:
    """A reverse proxy to the live service that first answers `refusals` (status, headers) in turn."""

    def __init__(self, refusals):
        self.refusals = list(refusals)
        self.calls = 0
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                stub.calls += 1
                if stub.refusals:
                    status, headers = stub.refusals.pop(0)
                    payload = json.dumps({"error": "x", "message": f"refused with {status}"}).encode()
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                req = urllib.request.Request(URL + self.path, data=body, headers={"content-type": "application/json"}, method="POST")
                with urllib.request.urlopen(req) as res:
                    payload = res.read()
                self.send_response(200)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


ONE = [{"completion": RIGHT, "task": {"type": "exact", "answer": "B"}}]


class OutageTest(unittest.TestCase):
    def test_keeps_retrying_a_busy_service_within_its_budget(self):
        stub = StubService([(503, {"Retry-After": "0"})] * 8)
        try:
            res = Client(stub.url, backoff=0.01).score(ONE)
            self.assertEqual(res["results"][0]["reward"], 2.0)
            self.assertEqual(stub.calls, 9)
        finally:
            stub.close()

    def test_honours_retry_after(self):
        stub = StubService([(503, {"Retry-After": "1"}), (502, {})])
        try:
            t = time.monotonic()
            Client(stub.url, backoff=0.01).score(ONE)
            self.assertGreaterEqual(time.monotonic() - t, 1.0)
            self.assertEqual(stub.calls, 3)
        finally:
            stub.close()

    def test_never_retries_a_400(self):
        stub = StubService([(400, {})])
        try:
            with self.assertRaises(RewardServiceError) as cm:
                Client(stub.url, backoff=0.01).score(ONE)
            self.assertEqual(cm.exception.status, 400)
            self.assertEqual(stub.calls, 1)
        finally:
            stub.close()

    def test_down_service_gives_up_after_the_budget_with_a_clear_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # closed again: nothing listens there
        t = time.monotonic()
        with self.assertRaises(RewardServiceError) as cm:
            Client(f"http://127.0.0.1:{port}", backoff=0.05, retry_budget_s=1.0).score(ONE)
        self.assertLess(time.monotonic() - t, 3.0)
        self.assertRegex(str(cm.exception), r"gave up on http://127\.0\.0\.1:\d+ after \d+ tries in [\d.]+ s \(retry budget 1 s")
        self.assertGreaterEqual(Client().retry_budget_s, 300)  # the default rides out a restart

    def test_budget_from_the_environment(self):
        os.environ["R1_REWARD_RETRY_BUDGET_S"] = "42"
        try:
            self.assertEqual(Client().retry_budget_s, 42.0)
        finally:
            del os.environ["R1_REWARD_RETRY_BUDGET_S"]


class LargeBatchTest(unittest.TestCase):
    def test_more_rollouts_than_the_service_takes(self):
        # veRL's batch manager with a large batch: 9,000 rollouts against the default limit of 8,192
        rollouts = [{"completion": RIGHT if i % 3 else WRONG, "task": {"type": "exact", "answer": "B"}} for i in range(9000)]
        res = Client(URL).score(rollouts)
        self.assertEqual([r["reward"] for r in res["results"][:3]], [1.0, 2.0, 2.0])
        self.assertEqual(len(res["results"]), 9000)
        self.assertEqual(res["stats"]["rollouts"], 9000)
        self.assertEqual(res["stats"]["chunks"], 3)

    def test_bodies_past_the_limit_split_by_size_groups_whole(self):
        pad = " filler" * 1500  # ~10 KB a rollout; the small service takes 256 KiB and 64 rollouts
        rollouts = [{"prompt": f"q{i // 4}", "completion": (RIGHT if i % 2 else WRONG) + pad, "task": {"type": "exact", "answer": "B"}}
                    for i in range(100)]
        res = Client(SMALL_URL, chunk_bytes=200 * 1024).score(rollouts)
        self.assertGreater(res["stats"]["chunks"], 3)
        self.assertEqual([r["reward"] for r in res["results"]], [1.0, 2.0] * 50)
        self.assertEqual(len(res["groups"]), 25)
        self.assertTrue(all(g["size"] == 4 for g in res["groups"]))  # no group split across requests

    def test_413_is_reported_as_what_it_is(self):
        huge = [{"completion": RIGHT + "x" * (400 * 1024)}]
        t = time.monotonic()
        with self.assertRaises(RewardServiceError) as cm:
            Client(SMALL_URL).score(huge)
        self.assertEqual(cm.exception.status, 413)
        self.assertIn("larger than the service accepts", str(cm.exception))
        self.assertLess(time.monotonic() - t, 5.0)  # not retried


if __name__ == "__main__":
    unittest.main()
