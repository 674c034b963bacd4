// The host's side of the program's context (prelude.js `__r1`): every value leaves it as a structured-clone
// copy made by isolated-vm in C++ (no iterator, getter on a prototype, `toJSON` or `valueOf` of the
// program takes part), and the comparisons happen elsewhere: call results are encoded here and compared
// by the service; assertion tests run in the checker context (checker.js), whose requests land in
// `serve`. A run failure of the program (timeout, memory, process.exit) is sticky: the host remembers
// it and the checker only sees an abort.
const COPY = { arguments: { copy: true }, result: { copy: true } };

export class Bridge {
  /** @param {import('isolated-vm').Context} ctx the program's context  @param {() => number} left ms left of the test */
  constructor(ctx, iso, left) {
    this.iso = iso;
    this.left = left;
    /** @type {{ verdict: string, message: string } | null} */
    this.failure = null;
    this.api = ctx.global.getSync('__r1', { reference: true });
    this.fns = new Map(); // references to the entry points, fetched when first used
  }

  /** calls entry point `fn` of `__r1` with copies of `args`; throws when the program's isolate failed */
  ask(fn, ...args) {
    let ref = this.fns.get(fn);
    if (!ref) this.fns.set(fn, (ref = this.api.getSync(fn, { reference: true })));
    return ref.applySync(undefined, args, { ...COPY, timeout: this.left() });
  }

  /** A call test's result as the service's typed JSON (values.ts), or the failure. */
  callTest(name, argsJson) {
    const r = this.ask('call', name, argsJson);
    if (r.exit !== undefined) return { verdict: 'runtime_error', message: `process.exit(${r.exit}) during the call` };
    if (r.err) return { verdict: 'runtime_error', message: `${r.err.name}: ${r.err.message}` };
    const v = this.value(r.ok);
    if (v.t === 'p' && v.pending) return { verdict: 'timeout', message: 'the returned promise never settled' };
    if (v.t === 'p' && !v.ok) return { verdict: 'runtime_error', message: `${v.err.name}: ${v.err.message}` };
    return { verdict: null, value: JSON.stringify(wire(v.t === 'p' ? v.v : v)) };
  }

  /** A boxed value of the program (prelude `box`) as the checker will see it: a copy, or a handle. */
  value(b) {
    if ('p' in b) return { t: 'v', v: b.p };
    if (b.sym) return { t: 'sym' };
    if (b.f) return { t: 'f', h: b.h };
    if (b.pr) {
      const s = this.ask('settled', b.h);
      if (s.s === 'pending') return { t: 'p', pending: true };
      if (s.s === 'err') return { t: 'p', ok: false, err: { name: s.name, message: s.message } };
      return { t: 'p', ok: true, v: this.value(s.b) };
    }
    if (b.d) {
      try {
        return { t: 'v', v: this.ask('take', b.h) };
      } catch (e) {
        if (!/could not be cloned/.test(String(e && e.message))) throw e;
      }
    }
    return { t: 'o', h: b.h };
  }

  /** The checker's requests (a synchronous ivm.Callback): its arguments and this reply cross as copies. */
  serve(op, h, ...rest) {
    if (this.failure) return { t: 'abort', message: this.failure.message };
    try {
      const r = this.op(op, h, rest);
      if (r.exit !== undefined) return this.fail('runtime_error', `process.exit(${r.exit}) during the tests`);
      if (r.err) return { t: 'throw', name: r.err.name, message: r.err.message };
      return r;
    } catch (e) {
      const m = String((e && e.message) || e);
      if (this.iso.isDisposed || /memory limit|allocation failed/i.test(m)) return this.fail('memory_limit', m.slice(0, 300));
      if (/Script execution timed out/.test(m)) return this.fail('timeout', 'time limit exceeded');
      return { t: 'throw', name: 'TypeError', message: `the program's value cannot be passed to the tests: ${m.slice(0, 200)}` };
    }
  }

  op(op, h, rest) {
    switch (op) {
      case 'resolve': {
        const r = this.ask('resolve', h);
        return r.none ? { none: true } : { r: this.value(r) };
      }
      case 'call': {
        const [mode, self, args] = rest;
        const r = this.ask('invoke', h, mode, self, args);
        if (!r.ok) return r;
        const after = r.after.map((ah) => {
          if (ah < 0) return null;
          try {
            return { v: this.ask('take', ah) };
          } catch {
            return null;
          }
        });
        return { r: this.value(r.ok), after };
      }
      case 'get': {
        const r = this.ask('get', h, rest[0]);
        return r.ok ? { r: this.value(r.ok) } : r;
      }
      case 'set':
      case 'has':
      case 'own':
      case 'keys':
      case 'del': {
        const r = this.ask(op, h, ...rest);
        return 'ok' in r ? { r: r.ok } : r;
      }
      default:
        return { t: 'throw', name: 'Error', message: `unknown bridge request ${op}` };
    }
  }

  fail(verdict, message) {
    this.failure ??= { verdict, message };
    return { t: 'abort', message };
  }
}

/** A copied value as the service's typed JSON (src/code/values.ts). */
function wire(v) {
  if (v.t === 'f') return { $t: 'other', v: 'function' };
  if (v.t === 'o') return { $t: 'other', v: 'object' };
  if (v.t === 'sym') return { $t: 'other', v: 'symbol' };
  return encode(v.v, 0);
}

function encode(x, depth) {
  if (depth > 100) return { $t: 'other', v: 'too deep' };
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
  if (x === undefined) return { $t: 'undefined' };
  if (typeof x === 'number') return Number.isFinite(x) ? x : { $t: 'float', v: Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf' };
  if (typeof x === 'bigint') return { $t: 'int', v: String(x) };
  if (Array.isArray(x)) return { $t: 'list', v: Array.from(x, (e) => encode(e, depth + 1)) };
  if (x instanceof Set) return { $t: 'set', v: Array.from(x, (e) => encode(e, depth + 1)) };
  if (x instanceof Map) return { $t: 'dict', v: Array.from(x, ([k, e]) => [encode(k, depth + 1), encode(e, depth + 1)]) };
  const proto = Object.getPrototypeOf(x);
  if (typeof x === 'object' && (proto === Object.prototype || proto === null)) return { $t: 'dict', v: Object.keys(x).map((k) => [k, encode(x[k], depth + 1)]) };
  return { $t: 'other', v: typeof x };
}
