import { describe, expect, it } from 'vitest';
import { ConfigError, RewardEngine } from '../../src/core/engine.js';

describe('config', () => {
  const engine = new RewardEngine();

  it('fills every documented default', () => {
    const c = engine.config();
    expect(c.weights).toEqual({ accuracy: 1, format: 1, language: 0, length: 0 });
    expect(c.advantage).toEqual({ estimator: 'grpo', scale: 'group', std: 'unbiased', eps: 1e-6, whiten_eps: 1e-8, singleton: 'zero' });
    expect(c.format.mode).toBe('think');
    expect(c.limits.concurrency).toBe(64);
    expect(c['exact']).toEqual({ case_sensitive: false });
  });

  it('merges a partial config over the defaults', () => {
    const c = engine.config({ weights: { language: 0.5 }, advantage: { eps: 1e-4 } });
    expect(c.weights).toEqual({ accuracy: 1, format: 1, language: 0.5, length: 0 });
    expect(c.advantage.eps).toBe(1e-4);
    expect(c.advantage.estimator).toBe('grpo');
  });

  it('rejects unknown keys and bad values, naming every path', () => {
    try {
      engine.config({ weights: { acuracy: 1 }, advantage: { estimator: 'ppo' }, colour: 'red', limits: { concurrency: 0 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const paths = (e as ConfigError).fields.map((f) => f.path).sort();
      expect(paths).toEqual(['config.advantage.estimator', 'config.colour', 'config.limits.concurrency', 'config.weights.acuracy']);
      const msg = (e as ConfigError).fields.find((f) => f.path === 'config.advantage.estimator')!.message;
      expect(msg).toContain('"grpo"');
    }
  });

  it('rejects combinations that could never give a reward', () => {
    expect(() => engine.config({ weights: { accuracy: 0, format: 0 } })).toThrow(/config.weights: every weight is 0/);
    expect(() => engine.config({ weights: { length: 1 } })).toThrow(/config.weights.length: is non-zero but length.kind is 'none'/);
    expect(engine.config({ weights: { length: 1 }, length: { kind: 'overlong' } }).length.kind).toBe('overlong');
  });

  it('rejects a config that is not an object', () => {
    expect(() => engine.config([1])).toThrow(/config: must be an object/);
  });

  it('merges request config over the base config of the server', () => {
    const e = new RewardEngine({ baseConfig: { weights: { format: 0.5 }, advantage: { eps: 0 } } });
    expect(e.config().weights.format).toBe(0.5);
    expect(e.config({ weights: { format: 2 } }).weights.format).toBe(2);
    expect(e.config({ weights: { format: 2 } }).advantage.eps).toBe(0);
  });

  it('refuses a bad base config at start-up', () => {
    expect(() => new RewardEngine({ baseConfig: { nope: 1 } })).toThrow(/base config.nope: unknown key/);
  });
});
