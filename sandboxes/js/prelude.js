// Runs first in every fresh isolated-vm context, before the candidate's program. Nothing from the host
// is reachable: the only inputs are two copied strings (stdin, limits). It installs Node-like shims
// (console, process, require of fs/readline/assert) written in plain JS, and four non-writable,
// non-configurable entry points the host calls; their helpers are captured here, before the candidate
// can replace any global or prototype.
(function () {
  'use strict';
  const g = globalThis;
  const cfg = JSON.parse(g.__r1_cfg);
  delete g.__r1_cfg;
  const F = Function;
  const isArray = Array.isArray;
  const keys = Object.keys;
  const is = Object.is;
  const getProto = Object.getPrototypeOf;
  const ObjProto = Object.prototype;
  const JSONstringify = JSON.stringify;
  const defineProperty = Object.defineProperty;
  const SetCtor = Set;
  const MapCtor = Map;
  const setValues = Set.prototype.values;
  const mapEntries = Map.prototype.entries;
  const ArrayFrom = Array.from;
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
  class AssertionError extends Error {}
  AssertionError.prototype.name = 'AssertionError';
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
  function fail(msg) { throw new AssertionError(msg); }
  function deepEq(a, b, strict) {
    if (is(a, b)) return true;
    if (!strict && typeof a !== 'object' && typeof b !== 'object' && a == b) return true;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
    if (isArray(a) !== isArray(b)) return false;
    if (strict && getProto(a) !== getProto(b)) return false;
    if (a instanceof SetCtor || b instanceof SetCtor) {
      if (!(a instanceof SetCtor && b instanceof SetCtor) || a.size !== b.size) return false;
      const bs = ArrayFrom(apply(setValues, b, []));
      return ArrayFrom(apply(setValues, a, [])).every((x) => bs.some((y) => deepEq(x, y, strict)));
    }
    if (a instanceof MapCtor || b instanceof MapCtor) {
      if (!(a instanceof MapCtor && b instanceof MapCtor) || a.size !== b.size) return false;
      const bm = ArrayFrom(apply(mapEntries, b, []));
      return ArrayFrom(apply(mapEntries, a, [])).every(([k, v]) => bm.some(([k2, v2]) => deepEq(k, k2, true) && deepEq(v, v2, strict)));
    }
    const ka = keys(a);
    const kb = keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!hasOwn(b, k) || !deepEq(a[k], b[k], strict)) return false;
    return true;
  }
  const assert = (c, m) => { if (!c) fail(m || 'assertion failed'); };
  Object.assign(assert, {
    ok: assert,
    equal: (a, b, m) => { if (!(a == b)) fail(m || 'not equal'); },
    notEqual: (a, b, m) => { if (a == b) fail(m || 'equal'); },
    strictEqual: (a, b, m) => { if (!is(a, b)) fail(m || 'not strictly equal'); },
    notStrictEqual: (a, b, m) => { if (is(a, b)) fail(m || 'strictly equal'); },
    deepEqual: (a, b, m) => { if (!deepEq(a, b, false)) fail(m || 'not deep equal'); },
    deepStrictEqual: (a, b, m) => { if (!deepEq(a, b, true)) fail(m || 'not deep strictly equal'); },
    notDeepEqual: (a, b, m) => { if (deepEq(a, b, false)) fail(m || 'deep equal'); },
    notDeepStrictEqual: (a, b, m) => { if (deepEq(a, b, true)) fail(m || 'deep strictly equal'); },
    throws: (fn, _e, m) => { try { fn(); } catch { return; } fail(m || 'did not throw'); },
    fail: (m) => fail(m || 'failed'),
    AssertionError,
  });
  assert.strict = assert;
  const fs = { readFileSync: (p) => { if (p === 0 || p === '/dev/stdin' || p === 'stdin') return cfg.stdin; throw new Error('ENOENT: no filesystem'); } };
  const modules = { fs, 'node:fs': fs, readline: { createInterface: readline }, 'node:readline': { createInterface: readline }, assert, 'node:assert': assert, 'assert/strict': assert, 'node:assert/strict': assert };
  const requireShim = (name) => {
    if (hasOwn(modules, name)) return modules[name];
    throw new Error(`Cannot find module '${name}' (no host modules in the sandbox)`);
  };
  g.require = requireShim;
  g.module = { exports: {} };
  g.exports = g.module.exports;

  function encode(x, depth) {
    if (depth > 100) return { $t: 'other', v: 'too deep' };
    if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
    if (x === undefined) return { $t: 'undefined' };
    if (typeof x === 'number') return Number.isFinite(x) ? x : { $t: 'float', v: x !== x ? 'nan' : x > 0 ? 'inf' : '-inf' };
    if (typeof x === 'bigint') return { $t: 'int', v: String(x) };
    if (isArray(x)) return { $t: 'list', v: ArrayFrom(x, (e) => encode(e, depth + 1)) };
    if (x instanceof SetCtor) return { $t: 'set', v: ArrayFrom(apply(setValues, x, []), (e) => encode(e, depth + 1)) };
    if (x instanceof MapCtor) return { $t: 'dict', v: ArrayFrom(apply(mapEntries, x, []), ([k, v]) => [encode(k, depth + 1), encode(v, depth + 1)]) };
    if (typeof x === 'object' && (getProto(x) === ObjProto || getProto(x) === null)) {
      return { $t: 'dict', v: keys(x).map((k) => [k, encode(x[k], depth + 1)]) };
    }
    return { $t: 'other', v: typeof x };
  }
  function drain() {
    if (handlers.data.length) { for (const cb of handlers.data) cb(cfg.stdin); }
    for (const cb of handlers.end) cb();
    if (handlers.line.length) { for (const l of lines) for (const cb of handlers.line) cb(l); }
    for (const cb of handlers.close) cb();
    for (let i = 0; i < macrotasks.length; i++) macrotasks[i]();
  }
  const lookup = new F('name', '"use strict"; return eval(name);');
  const entry = (name) => {
    let f;
    const parts = name.split('.');
    try { f = lookup(parts[0]); } catch { f = g.module && g.module.exports ? g.module.exports[parts[0]] : undefined; }
    if (parts.length === 2 && typeof f === 'function') { const obj = new f(); f = obj[parts[1]].bind(obj); }
    if (typeof f !== 'function') throw new ReferenceError(`${name} is not a function defined by the program`);
    return f;
  };
  const api = {
    drain,
    output: () => out.join(''),
    overflow: () => overflow,
    exited: () => exited,
    call: (name, argsJson) => {
      const r = entry(name)(...JSON.parse(argsJson));
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') return r.then((v) => JSONstringify(encode(v, 0)));
      return JSONstringify(encode(r, 0));
    },
    // only a normal return of the test function is a pass; the verdict string is built here, not by the program
    test: (src, entryPoint) => {
      let fn;
      try {
        fn = new F('require', 'console', `"use strict";\n${src}\n;${entryPoint ? `check(${entryPoint});` : ''}`);
      } catch (e) {
        return `bad_tests:${msgOf(e)}`;
      }
      try {
        fn(requireShim, consoleShim);
        return 'passed';
      } catch (e) {
        if (e instanceof AssertionError) return `wrong_answer:${msgOf(e)}`;
        if (e instanceof ExitSignal) return 'runtime_error:process.exit() called during the tests';
        return `runtime_error:${msgOf(e)}`;
      }
    },
  };
  defineProperty(g, '__r1', { value: Object.freeze(api), writable: false, configurable: false, enumerable: false });
})();
