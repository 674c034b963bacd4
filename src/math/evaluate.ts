// Two evaluators over the answer tree. `exact` gives a BigInt rational or null (irrational, symbolic, or too
// big to compute cheaply: every power and factorial is size-checked first). `approx` gives a complex double at a
// variable assignment; it never loops and overflows to Infinity instead of hanging.
import type { Node } from './ast.js';
import * as Q from './rational.js';

/** Results bigger than this many bits are not computed exactly (the comparison falls back to structure). */
export const MAX_EXACT_BITS = 1 << 17;
/** 2006! is fine; 10^6! is not computed. */
export const MAX_EXACT_FACTORIAL = 5000n;

// exact values are asked for again by fold() at every level: remember them per node (trees are immutable)
const memo = new WeakMap<Node, Q.Rational | null>();

export function exact(n: Node): Q.Rational | null {
  if (n.t === 'num') return n.v;
  const hit = memo.get(n);
  if (hit !== undefined) return hit;
  const v = exactUncached(n);
  memo.set(n, v);
  return v;
}

function exactUncached(n: Node): Q.Rational | null {
  switch (n.t) {
    case 'num':
      return n.v;
    case 'neg': {
      const a = exact(n.a);
      return a && Q.neg(a);
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div': {
      const a = exact(n.a);
      if (!a) return null;
      const b = exact(n.b);
      if (!b) return null;
      if (Q.bits(a) + Q.bits(b) > MAX_EXACT_BITS) return null;
      return n.t === 'add' ? Q.add(a, b) : n.t === 'sub' ? Q.sub(a, b) : n.t === 'mul' ? Q.mul(a, b) : Q.div(a, b);
    }
    case 'pow': {
      const a = exact(n.a);
      if (!a) return null;
      const b = exact(n.b);
      if (!b) return null;
      if (b.d === 1n) return Q.pow(a, b.n, MAX_EXACT_BITS);
      // 8^{2/3}: exact only when the root is
      if (b.d === 2n) {
        const r = Q.sqrtExact(a);
        return r && Q.pow(r, b.n, MAX_EXACT_BITS);
      }
      return null;
    }
    case 'fn':
      return exactFn(n.name, n.args);
    default:
      return null;
  }
}

function exactFn(name: string, args: Node[]): Q.Rational | null {
  const a = args[0] ? exact(args[0]) : null;
  if (!a) return null;
  switch (name) {
    case 'sqrt':
      return Q.sqrtExact(a);
    case 'abs':
      return a.n < 0n ? Q.neg(a) : a;
    case 'floor':
    case 'ceil': {
      let q = a.n / a.d;
      if (a.n < 0n && q * a.d !== a.n) q -= 1n; // BigInt division truncates toward zero
      if (name === 'ceil' && q * a.d !== a.n) q += 1n;
      return Q.rat(q);
    }
    case 'fact': {
      if (a.d !== 1n) return null;
      const f = Q.factorial(a.n, MAX_EXACT_FACTORIAL);
      return f === null ? null : Q.rat(f);
    }
    case 'binom': {
      const b = args[1] ? exact(args[1]) : null;
      if (!b || a.d !== 1n || b.d !== 1n || a.n > MAX_EXACT_FACTORIAL * 4n) return null;
      let k = b.n;
      if (k < 0n || k > a.n) return a.n >= 0n ? Q.ZERO : null;
      if (k > a.n - k) k = a.n - k;
      let r = 1n;
      for (let j = 1n; j <= k; j++) r = (r * (a.n - k + j)) / j;
      return Q.rat(r);
    }
    default:
      return null;
  }
}

export type C = [number, number];

const cadd = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const csub = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
const cmul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
function cdiv(a: C, b: C): C {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
}
function cexp(a: C): C {
  const r = Math.exp(a[0]);
  return a[1] === 0 ? [r, 0] : [r * Math.cos(a[1]), r * Math.sin(a[1])];
}
function clog(a: C): C {
  return [Math.log(Math.hypot(a[0], a[1])), Math.atan2(a[1], a[0])];
}
function cpow(a: C, b: C): C {
  if (a[1] === 0 && b[1] === 0 && (a[0] >= 0 || Number.isInteger(b[0]))) return [Math.pow(a[0], b[0]), 0];
  if (a[0] === 0 && a[1] === 0) return [0, 0];
  return cexp(cmul(b, clog(a)));
}
function csqrt(a: C): C {
  if (a[1] === 0) return a[0] >= 0 ? [Math.sqrt(a[0]), 0] : [0, Math.sqrt(-a[0])];
  return cpow(a, [0.5, 0]);
}
const NAN: C = [NaN, NaN];

function gamma(x: number): number {
  // Lanczos; only used for factorials of non-integers or beyond exact range
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const g = 7;
  const p = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let a = p[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += p[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}

function factorialC(a: C): C {
  if (a[1] !== 0) return NAN;
  const x = a[0];
  if (Number.isInteger(x)) {
    if (x < 0) return NAN;
    if (x > 170) return [Infinity, 0];
    let r = 1;
    for (let k = 2; k <= x; k++) r *= k;
    return [r, 0];
  }
  return [gamma(x + 1), 0];
}

/** Complex double value of `n` with variables from `env` (missing ones are NaN). Matrices etc. give NaN. */
export function approx(n: Node, env: Record<string, number>): C {
  switch (n.t) {
    case 'num': {
      const v = Q.toNumber(n.v);
      return [v, 0];
    }
    case 'var':
      return [env[n.name] ?? NaN, 0];
    case 'const':
      return n.name === 'pi' ? [Math.PI, 0] : n.name === 'e' ? [Math.E, 0] : n.name === 'i' ? [0, 1] : [Infinity, 0];
    case 'add':
      return cadd(approx(n.a, env), approx(n.b, env));
    case 'sub':
      return csub(approx(n.a, env), approx(n.b, env));
    case 'mul':
      return cmul(approx(n.a, env), approx(n.b, env));
    case 'div':
      return cdiv(approx(n.a, env), approx(n.b, env));
    case 'pow':
      return cpow(approx(n.a, env), approx(n.b, env));
    case 'neg': {
      const a = approx(n.a, env);
      return [-a[0], -a[1]];
    }
    case 'pct':
      return approx(n.a, env);
    case 'fn':
      return approxFn(n.name, n.args.map((a) => approx(a, env)));
    default:
      return NAN;
  }
}

function approxFn(name: string, args: C[]): C {
  const a = args[0] ?? NAN;
  const real = a[1] === 0;
  const x = a[0];
  switch (name) {
    case 'sqrt':
      return csqrt(a);
    case 'root': {
      const k = args[1] ?? NAN;
      // real odd roots of negatives stay real: \sqrt[3]{-8} = -2
      if (real && x < 0 && k[1] === 0 && Number.isInteger(k[0]) && k[0] % 2 !== 0) return [-Math.pow(-x, 1 / k[0]), 0];
      return cpow(a, cdiv([1, 0], k));
    }
    case 'exp':
      return cexp(a);
    case 'ln':
      return clog(a);
    case 'log10':
      return cdiv(clog(a), [Math.LN10, 0]);
    case 'logb':
      return cdiv(clog(args[1] ?? NAN), clog(a));
    case 'abs':
      return [Math.hypot(a[0], a[1]), 0];
    case 'fact':
      return factorialC(a);
    case 'binom': {
      const b = args[1] ?? NAN;
      const f = (v: C) => factorialC(v)[0];
      return [f(a) / (f(b) * f([a[0] - b[0], 0])), 0];
    }
    default:
      break;
  }
  if (!real) return NAN; // trig of complex arguments: not needed for answers
  const f: Record<string, (v: number) => number> = {
    sin: Math.sin, cos: Math.cos, tan: Math.tan, cot: (v) => 1 / Math.tan(v), sec: (v) => 1 / Math.cos(v),
    csc: (v) => 1 / Math.sin(v), arcsin: Math.asin, arccos: Math.acos, arctan: Math.atan, sinh: Math.sinh,
    cosh: Math.cosh, tanh: Math.tanh, floor: Math.floor, ceil: Math.ceil,
  };
  const fn = f[name];
  return fn ? [fn(x), 0] : NAN;
}

/** Free variable names of a tree. */
export function variables(n: Node, out: Set<string> = new Set()): Set<string> {
  switch (n.t) {
    case 'var':
      out.add(n.name);
      break;
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      variables(n.a, out);
      variables(n.b, out);
      break;
    case 'neg':
    case 'pct':
      variables(n.a, out);
      break;
    case 'pm':
      if (n.a) variables(n.a, out);
      variables(n.b, out);
      break;
    case 'fn':
      n.args.forEach((a) => variables(a, out));
      break;
    case 'rel':
      n.sides.forEach((a) => variables(a, out));
      break;
    default:
      break;
  }
  return out;
}

/** Does the tree contain a decimal literal (so it may be a rounded approximation)? Returns its most decimal places, or -Infinity. */
export function decimals(n: Node): number {
  switch (n.t) {
    case 'num': {
      return n.dec ? (n.places ?? 0) : -Infinity;
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      return Math.max(decimals(n.a), decimals(n.b));
    case 'neg':
    case 'pct':
      return decimals(n.a);
    case 'fn':
      return Math.max(-Infinity, ...n.args.map(decimals));
    default:
      return -Infinity;
  }
}
