// Which survivors of one prompt are kept: ordered by the `prefer` rule (fewest tokens, ties by input order;
// or input order), each dropped when it is a near-duplicate of one already kept, until the quota is full.
import type { FilterRules } from './rules.js';
import { similarity } from './shingles.js';

export interface Candidate {
  /** position in the spill (input order among survivors) */
  at: number;
  tokens: number;
  sig: Uint32Array;
}

export interface Selection {
  kept: number[];
  near_duplicate: number;
  per_prompt_cap: number;
}

export function selectForPrompt(cands: readonly Candidate[], rules: FilterRules): Selection {
  const order = [...cands].sort((a, b) => (rules.prefer === 'shorter' ? a.tokens - b.tokens : 0) || a.at - b.at);
  const kept: Candidate[] = [];
  let dup = 0;
  let cap = 0;
  for (const c of order) {
    if (rules.dedup && kept.some((k) => similarity(k.sig, c.sig) >= rules.dedup_threshold)) dup++;
    else if (rules.max_per_prompt > 0 && kept.length >= rules.max_per_prompt) cap++;
    else kept.push(c);
  }
  return { kept: kept.map((k) => k.at).sort((a, b) => a - b), near_duplicate: dup, per_prompt_cap: cap };
}
