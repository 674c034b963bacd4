// Cheap complexity checks that run before any expensive step. The text guard runs before parsing; the tree
// guard before any CAS call (mathjs simplify can run for seconds on power towers, huge factorials or
// giant constructors — it has none of ours, but the guard keeps the input small whatever it would build).
import type { Node } from './ast.js';
import { size } from './ast.js';
import * as Q from './rational.js';

export interface TextGuard {
  maxChars: number;
  maxDepth: number;
}

/** Null when the answer text is fine to parse, else why not. */
export function textTooComplex(s: string, g: TextGuard): string | null {
  if (s.length > g.maxChars) return `answer longer than ${g.maxChars} characters`;
  let depth = 0;
  let max = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 123 || c === 40 || c === 91) max = Math.max(max, ++depth); // { ( [
    else if (c === 125 || c === 41 || c === 93) depth--;
  }
  return max > g.maxDepth ? `brackets nested deeper than ${g.maxDepth}` : null;
}

const CAS_FUNCS = new Set(['sqrt', 'root', 'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'ln', 'log10', 'logb', 'exp', 'abs']);

/** Null when a tree is small and tame enough for the CAS, else why not. */
export function treeTooComplex(n: Node): string | null {
  if (size(n) > 200) return 'expression too large for symbolic simplification';
  return walk(n, 0);
}

function walk(n: Node, powDepth: number): string | null {
  switch (n.t) {
    case 'num':
      return Q.bits(n.v) > 100 ? 'number too large for symbolic simplification' : null;
    case 'var':
    case 'const':
      return n.t === 'const' && n.name === 'inf' ? 'infinity' : null;
    case 'pow': {
      if (powDepth >= 1) return 'power tower';
      const e = n.b;
      if (e.t === 'num' && (e.v.n > 64n || e.v.n < -64n)) return 'exponent too large';
      return walk(n.a, powDepth) ?? walk(n.b, powDepth + 1);
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return walk(n.a, powDepth) ?? walk(n.b, powDepth);
    case 'neg':
      return walk(n.a, powDepth);
    case 'fn':
      if (!CAS_FUNCS.has(n.name)) return `${n.name} is not sent to the CAS`;
      for (const a of n.args) {
        const r = walk(a, powDepth);
        if (r) return r;
      }
      return null;
    default:
      return `${n.t} is not sent to the CAS`;
  }
}
