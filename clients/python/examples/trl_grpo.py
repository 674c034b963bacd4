"""GRPO with TRL, rewards from an r1-reward service (R1_REWARD_URL, default http://127.0.0.1:8000).

    r1-reward serve &                  # or the Kubernetes Service
    R1_REWARD_URL=http://127.0.0.1:8000 python trl_grpo.py

The dataset's `answer` column (math) becomes {"type": "math", "answer": ...}. For code, use
r1reward.trl.code_reward (or make_reward_fn("code")): an open-r1 dataset's `verification_info`
({language, test_cases: [{input, output, type}]}) becomes stdin/stdout tests, an APPS-style
`input_output` column works too, and a `task` column may hold a code task as JSON. A rollout the service cannot score gets None: TRL leaves it out of
the group statistics and gives it advantage 0.
"""
from datasets import load_dataset
from trl import GRPOConfig, GRPOTrainer

from r1reward.trl import make_async_reward_fn

# The service's weighted reward (accuracy + format by default); preset "trl" only matters for the
# advantages r1-reward reports, TRL computes its own from these rewards.
# A model whose chat template opens <think> (DeepSeek-R1-Distill, QwQ): add tokenizer=AutoTokenizer.from_pretrained(...)
# (or prompt_opens_think=True), since TRL never shows the templated prompt to reward functions.
reward = make_async_reward_fn("math", config={"preset": "trl"})

dataset = load_dataset("openai/gsm8k", "main", split="train").map(lambda x: {"prompt": x["question"], "answer": x["answer"].split("####")[-1].strip()})
trainer = GRPOTrainer(
    model="Qwen/Qwen2.5-0.5B-Instruct",
    reward_funcs=[reward],
    args=GRPOConfig(output_dir="grpo-r1reward", num_generations=8),
    train_dataset=dataset,
)
trainer.train()
