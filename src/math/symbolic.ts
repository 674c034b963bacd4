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

type Evaluate = (expr: string) => { toString(): string };

/**
 * Confirms a float "equal" between two constant expressions at 80 significant digits (mathjs BigNumber), so
 * near-integers such as e^{π√163} vs 640320³+744 are told apart. true / false, or null when it cannot say.
 */
export function preciseChecker(evaluate: Evaluate): (a: Node, b: Node) => boolean | null {
  return (a, b) => {
    if (treeTooComplex(a) || treeTooComplex(b)) return null;
    try {
      const diff = Number(evaluate(`abs((${toMathjs(a)}) - (${toMathjs(b)}))`).toString());
      const scale = Math.max(1, Math.abs(Number(evaluate(toMathjs(a)).toString())));
      if (!Number.isFinite(diff) || !Number.isFinite(scale)) return null;
      return diff <= 1e-60 * scale;
    } catch {
      return null; // complex values, unsupported functions: the double-precision verdict stands
    }
  };
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
