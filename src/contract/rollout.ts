// The rollout and task shapes every transport accepts (validated per rollout by the core).
import { Type } from '@sinclair/typebox';

export const TaskSchema = Type.Object(
  { type: Type.String({ minLength: 1, description: "verifier name: 'math', 'code', 'exact', 'none', …" }) },
  { additionalProperties: true, description: 'What "correct" means; the other keys belong to the verifier named by `type`.' },
);

export const RolloutSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'echoed back' })),
    group: Type.Optional(Type.String({ description: 'GRPO group; default: rollouts with equal prompt text share one' })),
    prompt: Type.Optional(Type.String({ description: 'the prompt as the policy saw it' })),
    completion: Type.String({ description: "the model's output" }),
    task: Type.Optional(TaskSchema),
    language: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}$', description: 'target language of the chain of thought (ISO 639-1)' })),
    completion_tokens: Type.Optional(Type.Integer({ minimum: 0, description: 'completion length in tokens (length shaping; reinforce_baseline token whitening)' })),
  },
  { additionalProperties: true, description: 'One sampled completion. Unknown keys are echoed back untouched.' },
);
