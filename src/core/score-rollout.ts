// Scores one rollout: validate -> split -> components -> combine. Never throws: every failure becomes a
// status on the rollout, so one bad or hostile rollout cannot spoil its batch.
import { performance } from 'node:perf_hooks';
import type { Config } from './config.js';
import { shapeError } from '../contract/limits.js';
import { COMPONENTS, type Component, type FieldError, type Rewards, type Rollout, type ScoredRollout, type Status } from '../contract/types.js';
import { formatReward } from '../rewards/format.js';
import { languageRewardYielding, majorityLanguageYielding } from '../rewards/language.js';
import { lengthReward } from '../rewards/length.js';
import { splitRollout } from '../text/think.js';
import type { VerifyOutcome } from '../verifiers/types.js';
import type { ScoreContext } from './context.js';
import { groupKey } from './groups.js';
import { splitTooDeep, validateRollout } from './validate.js';

/** Keys every result sets (`error` when not ok). */
const RESULT_KEYS = ['reward', 'rewards', 'advantage', 'status', 'error', 'details'] as const;

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function emptyRewards(): Rewards {
  return { accuracy: null, format: null, language: null, length: null };
}

/** The input's keys for a failed result; a key nested too deep to serialise is left out (the error names it). */
function echo(raw: unknown): Record<string, unknown> {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return splitTooDeep(raw as Record<string, unknown>).echo;
  return shapeError(raw, 'input') ? {} : { input: raw };
}

export function failed(raw: unknown, status: Status, error: string, details: Record<string, unknown> = {}): ScoredRollout {
  const base = echo(raw);
  return {
    ...base,
    completion: typeof base['completion'] === 'string' ? base['completion'] : '',
    reward: null,
    rewards: emptyRewards(),
    advantage: 0,
    status,
    error,
    details,
  };
}

/** A malformed rollout: status invalid_rollout, the error naming every bad field. */
export function invalidRollout(raw: unknown, index: number, fields: readonly FieldError[]): ScoredRollout {
  return failed(raw, 'invalid_rollout', fields.map((e) => `${e.path}: ${e.message}`).join('; '), { group: groupKey(raw, index), fields });
}

function wants(cfg: Config, c: Component): boolean {
  return cfg.weights[c] !== 0 || cfg.compute.includes(c);
}

async function targetLanguage(rollout: Rollout, ctx: ScoreContext): Promise<{ lang: string; source: string }> {
  const cfg = ctx.config.language;
  if (rollout.language) return { lang: rollout.language, source: 'rollout' };
  if (cfg.detect_from_prompt && rollout.prompt) {
    const cache = (ctx.promptLanguages ??= new Map());
    let lang = cache.get(rollout.prompt);
    if (lang === undefined) {
      lang = await majorityLanguageYielding(rollout.prompt, cfg);
      if (cache.size < 4096) cache.set(rollout.prompt, lang);
    }
    if (lang) return { lang, source: 'prompt' };
  }
  return { lang: cfg.default, source: 'default' };
}

async function accuracyOf(rollout: Rollout, answer: string | null, ctx: ScoreContext, path: string): Promise<VerifyOutcome> {
  const task = rollout.task;
  if (!task || task.type === 'none') return { accuracy: null, status: 'ok', details: { task: 'none' } };
  const verifier = ctx.registry.get(task.type);
  if (!verifier) {
    return {
      accuracy: null,
      status: 'unknown_task_type',
      error: `${path}.task.type: unknown task type '${task.type}' (known: none, ${ctx.registry.types().join(', ')})`,
      details: {},
    };
  }
  const errs = ctx.registry.taskErrors(task);
  if (errs.length) {
    return {
      accuracy: null,
      status: 'invalid_task',
      error: errs.map((e) => `${path}.task${e.path.replace(/^\//, '.').replace(/\//g, '.')}: ${e.message}`).join('; '),
      details: { fields: errs },
    };
  }
  // A thought that never closed (truncated at max tokens) has no answer part: nothing to verify or run.
  if (answer === null) return { accuracy: 0, status: 'ok', details: { reason: 'unclosed_think', rule: 'unclosed_think' } };
  try {
    return await verifier.verify({ rollout, task, answer, config: ctx.config, signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) return { accuracy: null, status: ctx.abortStatus?.() ?? 'cancelled', error: 'aborted', details: {} };
    return { accuracy: null, status: 'internal_error', error: `verifier '${task.type}' failed: ${(err as Error).message}`, details: {} };
  }
}

const WHY_NULL: Record<Component, string> = {
  accuracy: 'the verifier could not decide',
  format: 'format could not be checked',
  language: 'the chain of thought has no words and language.empty is null',
  length: "cosine length shaping needs an accuracy (a task), and this rollout's is null",
};

/**
 * Weighted sum over the weighted components. A component that is null for a reason other than "this
 * rollout has no task" makes the reward null, and the reason is returned so it is never silent.
 */
function combine(rewards: Rewards, cfg: Config, accuracyApplies: boolean): { reward: number } | { why: string } {
  let sum = 0;
  let used = 0;
  for (const c of COMPONENTS) {
    const w = cfg.weights[c];
    if (w === 0) continue;
    const v = rewards[c];
    if (v === null) {
      if (c === 'accuracy' && !accuracyApplies) continue;
      return { why: `weighted component '${c}' is null: ${WHY_NULL[c]}` };
    }
    sum += w * v;
    used++;
  }
  if (used === 0) return { why: 'no weighted component applies: the only weighted one is accuracy and this rollout has no task' };
  // Config bounds keep the sum finite; a reward that is not a number is never sent as one.
  return Number.isFinite(sum) ? { reward: sum } : { why: `the weighted sum is not finite (${sum})` };
}

export async function scoreRollout(raw: unknown, index: number, ctx: ScoreContext): Promise<ScoredRollout> {
  const path = `rollouts[${index}]`;
  const cfg = ctx.config;
  const group = groupKey(raw, index);
  const v = validateRollout(raw, path, cfg.limits);
  if ('errors' in v) return invalidRollout(raw, index, v.errors);
  const rollout = v.rollout;
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const details: Record<string, unknown> = { group };
  const rewards = emptyRewards();

  const { thought, answer, opens } = splitRollout(rollout.prompt, rollout.completion, cfg.format);

  const fmt = formatReward(rollout.completion, opens, cfg.format);
  rewards.format = fmt.score;
  details['format'] = { rule_failed: fmt.failed, prompt_opens_think: fmt.prompt_opens_think, mode: cfg.format.mode };
  timings['format'] = round(performance.now() - t0);

  if (wants(cfg, 'language')) {
    const t = performance.now();
    const target = await targetLanguage(rollout, ctx);
    const scopeText = cfg.language.scope === 'thought' && thought !== null ? thought : rollout.completion;
    const lang = await languageRewardYielding(scopeText, target.lang, cfg.language);
    rewards.language = lang.score;
    details['language'] = {
      target: lang.target,
      target_source: target.source,
      scope: cfg.language.scope === 'thought' && thought !== null ? 'thought' : 'completion',
      ratio: lang.words ? lang.target_words / lang.words : null,
      words: lang.words,
      counts: lang.counts,
    };
    timings['language'] = round(performance.now() - t);
  }

  const t1 = performance.now();
  const acc = await accuracyOf(rollout, answer, ctx, path);
  timings['accuracy'] = round(performance.now() - t1);
  let accuracy = acc.accuracy;
  if (acc.status === 'timeout') accuracy = cfg.accuracy.timeout_reward;
  rewards.accuracy = accuracy;
  details['accuracy'] = { task: rollout.task?.type ?? 'none', ...acc.details };

  if (wants(cfg, 'length')) {
    const len = lengthReward(rollout.completion, rollout.completion_tokens, accuracy, cfg.length);
    rewards.length = len.score;
    details['length'] = { kind: cfg.length.kind, tokens: len.tokens, estimated: len.estimated };
  }

  const applies = rollout.task !== undefined && rollout.task.type !== 'none';
  const ok = acc.status === 'ok' || acc.status === 'timeout';
  const combined = ok ? combine(rewards, cfg, applies) : null;
  timings['total'] = round(performance.now() - t0);
  details['timings_ms'] = timings;
  const reward = combined && 'reward' in combined ? combined.reward : null;
  const why = combined && 'why' in combined ? combined.why : undefined;
  // A timeout keeps its own status even when timeout_reward null leaves the reward unscored.
  const status = why && acc.status === 'ok' ? 'unscored' : acc.status;
  // The result's keys describe this scoring: an input key of the same name is replaced (never shown as if
  // it were ours, e.g. an input `error` beside status ok), and details say which were.
  const replaced = RESULT_KEYS.filter((k) => k in rollout);
  if (replaced.length) details['replaced_input_keys'] = replaced;
  const { error: _inputError, ...echoed } = rollout;
  const out: ScoredRollout = { ...echoed, reward, rewards, advantage: 0, status, details };
  const error = acc.error ?? why;
  if (error) out.error = error;
  return out;
}
