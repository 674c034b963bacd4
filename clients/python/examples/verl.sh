#!/usr/bin/env bash
# veRL with rewards from r1-reward: point custom_reward_function at r1reward/verl.py.
R1=$(python3 -c 'import r1reward.verl, os; print(os.path.abspath(r1reward.verl.__file__))')
python3 -m verl.trainer.main_ppo \
  algorithm.adv_estimator=grpo \
  custom_reward_function.path="$R1" \
  custom_reward_function.name=compute_score \
  +custom_reward_function.reward_kwargs.url=http://r1-reward:8000 \
  "$@"
# Batched (one request per batch): reward_model.reward_manager=batch custom_reward_function.name=compute_score_batch
