import { createHash } from 'node:crypto';

/**
 * The GRPO group of a rollout: its explicit `group`, else its prompt text (rollouts of one prompt
 * share a group), else a group of its own. Prompt keys are hashed so that keys stay small.
 */
export function groupKey(raw: unknown, index: number): string {
  if (raw !== null && typeof raw === 'object') {
    const r = raw as { group?: unknown; prompt?: unknown };
    if (typeof r.group === 'string') return r.group;
    if (typeof r.prompt === 'string') return `prompt:${createHash('sha1').update(r.prompt).digest('hex').slice(0, 16)}`;
  }
  return `#${index}`;
}
