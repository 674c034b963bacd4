// The `assert` module of both contexts: the program's own `require('assert')` and the checker's. Runs
// before any program code and leaves a factory on the global, which prelude.js / checker.js take and
// delete. The factory captures the intrinsics it needs when called, and reads Sets, Maps and Dates
// through brand-checked built-in methods (no `instanceof`, no iteration protocol).
Object.defineProperty(globalThis, '__r1_assert', {
  configurable: true,
  value: function makeAssert() {
    'use strict';
    const isArray = Array.isArray;
    const keys = Object.keys;
    const is = Object.is;
    const getProto = Object.getPrototypeOf;
    const hasOwn = Object.hasOwn;
    const apply = Reflect.apply;
    const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
    const setSize = getter(Set.prototype, 'size');
    const mapSize = getter(Map.prototype, 'size');
    const setValues = Set.prototype.values;
    const mapEntries = Map.prototype.entries;
    const setNext = getProto(new Set().values()).next;
    const mapNext = getProto(new Map().entries()).next;
    const dateTime = Date.prototype.getTime;
    const regexSource = getter(RegExp.prototype, 'source');
    const regexFlags = getter(RegExp.prototype, 'flags');
    const regexTest = RegExp.prototype.test;

    /** `f.call(x)` if x has the internal slot `f` needs (a brand check), else undefined */
    const branded = (f, x) => {
      try {
        return { v: apply(f, x, []) };
      } catch {
        return undefined;
      }
    };
    const drain = (it, next) => {
      const out = [];
      for (let r = apply(next, it, []); !r.done; r = apply(next, it, [])) out[out.length] = r.value;
      return out;
    };
    const setList = (s) => drain(apply(setValues, s, []), setNext);
    const mapList = (m) => drain(apply(mapEntries, m, []), mapNext);

    class AssertionError extends Error {}
    AssertionError.prototype.name = 'AssertionError';
    const fail = (msg) => {
      throw new AssertionError(msg);
    };

    /** every x of xs has a partner in ys under eq (each partner used once) */
    function matched(xs, ys, eq) {
      const used = [];
      for (let i = 0; i < xs.length; i++) {
        let found = false;
        for (let j = 0; j < ys.length && !found; j++) {
          if (!used[j] && eq(xs[i], ys[j])) {
            used[j] = true;
            found = true;
          }
        }
        if (!found) return false;
      }
      return true;
    }

    function deepEq(a, b, strict) {
      if (is(a, b)) return true;
      if (!strict && typeof a !== 'object' && typeof b !== 'object' && a == b) return true;
      if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
      if (isArray(a) !== isArray(b)) return false;
      if (strict && getProto(a) !== getProto(b)) return false;
      const sa = branded(setSize, a);
      const sb = branded(setSize, b);
      if (sa || sb) {
        if (!sa || !sb || sa.v !== sb.v) return false;
        return matched(setList(a), setList(b), (x, y) => deepEq(x, y, strict));
      }
      const ma = branded(mapSize, a);
      const mb = branded(mapSize, b);
      if (ma || mb) {
        if (!ma || !mb || ma.v !== mb.v) return false;
        return matched(mapList(a), mapList(b), (x, y) => deepEq(x[0], y[0], true) && deepEq(x[1], y[1], strict));
      }
      const da = branded(dateTime, a);
      const db = branded(dateTime, b);
      if (da || db) {
        if (!da || !db || !is(da.v, db.v)) return false;
      }
      const ra = branded(regexSource, a);
      const rb = branded(regexSource, b);
      if (ra || rb) {
        if (!ra || !rb || ra.v !== rb.v || apply(regexFlags, a, []) !== apply(regexFlags, b, [])) return false;
      }
      const ka = keys(a);
      const kb = keys(b);
      if (ka.length !== kb.length) return false;
      for (let i = 0; i < ka.length; i++) {
        const k = ka[i];
        if (!hasOwn(b, k) || !deepEq(a[k], b[k], strict)) return false;
      }
      return true;
    }

    const assert = (c, m) => {
      if (!c) fail(m || 'assertion failed');
    };
    const throwsOf = (fn) => {
      try {
        fn();
      } catch {
        return true;
      }
      return false;
    };
    Object.assign(assert, {
      ok: assert,
      equal: (a, b, m) => {
        if (!(a == b)) fail(m || 'not equal');
      },
      notEqual: (a, b, m) => {
        if (a == b) fail(m || 'equal');
      },
      strictEqual: (a, b, m) => {
        if (!is(a, b)) fail(m || 'not strictly equal');
      },
      notStrictEqual: (a, b, m) => {
        if (is(a, b)) fail(m || 'strictly equal');
      },
      deepEqual: (a, b, m) => {
        if (!deepEq(a, b, false)) fail(m || 'not deep equal');
      },
      deepStrictEqual: (a, b, m) => {
        if (!deepEq(a, b, true)) fail(m || 'not deep strictly equal');
      },
      notDeepEqual: (a, b, m) => {
        if (deepEq(a, b, false)) fail(m || 'deep equal');
      },
      notDeepStrictEqual: (a, b, m) => {
        if (deepEq(a, b, true)) fail(m || 'deep strictly equal');
      },
      throws: (fn, _e, m) => {
        if (!throwsOf(fn)) fail(typeof _e === 'string' ? _e : m || 'did not throw');
      },
      doesNotThrow: (fn, m) => {
        if (throwsOf(fn)) fail(typeof m === 'string' ? m : 'threw');
      },
      match: (s, re, m) => {
        if (typeof s !== 'string' || !apply(regexTest, re, [s])) fail(m || 'does not match');
      },
      doesNotMatch: (s, re, m) => {
        if (typeof s !== 'string' || apply(regexTest, re, [s])) fail(m || 'matches');
      },
      fail: (m) => fail(m || 'failed'),
      AssertionError,
    });
    assert.strict = assert;
    return { assert, AssertionError };
  },
});
