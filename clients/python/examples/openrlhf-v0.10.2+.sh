#!/usr/bin/env bash
# OpenRLHF v0.10.2 and later (flags checked against train_ppo_ray.py's parser of v0.10.2 .. v0.10.4 and
# main by tests/unit/trainer-examples.test.ts). One request per rollout to /get_reward.
# --data.label_key names the dataset column of gold answers: without it every label is "" and every
# rollout comes back unscored (reward 0.0, extra_logs.r1_unscored 1.0).
# Several replicas: one Kubernetes Service URL (deploy/kubernetes/service.yaml). A comma-separated URL
# list is not load balancing here: OpenRLHF sends every rollout to the first URL.
python3 -m openrlhf.cli.train_ppo_ray \
  --actor.model_name_or_path Qwen/Qwen2.5-1.5B-Instruct \
  --data.prompt_dataset your/dataset \
  --data.input_key question \
  --data.label_key answer \
  --data.apply_chat_template \
  --reward.remote_url http://r1-reward.default.svc:8000/get_reward \
  --algo.advantage.estimator group_norm \
  --rollout.n_samples_per_prompt 8 \
  "$@"
