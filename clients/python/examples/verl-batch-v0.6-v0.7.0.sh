#!/usr/bin/env bash
# veRL up to v0.7.0 only: one compute_score_batch call per batch through the legacy `batch` reward
# manager. v0.7.0 needs reward_model.use_reward_loop=False (its default reward loop has no `batch`:
# "Unknown reward manager: batch"); on v0.6 drop that line (the key does not exist there); v0.7.1+ has no
# batch manager at all: use verl.sh. Checked by tests/unit/trainer-examples.test.ts.
R1=$(python3 -c 'import r1reward.verl, os; print(os.path.abspath(r1reward.verl.__file__))')
python3 -m verl.trainer.main_ppo \
  algorithm.adv_estimator=grpo \
  reward_model.use_reward_loop=False \
  reward_model.reward_manager=batch \
  custom_reward_function.path="$R1" \
  custom_reward_function.name=compute_score_batch \
  +custom_reward_function.reward_kwargs.url=http://r1-reward.default.svc:8000 \
  "$@"
