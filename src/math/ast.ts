// The typed value an answer parses to. One tree type for numbers, expressions and the containers around them,
// so the grader can compare a set of tuples or a matrix of fractions with the same code.
import type { Rational } from './rational.js';

export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

export type Node =
  /** a literal; `dec` marks a decimal written with a point or exponent (an approximation, maybe) */
  | { t: 'num'; v: Rational; dec: boolean; places?: number }
  | { t: 'var'; name: string }
  | { t: 'const'; name: 'pi' | 'e' | 'i' | 'inf' }
  | { t: 'add' | 'sub' | 'mul' | 'div' | 'pow'; a: Node; b: Node }
  | { t: 'neg'; a: Node }
  /** a ± b (a absent for a unary ±) */
  | { t: 'pm'; a: Node | null; b: Node }
  | { t: 'fn'; name: string; args: Node[] }
  /** `25\%`: kept apart so a percent gold can accept 25 and 25% alike */
  | { t: 'pct'; a: Node }
  | { t: 'rel'; ops: RelOp[]; sides: Node[] }
  /** a bare comma list: several answers, order does not matter */
  | { t: 'list'; items: Node[] }
  | { t: 'set'; items: Node[] }
  /** (a, b, …) — a point or tuple; order matters. Two-element ones may also be an open interval. */
  | { t: 'tuple'; items: Node[] }
  | { t: 'interval'; lo: Node; hi: Node; lopen: boolean; hopen: boolean }
  | { t: 'union'; parts: Node[] }
  | { t: 'matrix'; rows: Node[][] }
  | { t: 'text'; s: string };

export const num = (v: Rational, dec = false, places?: number): Node =>
  places === undefined ? { t: 'num', v, dec } : { t: 'num', v, dec, places };

/** A compact, stable rendering for details and for structural equality. */
export function show(n: Node): string {
  switch (n.t) {
    case 'num':
      return n.v.d === 1n ? n.v.n.toString() : `${n.v.n}/${n.v.d}`;
    case 'var':
      return n.name;
    case 'const':
      return n.name;
    case 'add':
      return `(${show(n.a)}+${show(n.b)})`;
    case 'sub':
      return `(${show(n.a)}-${show(n.b)})`;
    case 'mul':
      return `(${show(n.a)}*${show(n.b)})`;
    case 'div':
      return `(${show(n.a)}/${show(n.b)})`;
    case 'pow':
      return `(${show(n.a)}^${show(n.b)})`;
    case 'neg':
      return `(-${show(n.a)})`;
    case 'pm':
      return `(${n.a ? show(n.a) : ''}±${show(n.b)})`;
    case 'fn':
      return `${n.name}(${n.args.map(show).join(',')})`;
    case 'pct':
      return `${show(n.a)}%`;
    case 'rel':
      return n.sides.map((s, i) => (i ? n.ops[i - 1] : '') + show(s)).join('');
    case 'list':
      return n.items.map(show).join(', ');
    case 'set':
      return `{${n.items.map(show).join(', ')}}`;
    case 'tuple':
      return `(${n.items.map(show).join(', ')})`;
    case 'interval':
      return `${n.lopen ? '(' : '['}${show(n.lo)}, ${show(n.hi)}${n.hopen ? ')' : ']'}`;
    case 'union':
      return n.parts.map(show).join(' ∪ ');
    case 'matrix':
      return `[${n.rows.map((r) => r.map(show).join(', ')).join('; ')}]`;
    case 'text':
      return JSON.stringify(n.s);
  }
}

/** Number of nodes, for guards and details. */
export function size(n: Node): number {
  switch (n.t) {
    case 'num':
    case 'var':
    case 'const':
    case 'text':
      return 1;
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      return 1 + size(n.a) + size(n.b);
    case 'neg':
    case 'pct':
      return 1 + size(n.a);
    case 'pm':
      return 1 + (n.a ? size(n.a) : 0) + size(n.b);
    case 'fn':
      return 1 + n.args.reduce((s, a) => s + size(a), 0);
    case 'rel':
      return 1 + n.sides.reduce((s, a) => s + size(a), 0);
    case 'list':
    case 'set':
    case 'tuple':
      return 1 + n.items.reduce((s, a) => s + size(a), 0);
    case 'interval':
      return 1 + size(n.lo) + size(n.hi);
    case 'union':
      return 1 + n.parts.reduce((s, a) => s + size(a), 0);
    case 'matrix':
      return 1 + n.rows.reduce((s, r) => s + r.reduce((t, a) => t + size(a), 0), 0);
  }
}
