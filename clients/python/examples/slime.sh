#!/usr/bin/env bash
# slime: remote reward model at /slime/reward; --reward-key picks the field of the JSON answer.
#   reward  null when the rollout cannot be scored (slime stops loudly)
#   score   0 in its place (check `scored` / the server's metrics)
python3 train.py \
  --rm-type remote_rm \
  --rm-url http://r1-reward:8000/slime/reward \
  --reward-key reward \
  "$@"
