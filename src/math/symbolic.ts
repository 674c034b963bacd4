// The mathjs bridge: simplify(gold - prediction) == 0. Loaded only inside the worker (it is slow to import and
// slow to run) and only called after the tree guard passed.
import type { Node } from './ast.js';
import { treeTooComplex } from './guards.js';

type Simplify = (expr: string) => { toString(): string };

function toMathjs(n: Node): string {
  switch (n.t) {
    case 'num':
      return n.v.d === 1n ? `(${n.v.n})` : `(${n.v.n}/${n.v.d})`;
    case 'var':
      return `v_${n.name.replace(/[^a-zA-Z0-9]/g, '_')}`;
    case 'const':
      return n.name === 'pi' ? 'pi' : n.name === 'e' ? 'e' : n.name === 'i' ? 'i' : 'Infinity';
    case 'add':
      return `(${toMathjs(n.a)} + ${toMathjs(n.b)})`;
    case 'sub':
      return `(${toMathjs(n.a)} - ${toMathjs(n.b)})`;
    case 'mul':
      return `(${toMathjs(n.a)} * ${toMathjs(n.b)})`;
    case 'div':
      return `(${toMathjs(n.a)} / ${toMathjs(n.b)})`;
    case 'pow':
      return `(${toMathjs(n.a)} ^ ${toMathjs(n.b)})`;
    case 'neg':
      return `(-${toMathjs(n.a)})`;
    case 'fn': {
      const a = n.args.map(toMathjs);
      const name: Record<string, string> = { ln: 'log', arcsin: 'asin', arccos: 'acos', arctan: 'atan', log10: 'log10' };
      if (n.name === 'root') return `nthRoot(${a[0]}, ${a[1]})`;
      if (n.name === 'logb') return `log(${a[1]}, ${a[0]})`;
      return `${name[n.name] ?? n.name}(${a.join(', ')})`;
    }
    default:
      throw new Error(`cannot send ${n.t} to mathjs`);
  }
}

/** Returns a symbolic checker bound to mathjs' simplify. */
export function mathjsChecker(simplify: Simplify): (a: Node, b: Node) => boolean | null {
  return (a, b) => {
    if (treeTooComplex(a) || treeTooComplex(b)) return null;
    try {
      const out = simplify(`(${toMathjs(a)}) - (${toMathjs(b)})`).toString();
      return out === '0' ? true : null;
    } catch {
      return null;
    }
  };
}
