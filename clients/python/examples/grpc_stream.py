"""Score rollouts over gRPC as generation finishes them (ScoreStream), with grpcio only.

    python grpc_stream.py r1-reward:50051
"""
import sys

from r1reward.grpc_client import GrpcClient

client = GrpcClient(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051")
print("health:", client.health())


def finished_rollouts():
    yield {"config": {"preset": "verl"}}
    for i in range(4):  # as each generation finishes; group_size says when the group is complete
        completion = f"<think>try {i}</think> The answer is \\boxed{{{40 + i}}}"
        yield {"rollout": {"id": f"q1-{i}", "group": "q1", "completion": completion, "task": {"type": "math", "answer": "42"}}, "group_size": 4}


for message in client.stream(finished_rollouts()):
    if "scored" in message:
        s = message["scored"]
        print("scored", s.get("id"), s["status"], s.get("reward"))
    else:
        g = message["group"]
        print("group", g["group"], "advantages", [round(a, 3) for a in g["advantages"]])
