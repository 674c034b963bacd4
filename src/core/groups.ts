import { createHash } from 'node:crypto';

// Default keys are `prompt:<hash>` and `#<index>`. An explicit group that starts like one of them (or like
// the escape itself) is shown as `group:<name>`, so no explicit group can merge with a default one.
const RESERVED = /^(?:prompt:|#|group:)/;

/** The key of an explicit group name: the one escaping rule, shared by rollouts and ScoreStream's group_end. */
export function explicitGroupKey(name: string): string {
  return RESERVED.test(name) ? `group:${name}` : name;
}

/**
 * The GRPO group of a rollout: its explicit `group`, else its prompt text (rollouts of one prompt
 * share a group), else a group of its own. Prompt keys are hashed so that keys stay small.
 */
export function groupKey(raw: unknown, index: number): string {
  if (raw !== null && typeof raw === 'object') {
    const r = raw as { group?: unknown; prompt?: unknown };
    if (typeof r.group === 'string') return explicitGroupKey(r.group);
    if (typeof r.prompt === 'string') return `prompt:${createHash('sha1').update(r.prompt).digest('hex').slice(0, 16)}`;
  }
  return `#${index}`;
}
