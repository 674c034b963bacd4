import { createHash } from 'node:crypto';

// Default keys are `prompt:<hash>` and `#<index>`. An explicit group that starts like one of them (or like
// the escape itself) is shown as `group:<name>`, so no explicit group can merge with a default one.
const RESERVED = /^(?:prompt:|#|group:)/;

/**
 * The GRPO group of a rollout: its explicit `group`, else its prompt text (rollouts of one prompt
 * share a group), else a group of its own. Prompt keys are hashed so that keys stay small.
 */
export function groupKey(raw: unknown, index: number): string {
  if (raw !== null && typeof raw === 'object') {
    const r = raw as { group?: unknown; prompt?: unknown };
    if (typeof r.group === 'string') return RESERVED.test(r.group) ? `group:${r.group}` : r.group;
    if (typeof r.prompt === 'string') return `prompt:${createHash('sha1').update(r.prompt).digest('hex').slice(0, 16)}`;
  }
  return `#${index}`;
}
