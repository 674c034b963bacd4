#!/usr/bin/env bash
# OpenRLHF v0.9.0 .. v0.10.1 (flags checked against train_ppo_ray.py's parser of every tag in the range
# by tests/unit/trainer-examples.test.ts). v0.9.0 posts a whole batch to /get_reward, v0.9.1+ one
# rollout per request; the service answers both.
# --label_key names the dataset column of gold answers: without it every label is "" and every rollout
# comes back unscored (reward 0.0, extra_logs.r1_unscored 1.0).
# Several replicas: one Kubernetes Service URL. A comma-separated --remote_rm_url list is not load
# balancing on v0.9.1+ (every rollout goes to the first URL); v0.9.0 shards each batch across the list.
python3 -m openrlhf.cli.train_ppo_ray \
  --pretrain Qwen/Qwen2.5-1.5B-Instruct \
  --prompt_data your/dataset \
  --input_key question \
  --label_key answer \
  --apply_chat_template \
  --remote_rm_url http://r1-reward.default.svc:8000/get_reward \
  --advantage_estimator group_norm \
  --n_samples_per_prompt 8 \
  "$@"
