"""grpcio against the live service (R1_REWARD_GRPC): the proto is loaded over server reflection."""
import os
import unittest

import grpc

from r1reward import Client
from r1reward.grpc_client import GrpcClient

TARGET = os.environ["R1_REWARD_GRPC"]
URL = os.environ["R1_REWARD_URL"]
RIGHT = "<think>work</think> The answer is \\boxed{B}"
WRONG = "<think>work</think> The answer is \\boxed{C}"


def batch():
    t = {"type": "exact", "answer": "B"}
    return [
        {"id": "1", "group": "g", "completion": RIGHT, "task": t},
        {"id": "2", "group": "g", "completion": WRONG, "task": t},
        {"id": "3", "group": "g", "completion": "no think", "task": t},
        {"id": "4", "group": "h", "completion": RIGHT, "task": {"type": "no_such_type"}},
    ]


class GrpcTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = GrpcClient(TARGET)

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def test_health(self):
        self.assertEqual(self.c.health(), "SERVING")
        self.assertEqual(self.c.health("r1reward.v1.RewardService"), "SERVING")

    def test_score_matches_http(self):
        g = self.c.score(batch(), config={"preset": "verl"})
        h = Client(URL).score(batch(), config={"preset": "verl"})
        self.assertEqual(len(g["results"]), 4)
        for gr, hr in zip(g["results"], h["results"]):
            self.assertEqual(gr["status"], hr["status"])
            self.assertEqual(gr.get("reward"), hr["reward"])
            self.assertAlmostEqual(gr["advantage"], hr["advantage"], places=12)
        self.assertNotIn("reward", g["results"][3])  # unscored: absent, not 0
        self.assertEqual(g["results"][3]["status"], "unknown_task_type")
        self.assertEqual(g["stats"]["rollouts"], 4)

    def test_advantages_with_unscored(self):
        res = self.c.advantages([1.0, 0.0, None, 1.0], ["a", "a", "a", "a"])
        h = Client(URL).advantages([1.0, 0.0, None, 1.0], ["a", "a", "a", "a"])
        self.assertEqual(res["advantages"][2], 0.0)
        for a, b in zip(res["advantages"], h["advantages"]):
            self.assertAlmostEqual(a, b, places=12)

    def test_stream(self):
        msgs = [{"config": {"preset": "trl"}}] + [{"rollout": r, "group_size": 3} for r in batch()[:3]]
        msgs += [{"rollout": batch()[3]}, {"group_end": "h"}]
        out = list(self.c.stream(iter(msgs)))
        scored = [m["scored"] for m in out if "scored" in m]
        groups = {m["group"]["group"]: m["group"] for m in out if "group" in m}
        self.assertEqual(sorted(s["id"] for s in scored), ["1", "2", "3", "4"])
        self.assertEqual(set(groups), {"g", "h"})
        self.assertEqual(groups["g"]["ids"], ["1", "2", "3"])
        whole = Client(URL).score(batch()[:3], config={"preset": "trl"})
        for a, r in zip(groups["g"]["advantages"], whole["results"]):
            self.assertAlmostEqual(a, r["advantage"], places=12)

    def test_invalid_argument_names_the_field(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.c.score([], config={"weights": {"acuracy": 1}})
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("config.weights.acuracy", cm.exception.details())

    def test_deadline(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.c.score([{"completion": "x", "task": {"type": "sleep", "ms": 10000}}], timeout=0.3)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)


if __name__ == "__main__":
    unittest.main()
