// Runs first in every fresh isolated-vm context of the program, right after assert.js and before the
// program. Nothing from the host is reachable: the only inputs are copied strings (stdin, limits). It
// installs Node-like shims (console, process, require of fs/readline/assert) written in plain JS, and one
// frozen, non-configurable entry point `__r1` the host calls; its helpers are captured here, before the
// program can replace any global or prototype. Nothing here decides a verdict: values leave this
// context only as copies (bridge.mjs), and assertion tests run in a checker context of their own.
(function () {
  'use strict';
  const g = globalThis;
  const cfg = JSON.parse(g.__r1_cfg);
  delete g.__r1_cfg;
  const F = Function;
  const isArray = Array.isArray;
  const keys = Object.keys;
  const getProto = Object.getPrototypeOf;
  const ObjProto = Object.prototype;
  const defineProperty = Object.defineProperty;
  const SetCtor = Set;
  const MapCtor = Map;
  const hasOwn = Object.hasOwn;
  const apply = Reflect.apply;
  const push = (a, x) => { a[a.length] = x; };

  const out = [];
  let outLen = 0;
  let overflow = false;
  let exited = null;
  class ExitSignal {
    constructor(code) { this.code = code; }
  }
  function write(s) {
    s = String(s);
    outLen += s.length;
    if (outLen > cfg.outputBytes) {
      overflow = true;
      throw new RangeError('output limit exceeded');
    }
    push(out, s);
  }
  function show(x, depth) {
    if (typeof x === 'string') return depth ? `'${x}'` : x;
    if (typeof x === 'bigint') return `${x}n`;
    if (x === null || typeof x !== 'object') return String(x);
    if (depth > 2) return isArray(x) ? '[Array]' : '[Object]';
    if (isArray(x)) return x.length ? `[ ${x.map((e) => show(e, depth + 1)).join(', ')} ]` : '[]';
    const ks = keys(x);
    return ks.length ? `{ ${ks.map((k) => `${k}: ${show(x[k], depth + 1)}`).join(', ')} }` : '{}';
  }
  const line = (args) => args.map((a) => show(a, 0)).join(' ') + '\n';
  const noop = () => undefined;
  const { assert, AssertionError } = g.__r1_assert();
  delete g.__r1_assert;
  const msgOf = (e) => { try { return String(e && e.message !== undefined ? e.message : e).slice(0, 300); } catch { return '?'; } };
  const consoleShim = {
    log: (...a) => write(line(a)),
    info: (...a) => write(line(a)),
    error: noop,
    warn: noop,
    debug: noop,
    assert: (c, ...m) => { if (!c) throw new AssertionError(m.length ? line(m) : 'Assertion failed'); },
  };
  g.console = consoleShim;

  // stdin delivery: handlers registered by the program, called after it has run
  const lines = cfg.stdin.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const handlers = { data: [], end: [], line: [], close: [] };
  const macrotasks = [];
  const stdin = {
    on(ev, cb) { if (handlers[ev === 'readable' ? 'data' : ev]) push(handlers[ev === 'readable' ? 'data' : ev], cb); return stdin; },
    once(ev, cb) { return stdin.on(ev, cb); },
    setEncoding: noop, resume: noop, pause: noop,
    read: () => null,
    fd: 0,
  };
  g.process = {
    argv: ['node', 'main.js'],
    env: {},
    platform: 'linux',
    exitCode: undefined,
    stdout: { write: (s) => { write(s); return true; } },
    stderr: { write: () => true },
    stdin,
    exit: (code) => { exited = code === undefined ? 0 : Number(code) | 0; throw new ExitSignal(exited); },
    nextTick: (fn, ...a) => { Promise.resolve().then(() => fn(...a)); },
    hrtime: Object.assign(() => [0, 0], { bigint: () => 0n }),
    memoryUsage: () => ({ heapUsed: 0, rss: 0 }),
  };
  g.setTimeout = g.setImmediate = (fn, _ms, ...a) => { push(macrotasks, () => fn(...a)); return macrotasks.length; };
  g.clearTimeout = g.clearImmediate = noop;
  g.queueMicrotask = (fn) => { Promise.resolve().then(() => fn()); };
  g.setInterval = () => { throw new Error('setInterval is not available'); };

  function readline() {
    const rl = {
      on(ev, cb) { if (ev === 'line' || ev === 'close') push(handlers[ev], cb); return rl; },
      once(ev, cb) { return rl.on(ev, cb); },
      close: noop, question: (_q, cb) => push(macrotasks, () => cb(lines.length ? lines.shift() : '')),
      [Symbol.asyncIterator]: async function* () { for (const l of lines) yield l; },
    };
    return rl;
  }
  const fs = { readFileSync: (p) => { if (p === 0 || p === '/dev/stdin' || p === 'stdin') return cfg.stdin; throw new Error('ENOENT: no filesystem'); } };
  const modules = { fs, 'node:fs': fs, readline: { createInterface: readline }, 'node:readline': { createInterface: readline }, assert, 'node:assert': assert, 'assert/strict': assert, 'node:assert/strict': assert };
  const requireShim = (name) => {
    if (hasOwn(modules, name)) return modules[name];
    throw new Error(`Cannot find module '${name}' (no host modules in the sandbox)`);
  };
  g.require = requireShim;
  g.module = { exports: {} };
  g.exports = g.module.exports;

  function drain() {
    if (handlers.data.length) { for (const cb of handlers.data) cb(cfg.stdin); }
    for (const cb of handlers.end) cb();
    if (handlers.line.length) { for (const l of lines) for (const cb of handlers.line) cb(l); }
    for (const cb of handlers.close) cb();
    for (let i = 0; i < macrotasks.length; i++) macrotasks[i]();
  }
  // ---- the bridge (see bridge.mjs): the host reads the program's values out of here as copies ----
  // A value the host asks about is held under a number: one per object, so identity survives.
  const held = new MapCtor();
  const heldIds = new MapCtor();
  const mapGet = MapCtor.prototype.get;
  const mapSet = MapCtor.prototype.set;
  const mapHas = MapCtor.prototype.has;
  const construct = Reflect.construct;
  const JSONparse = JSON.parse;
  const promiseThen = Promise.prototype.then;
  let nextHandle = 0;
  function hold(x) {
    if (apply(mapHas, heldIds, [x])) return apply(mapGet, heldIds, [x]);
    const h = nextHandle++;
    apply(mapSet, held, [h, x]);
    apply(mapSet, heldIds, [x, h]);
    return h;
  }
  const at = (h) => apply(mapGet, held, [h]);
  // prototypes of values that travel as data (structured clone); anything else stays here, by reference
  const typedProto = getProto(Uint8Array.prototype);
  const errorProto = Error.prototype;
  const DATA = [ObjProto, Array.prototype, SetCtor.prototype, MapCtor.prototype, Date.prototype, RegExp.prototype, Boolean.prototype,
    Number.prototype, String.prototype, ArrayBuffer.prototype, DataView.prototype, errorProto];
  function isData(x) {
    let p;
    try { p = getProto(x); } catch { return false; }
    if (p === null) return true;
    for (let i = 0; i < DATA.length; i++) if (DATA[i] === p) return true;
    try { const pp = getProto(p); return pp === typedProto || pp === errorProto; } catch { return false; }
  }
  /** what the host needs to know about a value: a primitive itself, or a handle and how it may travel */
  function box(x) {
    const t = typeof x;
    if (t === 'symbol') return { sym: 1 };
    if (x === null || (t !== 'object' && t !== 'function')) return { p: x };
    if (t === 'function') return { h: hold(x), f: 1 };
    // a native promise (brand check): its outcome is recorded once the microtasks have run
    const rec = { __proto__: null, s: 'pending', v: undefined };
    try {
      apply(promiseThen, x, [(v) => { rec.s = 'ok'; rec.v = v; }, (e) => { rec.s = 'err'; rec.v = e; }]);
      return { h: hold(rec), pr: 1 };
    } catch { /* not a promise */ }
    return isData(x) ? { h: hold(x), d: 1 } : { h: hold(x) };
  }
  const nameOf = (e) => { try { return String(e && e.name).slice(0, 40); } catch { return 'Error'; } };
  /** an exception of the program, as strings; process.exit() is reported as such */
  const thrown = (e, exitBefore) => (exited !== null && exitBefore === null ? { exit: exited } : { err: { name: nameOf(e), message: msgOf(e) } });
  const unArg = (a) => (hasOwn(a, 'r') ? at(a.r) : a.v);
  const lookup = (name) => new F(`"use strict"; return (${name});`)();
  /** `name`, `name.method` or `Name().method` as the program defines it (a global binding, else a CommonJS export) */
  const entry = (name) => {
    let f;
    const parts = name.split('.');
    const first = parts[0].endsWith('()') ? parts[0].slice(0, -2) : parts[0];
    try { f = lookup(first); } catch { f = g.module && g.module.exports ? g.module.exports[first] : undefined; }
    if (parts.length === 2 && typeof f === 'function') { const obj = new f(); f = obj[parts[1]].bind(obj); }
    if (typeof f !== 'function') throw new ReferenceError(`${name} is not a function defined by the program`);
    return f;
  };
  const guarded = (fn) => {
    const before = exited;
    try { return { ok: fn() }; } catch (e) { return thrown(e, before); }
  };
  const api = {
    drain,
    output: () => out.join(''),
    overflow: () => overflow,
    exited: () => exited,
    /** a call test: the result is boxed; the host copies it out and encodes it itself */
    call: (name, argsJson) => guarded(() => box(apply(entry(name), undefined, JSONparse(argsJson)))),
    /** a global name of the program, for the checker */
    resolve: (name) => {
      let v;
      try { v = lookup(name); } catch {
        try {
          const ex = g.module && g.module.exports;
          if (!ex || !hasOwn(ex, name)) return { none: 1 };
          v = ex[name];
        } catch { return { none: 1 }; }
      }
      return box(v);
    },
    /** calls held function `h` with copied arguments (or held values); object arguments come back as handles so the checker can see in-place changes */
    invoke: (h, mode, self, args) => {
      const a = [];
      for (let i = 0; i < args.length; i++) defineProperty(a, i, { value: unArg(args[i]), writable: true, enumerable: true, configurable: true });
      const r = guarded(() => box(mode === 'new' ? construct(at(h), a) : apply(at(h), self === null ? undefined : unArg(self), a)));
      if (hasOwn(r, 'ok')) {
        const after = [];
        for (let i = 0; i < args.length; i++) {
          const v = hasOwn(args[i], 'v') ? args[i].v : null;
          defineProperty(after, i, { value: v !== null && typeof v === 'object' ? hold(a[i]) : -1, enumerable: true });
        }
        defineProperty(r, 'after', { value: after, enumerable: true });
      }
      return r;
    },
    get: (h, key) => guarded(() => box(at(h)[key])),
    set: (h, key, v) => guarded(() => { at(h)[key] = unArg(v); return true; }),
    has: (h, key) => guarded(() => key in at(h)),
    own: (h, key) => guarded(() => hasOwn(at(h), key)),
    keys: (h) => guarded(() => keys(at(h))),
    del: (h, key) => guarded(() => delete at(h)[key]),
    /** the held value itself: the host asks for it as a copy */
    take: (h) => at(h),
    settled: (h) => {
      const rec = at(h);
      if (rec.s === 'pending') return { s: 'pending' };
      return rec.s === 'ok' ? { s: 'ok', b: box(rec.v) } : { s: 'err', name: nameOf(rec.v), message: msgOf(rec.v) };
    },
  };
  defineProperty(g, '__r1', { value: Object.freeze(api), writable: false, configurable: false, enumerable: false });
})();
