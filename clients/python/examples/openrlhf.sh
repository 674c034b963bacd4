#!/usr/bin/env bash
# OpenRLHF: the remote reward URL is the service's /get_reward route. `labels` come from the dataset
# column named by --label_key (check `--help` of your OpenRLHF version for the exact flag name).
# Several replicas: a comma-separated list, or one Kubernetes Service URL.
python3 -m openrlhf.cli.train_ppo_ray \
  --reward.remote_url http://r1-reward:8000/get_reward \
  --label_key answer \
  --algo.advantage.estimator group_norm \
  "$@"
# Older OpenRLHF: --remote_rm_url http://r1-reward:8000/get_reward
