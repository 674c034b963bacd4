// The trainer examples (clients/python/examples, the OpenRLHF blocks of docs/integrations.md) checked
// against facts read from each trainer's sources: OpenRLHF's argument parser per version range (extracted
// into fixtures/openrlhf-train-ppo-ray-args.json), veRL's reward managers and config keys per version,
// slime's flags. A flag from another generation, a value outside its choices or a reward manager the
// version does not have is what makes a trainer refuse to start.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = `${ROOT}clients/python/examples/`;
const read = (p: string): string => readFileSync(`${ROOT}${p}`, 'utf8');

interface FlagSpec {
  value: boolean;
  choices?: string[];
}
interface OpenrlhfRange {
  tags: Record<string, string>;
  flags: Record<string, FlagSpec>;
  n_samples_flag: string;
  group_estimators: string[];
}
const OPENRLHF = JSON.parse(read('tests/unit/fixtures/openrlhf-train-ppo-ray-args.json')) as { ranges: Record<string, OpenrlhfRange> };

/** The command's words: comments dropped, continuations joined, quotes kept off. */
function words(command: string): string[] {
  const text = command
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return text.split(/\s+/).filter(Boolean).map((w) => w.replace(/^"|"$/g, ''));
}

/** argparse's verdict on the flags of `command` (everything after `train_ppo_ray`), as a list of complaints. */
function openrlhfComplaints(command: string, range: OpenrlhfRange): string[] {
  const w = words(command);
  const start = w.findIndex((x) => x.endsWith('train_ppo_ray'));
  const args = w.slice(start + 1).filter((x) => x !== '$@');
  const out: string[] = [];
  const given: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const spec = range.flags[flag];
    if (!flag.startsWith('--') || !spec) {
      out.push(`unrecognized arguments: ${flag}`);
      continue;
    }
    if (!spec.value) {
      given[flag] = true;
      continue;
    }
    const v = args[++i];
    if (v === undefined || v.startsWith('--')) out.push(`${flag}: expected one argument`);
    else if (spec.choices && !spec.choices.includes(v)) out.push(`${flag}: invalid choice: '${v}'`);
    else given[flag] = v;
  }
  // train_ppo_ray.py after parsing: group estimators need more than one sample per prompt
  const estimator = Object.entries(given).find(([f]) => f.endsWith('advantage_estimator') || f.endsWith('advantage.estimator'))?.[1];
  if (typeof estimator === 'string' && range.group_estimators.includes(estimator) && !(Number(given[range.n_samples_flag]) > 1)) {
    out.push(`${estimator} requires n_samples_per_prompt > 1`);
  }
  return out;
}

/** The contents of the fenced code blocks of a Markdown text. */
function fencedBlocks(md: string): string[] {
  const blocks: string[] = [];
  let cur: string[] | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) {
      if (cur) blocks.push(cur.join('\n'));
      cur = cur ? null : [];
    } else cur?.push(line);
  }
  return blocks;
}

/** The flags a range names the remote reward and the label column by. */
function rangeOf(command: string): string {
  return command.includes('--reward.remote_url') ? 'v0.10.2-head' : 'v0.9.0-v0.10.1';
}

describe('OpenRLHF examples against each version range\'s argument parser', () => {
  const scripts = readdirSync(EXAMPLES).filter((f) => f.startsWith('openrlhf'));

  it('has one example per supported range, named for it', () => {
    expect(scripts.sort()).toEqual(['openrlhf-v0.10.2+.sh', 'openrlhf-v0.9.0-v0.10.1.sh']);
    expect(Object.keys(OPENRLHF.ranges).sort()).toEqual(['v0.10.2-head', 'v0.9.0-v0.10.1']);
  });

  for (const [file, range] of [['openrlhf-v0.10.2+.sh', 'v0.10.2-head'], ['openrlhf-v0.9.0-v0.10.1.sh', 'v0.9.0-v0.10.1']] as const) {
    it(`${file} is accepted by every tag of ${range}, and sends labels`, () => {
      const script = read(`clients/python/examples/${file}`);
      expect(openrlhfComplaints(script, OPENRLHF.ranges[range]!)).toEqual([]);
      expect(script).toMatch(/--(data\.)?label_key \w+/);
      expect(script).toContain('/get_reward');
    });
  }

  it('the checker refuses what OpenRLHF refuses: a mix of generations, a bad choice, group_norm with one sample', () => {
    const head = OPENRLHF.ranges['v0.10.2-head']!;
    const old = OPENRLHF.ranges['v0.9.0-v0.10.1']!;
    // main's old example: the new URL flag with the old label flag
    const mixed = 'python3 -m openrlhf.cli.train_ppo_ray --reward.remote_url http://x/get_reward --label_key answer --algo.advantage.estimator group_norm';
    expect(openrlhfComplaints(mixed, head)).toContain('unrecognized arguments: --label_key');
    expect(openrlhfComplaints(mixed, old)).toContain('unrecognized arguments: --reward.remote_url');
    expect(openrlhfComplaints('train_ppo_ray --advantage_estimator grpo --n_samples_per_prompt 8', old)).toEqual(["--advantage_estimator: invalid choice: 'grpo'"]);
    expect(openrlhfComplaints('train_ppo_ray --algo.advantage.estimator group_norm', head)).toEqual(['group_norm requires n_samples_per_prompt > 1']);
  });

  it('every OpenRLHF command in docs/integrations.md and the README is accepted by its range', () => {
    for (const doc of ['docs/integrations.md', 'README.md']) {
      const blocks = fencedBlocks(read(doc)).filter((b) => b.includes('train_ppo_ray'));
      if (doc.startsWith('docs')) expect(blocks.length).toBeGreaterThanOrEqual(2);
      for (const b of blocks) expect(openrlhfComplaints(b, OPENRLHF.ranges[rangeOf(b)]!), b).toEqual([]);
    }
  });
});

// veRL (verl-project/verl), read per tag: which reward managers exist on which path, whether the
// `reward_model.use_reward_loop` switch exists (Hydra refuses an override of a key not in the config)
// and its default, and whether a manager awaits an async compute_score.
//   v0.6.1 d62da49: legacy managers only (verl/workers/reward_manager: batch, dapo, naive, prime), sync calls.
//   v0.7.0 f9c855f: reward_model.use_reward_loop: true (default); the reward loop's registry
//     (verl/experimental/reward_loop/reward_manager) has dapo, naive, remote -> "Unknown reward manager:
//     batch"; use_reward_loop=False keeps the legacy path.
//   v0.7.1 bec9ef7, v0.8.0 7aed6b2, v0.9.0 483b8a0, main 1dda039: reward loop only (main_ppo calls
//     migrate_legacy_reward_impl: custom_reward_function.* and reward_model.reward_manager move under
//     reward.*), registry dapo, gdpo, naive, remote; no use_reward_loop key.
interface VerlVersion {
  loop: string[] | null;
  legacy: string[] | null;
  switch: boolean;
  loopDefault: boolean;
}
const VERL: Record<string, VerlVersion> = {
  'v0.6.1': { loop: null, legacy: ['batch', 'dapo', 'naive', 'prime'], switch: false, loopDefault: false },
  'v0.7.0': { loop: ['dapo', 'naive', 'remote'], legacy: ['batch', 'dapo', 'naive', 'prime'], switch: true, loopDefault: true },
  'v0.7.1': { loop: ['dapo', 'gdpo', 'naive', 'remote'], legacy: null, switch: false, loopDefault: true },
  'v0.9.0': { loop: ['dapo', 'gdpo', 'naive', 'remote'], legacy: null, switch: false, loopDefault: true },
  main: { loop: ['dapo', 'gdpo', 'naive', 'remote'], legacy: null, switch: false, loopDefault: true },
};

/** What veRL says at start-up about the overrides of `command`; [] when it starts. */
function verlComplaints(command: string, v: VerlVersion): string[] {
  const over = new Map(words(command).filter((w) => /^\+?[\w.]+=/.test(w)).map((w) => [w.replace(/^\+/, '').split('=')[0]!, w.split('=').slice(1).join('=')]));
  const out: string[] = [];
  const sw = over.get('reward_model.use_reward_loop');
  if (sw !== undefined && !v.switch) out.push("Could not override 'reward_model.use_reward_loop'. Key 'use_reward_loop' is not in struct");
  const useLoop = v.switch && sw !== undefined ? sw.toLowerCase() === 'true' : v.loopDefault;
  const managers = useLoop ? v.loop : v.legacy;
  const name = over.get('reward_model.reward_manager') ?? 'naive';
  if (!managers?.includes(name)) out.push(`Unknown reward manager: ${name}`);
  if (!over.get('custom_reward_function.path') || !over.get('custom_reward_function.name')) out.push('custom_reward_function.path and .name are required');
  return out;
}

describe('veRL examples against each version\'s reward managers', () => {
  it('verl.sh (per rollout) starts on every version from v0.6.1 to main, with a sync compute_score', () => {
    const script = read('clients/python/examples/verl.sh');
    for (const [tag, v] of Object.entries(VERL)) expect(verlComplaints(script, v), tag).toEqual([]);
    expect(script).toContain('custom_reward_function.name=compute_score \\'); // v0.6's legacy naive manager does not await
  });

  it('the batch example starts on v0.7.0 (with use_reward_loop=False); main\'s old one-liner does not', () => {
    const script = read('clients/python/examples/verl-batch-v0.6-v0.7.0.sh');
    expect(verlComplaints(script, VERL['v0.7.0']!)).toEqual([]);
    expect(verlComplaints(script.replace('reward_model.use_reward_loop=False \\\n', ''), VERL['v0.6.1']!)).toEqual([]);
    const oldReadme = 'reward_model.reward_manager=batch custom_reward_function.path=x custom_reward_function.name=compute_score_batch';
    expect(verlComplaints(oldReadme, VERL['v0.7.0']!)).toEqual(['Unknown reward manager: batch']);
    for (const tag of ['v0.7.1', 'v0.9.0', 'main']) expect(verlComplaints(script, VERL[tag]!).length, tag).toBeGreaterThan(0);
  });

  it('no doc offers the batch manager without use_reward_loop=False and the versions', () => {
    for (const doc of ['README.md', 'docs/integrations.md', 'clients/python/README.md', 'clients/python/r1reward/verl.py']) {
      for (const line of read(doc).split('\n').filter((l) => l.includes('reward_manager=batch'))) {
        expect(line, doc).toContain('use_reward_loop=False');
      }
    }
  });
});

// slime main (624b824): slime/utils/arguments.py defines --rm-type (remote_rm among its values), --rm-url,
// --reward-key, --label-key, --input-key, --apply-chat-template.
const SLIME_FLAGS = ['--rm-type', '--rm-url', '--reward-key', '--label-key', '--input-key', '--apply-chat-template'];

describe('slime and URL lists', () => {
  it('slime.sh uses slime\'s flags and the safe reward key', () => {
    const script = read('clients/python/examples/slime.sh');
    const flags = words(script).filter((w) => w.startsWith('--'));
    expect(flags.filter((f) => !SLIME_FLAGS.includes(f))).toEqual([]);
    expect(script).toContain('--reward-key score');
    for (const doc of ['README.md', 'docs/integrations.md']) expect(read(doc), doc).not.toContain('--reward-key reward`');
  });

  it('no doc calls a comma-separated OpenRLHF URL list load balancing, and the docs give the Service pattern', () => {
    for (const doc of ['README.md', 'docs/integrations.md', ...readdirSync(EXAMPLES).map((f) => `clients/python/examples/${f}`)]) {
      expect(read(doc), doc).not.toMatch(/Several replicas: a comma-separated list/);
    }
    expect(read('docs/integrations.md')).toMatch(/every rollout (goes )?to the first URL/);
    expect(read('docs/integrations.md')).toContain('r1-reward.default.svc:8000/get_reward');
  });
});
