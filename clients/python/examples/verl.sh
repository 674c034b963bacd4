#!/usr/bin/env bash
# veRL, every version from v0.6 to main (v0.9): one compute_score call per rollout. On v0.7.0+ the
# reward loop (the default) calls it; on v0.7.1+ the top-level custom_reward_function.* keys are moved
# under reward.* by veRL itself. Checked against each version's reward managers and config keys by
# tests/unit/trainer-examples.test.ts. Hydra hands reward_kwargs over as DictConfig: accepted.
R1=$(python3 -c 'import r1reward.verl, os; print(os.path.abspath(r1reward.verl.__file__))')
python3 -m verl.trainer.main_ppo \
  algorithm.adv_estimator=grpo \
  custom_reward_function.path="$R1" \
  custom_reward_function.name=compute_score \
  +custom_reward_function.reward_kwargs.url=http://r1-reward.default.svc:8000 \
  +custom_reward_function.reward_kwargs.task_type=math \
  "$@"
# A chat template that opens <think> (DeepSeek-R1-Distill, QwQ): veRL never passes the prompt, so add
#   +custom_reward_function.reward_kwargs.prompt_opens_think=true
# (or +custom_reward_function.reward_kwargs.chat_template=<model directory>).
# v0.7.0+ with the reward loop's naive manager: compute_score_async (awaited on its event loop); the
# legacy managers (v0.6, use_reward_loop=False) and the reward loop's `remote` manager need the sync one.
