import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_UID_BASE, JS_UID_OFFSET, SlotPool, sandboxUidBase, UID_SPAN } from '../../src/code/pool.js';
import { inflightShare } from '../../src/service/options.js';

describe('sandbox uid ranges', () => {
  it('R1_SANDBOX_UID_BASE (--sandbox-uid-base) picks the first uid; a bad one is refused, naming the setting', () => {
    expect(sandboxUidBase({})).toBe(DEFAULT_SANDBOX_UID_BASE);
    expect(sandboxUidBase({ R1_SANDBOX_UID_BASE: '70000' })).toBe(70000);
    for (const bad of ['abc', '-5', '999', '1.5', String(2 ** 31)]) {
      expect(() => sandboxUidBase({ R1_SANDBOX_UID_BASE: bad }), bad).toThrow(/R1_SANDBOX_UID_BASE \(--sandbox-uid-base\)/);
    }
  });
  it("a pool's slots and isolate hosts stay inside its range", () => {
    const p = new SlotPool({ size: 3, baseUid: 70000 });
    expect([p.uid(0), p.uid(2)]).toEqual([70000, 70002]);
    expect(new SlotPool({ size: UID_SPAN, baseUid: 70000 }).size).toBe(JS_UID_OFFSET);
  });
});

describe('--max-inflight over --workers', () => {
  it('each worker admits its share, so the whole service never admits more than the bound', () => {
    expect(inflightShare({ maxInflight: 256, workers: 1 })).toBe(256);
    expect(inflightShare({ maxInflight: 256, workers: 2 })).toBe(128);
    expect(inflightShare({ maxInflight: 5, workers: 2 })).toBe(2);
    expect(inflightShare({ maxInflight: 1, workers: 4 })).toBe(1);
  });
});
