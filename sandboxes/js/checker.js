// Runs first in every fresh context of the checker isolate, right after assert.js. The task's test code
// runs here, never in the program's isolate: the program cannot reach one object of this context, so
// every built-in the tests use (iterators, Array.prototype, Math, JSON, Set, assert) is the real one.
// The program's names resolve lazily through the global's prototype; its functions and objects are
// stand-ins whose calls go through the host (bridge.mjs); values cross both ways as copies.
(function () {
  'use strict';
  const g = globalThis;
  const host = g.__r1_host;
  delete g.__r1_host;
  const { assert, AssertionError } = g.__r1_assert();
  delete g.__r1_assert;
  const F = Function;
  const keys = Object.keys;
  const isArray = Array.isArray;
  const hasOwn = Object.hasOwn;
  const getProto = Object.getPrototypeOf;
  const defineProperty = Object.defineProperty;
  const ObjProto = Object.prototype;
  const apply = Reflect.apply;
  const promiseThen = Promise.prototype.then;
  const IDENT = /^[A-Za-z_$][\w$]*$/;

  const noop = () => undefined;
  const consoleShim = { log: noop, info: noop, error: noop, warn: noop, debug: noop, assert: (c, m) => assert(c, m) };
  const modules = { assert, 'node:assert': assert, 'assert/strict': assert, 'node:assert/strict': assert };
  const requireShim = (name) => {
    if (hasOwn(modules, name)) return modules[name];
    throw new Error(`Cannot find module '${name}' (the test code has assert only)`);
  };
  // the checker's own names always win over the program's
  defineProperty(g, 'assert', { value: assert, writable: true, configurable: true });
  defineProperty(g, 'require', { value: requireShim, writable: true, configurable: true });

  /** a failure of the program's run (timeout, memory, exit): the host decides the verdict */
  class Abort {
    constructor(message) {
      this.message = message;
    }
  }
  const ERRORS = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };
  function errorOf(r) {
    const C = hasOwn(ERRORS, r.name) ? ERRORS[r.name] : Error;
    const e = new C(r.message);
    if (C === Error && r.name !== 'Error') e.name = r.name;
    return e;
  }
  function reply(r) {
    if (r.t === 'abort') throw new Abort(r.message);
    if (r.t === 'throw') throw errorOf(r);
    return r;
  }

  const ids = new WeakMap(); // stand-in -> handle
  const standIns = new Map(); // handle -> stand-in
  const RemoteProto = Object.freeze(Object.create(null));
  const arg = (x) => {
    const h = ids.get(x);
    return h === undefined ? { v: x } : { r: h };
  };
  function val(d) {
    switch (d.t) {
      case 'v':
        return d.v;
      case 'sym':
        return Symbol('a symbol of the program');
      case 'f':
      case 'o':
        return standIn(d.h, d.t === 'f');
      case 'p':
        if (d.pending) return new Promise(noop);
        return d.ok ? Promise.resolve(val(d.v)) : Promise.reject(errorOf(d.err));
      default:
        throw new Error('bad bridge reply');
    }
  }
  const isPlain = (x) => x !== null && typeof x === 'object' && (getProto(x) === ObjProto || getProto(x) === null);
  /** the program changed an array or object argument in place: mirror the change on the checker's value */
  function refill(mine, theirs) {
    if (isArray(mine) && isArray(theirs)) {
      mine.length = 0;
      for (let i = 0; i < theirs.length; i++) mine[i] = theirs[i];
    } else if (isPlain(mine) && isPlain(theirs)) {
      for (const k of keys(mine)) delete mine[k];
      for (const k of keys(theirs)) mine[k] = theirs[k];
    }
  }
  const unchanged = (mine, theirs) => isArray(mine) && isArray(theirs) && mine.length === theirs.length && mine.every((x, i) => Object.is(x, theirs[i]));
  function call(h, mode, self, args) {
    const r = reply(host('call', h, mode, self === undefined || !ids.has(self) ? null : arg(self), args.map(arg)));
    for (let i = 0; i < args.length; i++) {
      if (!r.after[i] || unchanged(args[i], r.after[i].v)) continue;
      try {
        refill(args[i], r.after[i].v);
      } catch {
        /* a frozen argument stays as it was */
      }
    }
    return val(r.r);
  }
  function standIn(h, fn) {
    const known = standIns.get(h);
    if (known) return known;
    const target = fn ? function () {} : {};
    const s = new Proxy(target, {
      apply: (_t, self, args) => call(h, 'call', self, args),
      construct: (_t, args) => call(h, 'new', undefined, args),
      get: (t, k) => (typeof k === 'symbol' ? undefined : val(reply(host('get', h, k)).r)),
      set: (_t, k, v) => typeof k !== 'symbol' && reply(host('set', h, k, arg(v))).r,
      has: (_t, k) => typeof k !== 'symbol' && reply(host('has', h, k)).r,
      deleteProperty: (_t, k) => typeof k !== 'symbol' && reply(host('del', h, k)).r,
      ownKeys: () => {
        const ks = reply(host('keys', h)).r;
        if (fn && !ks.includes('prototype')) ks.push('prototype');
        return ks;
      },
      getOwnPropertyDescriptor: (t, k) => {
        if (fn && k === 'prototype') return Reflect.getOwnPropertyDescriptor(t, k);
        if (typeof k === 'symbol' || !reply(host('own', h, k)).r) return undefined;
        return { value: val(reply(host('get', h, k)).r), writable: true, enumerable: true, configurable: true };
      },
      getPrototypeOf: () => (fn ? F.prototype : RemoteProto),
      setPrototypeOf: () => false,
      defineProperty: () => false,
      preventExtensions: () => false,
    });
    ids.set(s, h);
    standIns.set(h, s);
    return s;
  }

  // The program's global names: looked up (through the host) the first time the test code uses one.
  const resolved = new Map();
  const names = new Proxy(ObjProto, {
    has(t, k) {
      if (typeof k !== 'string' || k in t) return k in t;
      if (!resolved.has(k)) {
        if (!IDENT.test(k)) return false;
        const r = reply(host('resolve', k));
        resolved.set(k, r.none ? undefined : { v: val(r.r) });
      }
      return resolved.get(k) !== undefined;
    },
    get(t, k, recv) {
      if (typeof k !== 'string' || k in t || !resolved.get(k)) return Reflect.get(t, k, recv);
      return resolved.get(k).v;
    },
  });
  Object.setPrototypeOf(g, names);

  const msgOf = (e) => String(e && e.message !== undefined ? e.message : e).slice(0, 300);
  function verdictOf(e) {
    if (e instanceof Abort) return `abort:${e.message}`;
    if (e instanceof AssertionError) return `wrong_answer:${msgOf(e)}`;
    return `runtime_error:${msgOf(e)}`;
  }
  let test = null;
  let outcome = null;
  const api = {
    /** compiles the tests; '' or why not (the task's fault, checked before the program runs) */
    prepare: (src, entry) => {
      try {
        test = new F('require', 'console', `"use strict";\n${src}\n;${entry ? `return check(${entry});` : ''}`);
        return '';
      } catch (e) {
        return msgOf(e);
      }
    },
    /** only a normal return (or a fulfilled promise) of the test code is a pass */
    run: () => {
      let r;
      try {
        r = test(requireShim, consoleShim);
      } catch (e) {
        return verdictOf(e);
      }
      try {
        apply(promiseThen, r, [() => (outcome = 'passed'), (e) => (outcome = verdictOf(e))]);
      } catch {
        return 'passed'; // not a promise
      }
      return 'pending';
    },
    /** after the microtasks ran: how a promise the tests returned ended */
    outcome: () => outcome ?? 'runtime_error:the promise returned by the tests never settled',
  };
  defineProperty(g, '__r1c', { value: Object.freeze(api), writable: false, configurable: false, enumerable: false });
})();
