#!/usr/bin/env bash
# slime (main, checked against slime/utils/arguments.py by tests/unit/trainer-examples.test.ts):
# remote reward model at /slime/reward; --reward-key picks the field of the JSON answer.
#   score   the reward, 0.0 where the rollout cannot be scored (the safe key: the server logs each such
#           rollout's status at warn level and counts it in r1_reward_rollouts_total{status})
#   reward  null there: slime's post-processing then fails with bare TypeErrors that never name the cause
# --label-key names the dataset column of gold answers. Without --apply-chat-template slime sends the
# prompt as a list of messages: the service reads the last user turn.
python3 train.py \
  --rm-type remote_rm \
  --rm-url http://r1-reward.default.svc:8000/slime/reward \
  --reward-key score \
  --label-key answer \
  "$@"
