// Equivalence of a prediction with the gold, by type. Order of rules: structure, exact rationals, decimal
// rounding (only where a side is a decimal literal), numeric evaluation / random-point sampling, and the
// injected symbolic fallback (mathjs, run only inside the killable worker). Gold and prediction are not
// symmetric: a gold relation may be matched by an interval, not the other way round.
import { num, show, type Node, type RelOp } from './ast.js';
import { approx, decimals, exact, variables, type C } from './evaluate.js';
import * as Q from './rational.js';

export interface CompareOptions {
  /** accept 0.25 for a `25\%` gold (and 25% for a 0.25 gold) */
  percentFraction: boolean;
  /** a decimal literal must carry this many significant digits to count as a rounding of an exact value */
  decimalMinDigits: number;
  /**
   * which side's decimal may be a rounding of the other's exact value: 'gold' (default) only a gold decimal
   * literal (gold 3.14 accepts \pi); 'either' also a predicted decimal for an exact gold (3.14 for \pi)
   */
  decimalRounding?: 'gold' | 'either';
  /** last-resort symbolic check (mathjs in the worker); null means "could not decide" */
  symbolic?: (a: Node, b: Node) => boolean | null;
  /** high-precision confirmation of a double-precision "equal" between constants (mathjs BigNumber, worker only) */
  precise?: (a: Node, b: Node) => boolean | null;
}

export interface Verdict {
  equal: boolean;
  rule: string;
}

const yes = (rule: string): Verdict => ({ equal: true, rule });
const no = (rule: string): Verdict => ({ equal: false, rule });

/** Replaces every exactly computable subtree by its value, so `2^{10}` and `1024` print alike. */
export function fold(n: Node): Node {
  if (n.t === 'num' || n.t === 'var' || n.t === 'const' || n.t === 'text') return n;
  if (isArith(n)) {
    const v = exact(n);
    if (v && Q.bits(v) < 4096) return num(v, decimals(n) > -Infinity);
  }
  switch (n.t) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      return { t: n.t, a: fold(n.a), b: fold(n.b) };
    case 'neg':
      return { t: 'neg', a: fold(n.a) };
    case 'pct':
      return { t: 'pct', a: fold(n.a) };
    case 'pm':
      return { t: 'pm', a: n.a && fold(n.a), b: fold(n.b) };
    case 'fn':
      return { t: 'fn', name: n.name, args: n.args.map(fold) };
    case 'rel':
      return { t: 'rel', ops: n.ops, sides: n.sides.map(fold) };
    case 'list':
    case 'set':
    case 'tuple':
      return { t: n.t, items: n.items.map(fold) };
    case 'interval':
      return { ...n, lo: fold(n.lo), hi: fold(n.hi) };
    case 'union':
      return { t: 'union', parts: n.parts.map(fold) };
    case 'matrix':
      return { t: 'matrix', rows: n.rows.map((r) => r.map(fold)) };
    default:
      return n;
  }
}

function isArith(n: Node): boolean {
  return ['num', 'var', 'const', 'add', 'sub', 'mul', 'div', 'pow', 'neg', 'fn'].includes(n.t);
}

/** `1 \pm \sqrt2` is the set {1+√2, 1−√2}; the expansion is applied wherever ± occurs (max 16 variants). */
export function expandPm(n: Node): Node[] {
  switch (n.t) {
    case 'pm': {
      const bs = expandPm(n.b);
      const as = n.a ? expandPm(n.a) : [null];
      const out: Node[] = [];
      for (const a of as) for (const b of bs) {
        out.push(a ? { t: 'add', a, b } : b, a ? { t: 'sub', a, b } : { t: 'neg', a: b });
      }
      return out.slice(0, 16);
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow': {
      const as = expandPm(n.a);
      const bs = expandPm(n.b);
      if (as.length === 1 && bs.length === 1) return [n];
      const out: Node[] = [];
      for (const a of as) for (const b of bs) out.push({ t: n.t, a, b });
      return out.slice(0, 16);
    }
    case 'neg':
      return expandPm(n.a).map((a) => ({ t: 'neg', a }));
    default:
      return [n];
  }
}

function withoutPm(n: Node): Node {
  if (n.t === 'list' || n.t === 'set') {
    const items = n.items.flatMap((x) => {
      const e = expandPm(x);
      return e.length > 1 ? e : [withoutPm(x)];
    });
    return { t: n.t, items };
  }
  if (n.t === 'tuple') return { t: 'tuple', items: n.items.map(withoutPm) };
  if (n.t === 'rel') {
    // x = 1 \pm 2 -> x = 1+2, x = 1-2
    const last = n.sides[n.sides.length - 1]!;
    const e = expandPm(last);
    if (e.length > 1) return { t: 'list', items: e.map((s) => ({ ...n, sides: [...n.sides.slice(0, -1), s] })) };
    return n;
  }
  const e = expandPm(n);
  return e.length > 1 ? { t: 'set', items: e } : n;
}

export function equivalent(gold: Node, pred: Node, opts: CompareOptions): Verdict {
  return new Grader(opts).top(withoutPm(gold), withoutPm(pred));
}

/**
 * Is this relation an assignment `x = …` (chains `x = 5+5+1 = 11` too): the first side free of numbers (`x`, `(p,q)`, `f(x)`,
 * `\frac{NO}{BO}`, `V_1:V_2`)? `2x + z = 1` is not one (it has a number on the left).
 */
function isAssignment(n: Node): n is Node & { t: 'rel' } {
  return n.t === 'rel' && n.ops.every((o) => o === '=') && symbolsOnly(n.sides[0]!);
}

/** A single term made of symbols only: x, (p, q), f(x), NO/BO, |AB| — no sums, no numbers. */
function symbolsOnly(n: Node): boolean {
  switch (n.t) {
    case 'var':
      return true;
    case 'mul':
    case 'div':
      return symbolsOnly(n.a) && symbolsOnly(n.b);
    case 'fn':
      return n.args.every(symbolsOnly);
    case 'tuple':
      return n.items.every(symbolsOnly);
    default:
      return false;
  }
}

const sortedOps: Record<RelOp, RelOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '!=': '!=' };

class Grader {
  constructor(private readonly opts: CompareOptions) {}

  top(g: Node, p: Node): Verdict {
    if (show(fold(g)) === show(fold(p))) return yes('structural');
    // x = 5+5+1 = 11 vs x = 11: two assignments agree when their final values do
    if (isAssignment(g) && isAssignment(p) && (g.sides.length > 2 || p.sides.length > 2)) {
      const v = this.eq(g.sides[g.sides.length - 1]!, p.sides[p.sides.length - 1]!);
      return v.equal ? yes(`assignment_${v.rule}`) : v;
    }
    // a gold chain 1 = \zzz = x = 0 answers with its last side
    if (g.t === 'rel' && g.sides.length >= 3 && g.ops.every((o) => o === '=') && p.t !== 'rel') {
      return this.eq(g.sides[g.sides.length - 1]!, p);
    }
    // x = 5 vs 5, either way round; chains x = a = b keep the last side
    if (isAssignment(p) && g.t !== 'rel') return this.eq(g, p.sides[p.sides.length - 1]!);
    // a computation predicted for a value gold answers with its last side (2 + 3 = 5 vs 5); an equation in
    // variables does not (5x - 7y + 4 = 0 is not the answer 0)
    if (p.t === 'rel' && g.t !== 'rel' && p.ops.every((o) => o === '=') && isArith(g) && g.t !== 'var' && variables(p.sides[0]!).size === 0) {
      return this.eq(g, p.sides[p.sides.length - 1]!);
    }
    if (isAssignment(g) && p.t !== 'rel') return this.eq(g.sides[g.sides.length - 1]!, p);
    // gold set of assignments x=1, x=2 vs prediction 1, 2
    if ((g.t === 'list' || g.t === 'set') && g.items.every(isAssignment) && (p.t === 'list' || p.t === 'set') && !p.items.some((x) => x.t === 'rel')) {
      return this.eq({ t: 'set', items: g.items.map((x) => (x as Node & { t: 'rel' }).sides.at(-1)!) }, p);
    }
    // the same answer given twice in different forms (\boxed{15\frac{39}{40}}, \boxed{\frac{639}{40}})
    if (p.t === 'list' && g.t !== 'list' && g.t !== 'set' && p.items.length <= 8 && p.items.every((x) => this.top(g, x).equal)) {
      return yes('repeated');
    }
    // a one-variable inequality and the set it describes are the same answer, either way round
    if (g.t === 'rel' && isSet(p)) {
      const asSet = relationToIntervals(g);
      if (asSet) return this.eq(asSet, p);
    }
    if (p.t === 'rel' && isSet(g)) {
      const asSet = relationToIntervals(p);
      if (asSet) return this.eq(g, asSet);
    }
    return this.eq(g, p);
  }

  eq(g: Node, p: Node): Verdict {
    if (show(fold(g)) === show(fold(p))) return yes('structural');
    if (g.t === 'pct' || p.t === 'pct') return this.percent(g, p);
    if (g.t === 'text' || p.t === 'text') return textEq(g, p) ? yes('text') : no('text');
    const gs = g.t === 'list' || g.t === 'set';
    const ps = p.t === 'list' || p.t === 'set';
    if (gs && ps) return this.unordered(g.items, p.items, 'set');
    if (g.t === 'tuple' && p.t === 'tuple') return this.ordered(g.items, p.items, 'tuple');
    if (g.t === 'interval' && p.t === 'interval') {
      if (g.lopen !== p.lopen || g.hopen !== p.hopen) return no('interval_ends');
      return this.ordered([g.lo, g.hi], [p.lo, p.hi], 'interval');
    }
    // (a, b) is both a point and an open interval
    if (g.t === 'interval' && p.t === 'tuple' && g.lopen && g.hopen) return this.ordered([g.lo, g.hi], p.items, 'interval');
    if (g.t === 'tuple' && p.t === 'interval' && p.lopen && p.hopen) return this.ordered(g.items, [p.lo, p.hi], 'interval');
    if (g.t === 'union' && p.t === 'union') return this.unordered(g.parts, p.parts, 'union');
    const gm = matrixValue(g);
    const pm = matrixValue(p);
    if (gm && pm && (gm !== g || pm !== p)) return this.eq(gm, pm);
    if (g.t === 'matrix' && p.t === 'matrix') {
      if (g.rows.length !== p.rows.length || g.rows[0]!.length !== p.rows[0]!.length) return no('matrix_shape');
      return this.ordered(g.rows.flat(), p.rows.flat(), 'matrix');
    }
    // a column vector written as a tuple
    if (g.t === 'matrix' && p.t === 'tuple' && g.rows.every((r) => r.length === 1)) return this.ordered(g.rows.flat(), p.items, 'matrix');
    if (g.t === 'tuple' && p.t === 'matrix' && p.rows.every((r) => r.length === 1)) return this.ordered(g.items, p.rows.flat(), 'matrix');
    if (g.t === 'rel' && p.t === 'rel') return this.relation(g, p);
    if (isArith(g) && isArith(p)) return this.expr(g, p);
    return no('type_mismatch');
  }

  private percent(g: Node, p: Node): Verdict {
    const gv = g.t === 'pct' ? g.a : g;
    const pv = p.t === 'pct' ? p.a : p;
    const direct = this.eq(gv, pv);
    if (direct.equal) return yes(`percent_${direct.rule}`);
    if (this.opts.percentFraction) {
      const hundred = num(Q.rat(100n));
      const alt = g.t === 'pct' ? this.eq({ t: 'div', a: gv, b: hundred }, pv) : this.eq(gv, { t: 'div', a: pv, b: hundred });
      if (alt.equal) return yes('percent_fraction');
    }
    return no(`percent_${direct.rule}`);
  }

  private ordered(gs: Node[], ps: Node[], what: string): Verdict {
    if (gs.length !== ps.length) return no(`${what}_length`);
    for (let k = 0; k < gs.length; k++) {
      const v = this.top(gs[k]!, ps[k]!);
      if (!v.equal) return no(`${what}:${v.rule}`);
    }
    return yes(what);
  }

  /** Set match: every gold element has an equal predicted one and vice versa (repeats do not count twice). */
  private unordered(gs: Node[], ps: Node[], what: string): Verdict {
    if (gs.length > 64 || ps.length > 64) return no(`${what}_too_large`);
    const hit = new Array<boolean>(ps.length).fill(false);
    for (const g of gs) {
      let found = false;
      for (let k = 0; k < ps.length; k++) {
        if (this.top(g, ps[k]!).equal) {
          hit[k] = found = true;
        }
      }
      if (!found) return no(`${what}_element`);
    }
    return hit.every(Boolean) ? yes(what) : no(`${what}_extra_element`);
  }

  private relation(g: Node & { t: 'rel' }, p: Node & { t: 'rel' }): Verdict {
    const gn = orient(g);
    let pn = orient(p);
    if (gn.ops.join() !== pn.ops.join()) {
      // a = b vs b = a is the same equation; a < b vs b > a already oriented
      if (gn.ops.length !== pn.ops.length) return no('relation_ops');
      return no('relation_ops');
    }
    if (this.ordered(gn.sides, pn.sides, 'relation').equal) return yes('relation_sides');
    if (gn.ops.every((o) => o === '=' || o === '!=')) {
      pn = { ...pn, sides: [...pn.sides].reverse() };
      if (this.ordered(gn.sides, pn.sides, 'relation').equal) return yes('relation_sides');
    }
    if (gn.sides.length === 2) {
      // y = 2x + 1 vs 2x - y + 1 = 0: the differences are proportional (positive factor for inequalities)
      const dg: Node = { t: 'sub', a: gn.sides[0]!, b: gn.sides[1]! };
      const dp: Node = { t: 'sub', a: orient(p).sides[0]!, b: orient(p).sides[1]! };
      const ratio = proportional(dg, dp);
      if (ratio !== null && (gn.ops[0] === '=' || gn.ops[0] === '!=' || ratio > 0)) return yes('relation_proportional');
    }
    return no('relation');
  }

  private expr(g0: Node, p0: Node): Verdict {
    // identical terms cancel before any evaluation or guard gives up (x^{x^{x^{x}}} - x^{x^{x^{x}}} + 1 = 1)
    const g = cancel(g0);
    const p = cancel(p0);
    if ((g !== g0 || p !== p0) && show(fold(g)) === show(fold(p))) return yes('cancelled');
    const eg = exact(g);
    const ep = exact(p);
    const dg = decimals(g);
    const dp = decimals(p);
    // a decimal on one side only may be a rounding of the other side's value: always when the gold is the
    // decimal (its author rounded), for a predicted decimal against an exact gold only when configured
    const oneDecimal = (dg > -Infinity) !== (dp > -Infinity);
    const mayRound = oneDecimal && (dg > -Infinity || this.opts.decimalRounding === 'either');
    if (eg && ep) {
      if (Q.eq(eg, ep)) return yes('exact');
      if (mayRound) {
        const [d, places, x] = dg > -Infinity ? [eg, dg, ep] : [ep, dp, eg];
        if (sigDigits(Q.toNumber(d), places) >= this.opts.decimalMinDigits && Q.within(d, x, halfUlp(places))) return yes('decimal_rounding');
      }
      if (decimalRoundsTo(eg, dg, ep, dp, this.opts.decimalMinDigits)) return yes('decimal_rounding');
      return no(oneDecimal && !mayRound ? 'decimal_not_exact' : 'exact');
    }
    // Rational by construction but too big or small to compute (0.1^{10^{100}}, 10^{-10^{10}}): no float
    // may decide what the exact path could not prove; a power of a non-zero base is never zero.
    if ((eg && Q.eq(eg, Q.ZERO) && nonZero(p)) || (ep && Q.eq(ep, Q.ZERO) && nonZero(g))) return no('exact_nonzero');
    if (rationalValued(g) && rationalValued(p)) return no('exact_too_large');
    const vars = new Set([...variables(g), ...variables(p)]);
    if (vars.size === 0) {
      const a = approx(g, {});
      const b = approx(p, {});
      if (usable(a) && usable(b)) {
        if (oneDecimal) {
          if (mayRound) {
            const [d, places, x] = dg > -Infinity ? [a, dg, b] : [b, dp, a];
            const tol = 0.5 * 10 ** -places * (1 + 1e-9);
            if (sigDigits(d[0], places) >= this.opts.decimalMinDigits && Math.abs(d[0] - x[0]) <= tol && Math.abs(d[1] - x[1]) <= tol) return yes('decimal_rounding');
          }
          // a decimal is a rational: it equals an exact value only if 80 digits say so too (0.5 = \sin(\pi/6))
          if (close(a, b, 1e-12) && this.opts.precise?.(g, p) !== false) return yes('numeric');
          return no(mayRound ? 'numeric' : 'decimal_not_exact');
        }
        if (!close(a, b, 1e-10)) return no('numeric');
        // doubles agree; 80 digits must too (near-integers like e^{π√163} fool doubles)
        return this.opts.precise?.(g, p) === false ? no('numeric_precise') : yes('numeric');
      }
      // overflow / underflow: floats cannot tell; structure already differed
      return this.symbolic(g, p, 'magnitude');
    }
    const s = sample(g, p, [...vars]);
    if (s === true) return yes('sampling');
    if (s === false) return no('sampling');
    return this.symbolic(g, p, 'sampling_inconclusive');
  }

  private symbolic(g: Node, p: Node, why: string): Verdict {
    const r = this.opts.symbolic?.(g, p) ?? null;
    if (r === true) return yes('symbolic');
    return no(r === false ? 'symbolic' : `undecided_${why}`);
  }
}

/** Signed terms of a sum: a - (b - c) is +a, -b, +c. */
function terms(n: Node, sign: 1 | -1, out: { sign: 1 | -1; n: Node }[]): void {
  if (n.t === 'add' || n.t === 'sub') {
    terms(n.a, sign, out);
    terms(n.b, n.t === 'sub' ? (-sign as 1 | -1) : sign, out);
  } else if (n.t === 'neg') terms(n.a, -sign as 1 | -1, out);
  else out.push({ sign, n });
}

/** Removes pairs of identical terms with opposite signs from every sum in the tree; the same node when none cancel. */
export function cancel(n: Node): Node {
  switch (n.t) {
    case 'add':
    case 'sub':
    case 'neg': {
      const ts: { sign: 1 | -1; n: Node }[] = [];
      terms(n, 1, ts);
      const parts = ts.map((t) => ({ sign: t.sign, n: cancel(t.n) }));
      const open = new Map<string, number[]>(); // term text -> indices still waiting for a partner
      const gone = new Set<number>();
      parts.forEach((t, i) => {
        const key = show(t.n);
        const waiting = open.get(`${-t.sign}${key}`);
        if (waiting?.length) {
          gone.add(waiting.pop()!);
          gone.add(i);
        } else {
          const k = `${t.sign}${key}`;
          open.set(k, [...(open.get(k) ?? []), i]);
        }
      });
      if (!gone.size && parts.every((t, i) => t.n === ts[i]!.n)) return n;
      const left = parts.filter((_, i) => !gone.has(i));
      if (!left.length) return num(Q.ZERO);
      const first: Node = left[0]!.sign === 1 ? left[0]!.n : { t: 'neg', a: left[0]!.n };
      return left.slice(1).reduce((acc: Node, t): Node => ({ t: t.sign === 1 ? 'add' : 'sub', a: acc, b: t.n }), first);
    }
    case 'mul':
    case 'div':
    case 'pow': {
      const a = cancel(n.a);
      const b = cancel(n.b);
      return a === n.a && b === n.b ? n : { t: n.t, a, b };
    }
    case 'fn': {
      const args = n.args.map(cancel);
      return args.every((x, i) => x === n.args[i]) ? n : { t: 'fn', name: n.name, args };
    }
    default:
      return n;
  }
}

/** Built from rationals by + − × ÷ and integer powers only: its value is rational, so `exact` alone may decide. */
function rationalValued(n: Node): boolean {
  switch (n.t) {
    case 'num':
      return true;
    case 'neg':
      return rationalValued(n.a);
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return rationalValued(n.a) && rationalValued(n.b);
    case 'pow': {
      const e = exact(n.b);
      return e !== null && e.d === 1n && rationalValued(n.a);
    }
    case 'fn':
      // n! and binomials are rational for integer arguments only ((1/2)! = √π/2)
      if (n.name === 'fact' || n.name === 'binom') return n.args.every((a) => rationalValued(a) && exact(a)?.d === 1n);
      return ['abs', 'floor', 'ceil'].includes(n.name) && n.args.every(rationalValued);
    default:
      return false;
  }
}

/** Provably not zero, whatever its size: a non-zero rational, π, e, i, or products, quotients and powers of them. */
function nonZero(n: Node): boolean {
  switch (n.t) {
    case 'num':
      return n.v.n !== 0n;
    case 'const':
      return n.name !== 'inf';
    case 'neg':
      return nonZero(n.a);
    case 'mul':
    case 'div':
      return nonZero(n.a) && nonZero(n.b);
    case 'pow':
      return nonZero(n.a) && !hasInf(n.b);
    case 'fn':
      return n.name === 'exp' || (n.name === 'fact' && n.args.length === 1 && rationalValued(n.args[0]!));
    default:
      return false;
  }
}

function hasInf(n: Node): boolean {
  return show(n).includes('inf');
}

/** A sum, difference or product of matrices (and scalars) worked out entry by entry; null if not matrix-valued. */
function matrixValue(n: Node, depth = 0): (Node & { t: 'matrix' }) | null {
  if (n.t === 'matrix') return n;
  if (depth > 8 || (n.t !== 'add' && n.t !== 'sub' && n.t !== 'mul')) return null;
  const a = matrixValue(n.a, depth + 1);
  const b = matrixValue(n.b, depth + 1);
  if (!a && !b) return null;
  if (n.t === 'mul' && (!a || !b)) {
    const [m, s] = a ? [a, n.b] : [b!, n.a];
    return { t: 'matrix', rows: m.rows.map((r) => r.map((x): Node => ({ t: 'mul', a: s, b: x }))) };
  }
  if (!a || !b) return null;
  const ra = a.rows.length;
  const ca = a.rows[0]!.length;
  if (n.t === 'mul') {
    if (ca !== b.rows.length || ra * ca * b.rows[0]!.length > 4096) return null;
    return {
      t: 'matrix',
      rows: a.rows.map((row) =>
        b.rows[0]!.map((_, j) => row.map((x, k): Node => ({ t: 'mul', a: x, b: b.rows[k]![j]! })).reduce((s, x): Node => ({ t: 'add', a: s, b: x }))),
      ),
    };
  }
  if (ra !== b.rows.length || ca !== b.rows[0]!.length) return null;
  return { t: 'matrix', rows: a.rows.map((row, i) => row.map((x, j): Node => ({ t: n.t as 'add' | 'sub', a: x, b: b.rows[i]![j]! }))) };
}

/** Relations written with > flipped to <, so `x > 1` and `1 < x` read alike. */
function orient(r: Node & { t: 'rel' }): Node & { t: 'rel' } {
  if (!r.ops.some((o) => o === '>' || o === '>=')) return r;
  if (!r.ops.every((o) => o === '>' || o === '>=' || o === '=')) return r;
  return { t: 'rel', ops: [...r.ops].reverse().map((o) => sortedOps[o]), sides: [...r.sides].reverse() };
}

const INF: Node = { t: 'const', name: 'inf' };
const NEG_INF: Node = { t: 'neg', a: INF };

/** `x` (or `f(x)`) or `|x|`: what a solved inequality constrains; `abs` tells which. */
function subject(n: Node): { abs: boolean } | null {
  if (n.t === 'fn' && n.name === 'abs') return n.args.length === 1 && n.args[0]!.t === 'var' ? { abs: true } : null;
  if (symbolsOnly(n)) return { abs: false }; // x, f(x)
  return null;
}

/** Sign of a constant bound (exact when rational, else its double); null when it has variables or is not real. */
function sign(n: Node): number | null {
  const e = exact(n);
  if (e) return Q.cmp(e, Q.ZERO);
  if (variables(n).size) return null;
  const [re, im] = approx(n, {});
  return Number.isFinite(re) && im === 0 ? Math.sign(re) : null;
}

const iv = (lo: Node, hi: Node, lopen: boolean, hopen: boolean): Node => ({ t: 'interval', lo, hi, lopen, hopen });
const negate = (n: Node): Node => ({ t: 'neg', a: n });

/**
 * The set a one-variable inequality describes, by exact interval arithmetic (no solver):
 * `1 < x \le 2` -> (1, 2]; `x > 3` -> (3, ∞); `|x| < 3` -> (-3, 3); `|x| > 3` -> (-∞, -3) ∪ (3, ∞);
 * `1 \le |z| \le \frac32` -> [-3/2, -1] ∪ [1, 3/2]. Null for anything else ('=', '!=', two variables, |x - 1|).
 */
function relationToIntervals(r: Node & { t: 'rel' }): Node | null {
  const o = orient(r);
  if (o.ops.some((x) => x === '=' || x === '!=' || x === '>' || x === '>=')) return null;
  const open = o.ops.map((x) => x === '<');
  if (o.sides.length === 3) {
    const s = subject(o.sides[1]!);
    const [lo, hi] = [o.sides[0]!, o.sides[2]!];
    if (!s || variables(lo).size || variables(hi).size) return null;
    if (!s.abs) return iv(lo, hi, open[0]!, open[1]!);
    const sl = sign(lo);
    if (sl === null || sign(hi) !== 1) return null;
    // lo < |x| < hi with lo below zero (or 0 < |x| not asked): only the upper bound matters
    if (sl < 0 || (sl === 0 && !open[0])) return iv(negate(hi), hi, open[1]!, open[1]!);
    return { t: 'union', parts: [iv(negate(hi), negate(lo), open[1]!, open[0]!), iv(lo, hi, open[0]!, open[1]!)] };
  }
  if (o.sides.length !== 2) return null;
  const [a, b] = [o.sides[0]!, o.sides[1]!];
  // one side must be the variable itself (xy < 3 constrains two)
  const sa = a.t === 'var' || a.t === 'fn' ? subject(a) : null;
  const sb = b.t === 'var' || b.t === 'fn' ? subject(b) : null;
  if (sa && !variables(b).size) {
    // x < b, |x| < b
    if (!sa.abs) return iv(NEG_INF, b, true, open[0]!);
    return sign(b) === 1 ? iv(negate(b), b, open[0]!, open[0]!) : null;
  }
  if (sb && !variables(a).size) {
    // a < x, a < |x|
    if (!sb.abs) return iv(a, INF, open[0]!, true);
    return sign(a) === 1 ? { t: 'union', parts: [iv(NEG_INF, negate(a), true, open[0]!), iv(a, INF, open[0]!, true)] } : null;
  }
  return null;
}

const isSet = (n: Node): boolean => n.t === 'interval' || n.t === 'union' || (n.t === 'tuple' && n.items.length === 2);

function textOf(n: Node): string | null {
  if (n.t === 'text') return n.s;
  if (n.t === 'var') return n.name;
  return null;
}

function canonText(s: string): string {
  return s.toLowerCase().replace(/\\text\{([^{}]*)\}/g, '$1').replace(/[\s{}()$.]/g, '');
}

function textEq(g: Node, p: Node): boolean {
  const a = textOf(g);
  const b = textOf(p);
  return a !== null && b !== null && canonText(a) === canonText(b);
}

/**
 * A predicted decimal with more places than the gold decimal rounds to it (3.14159 for gold 3.14; 13.18 for
 * gold 13.2, not 13.2 for gold 13.18), the gold carrying at least `minDigits` significant digits.
 */
export function decimalRoundsTo(gold: Q.Rational, goldPlaces: number, pred: Q.Rational, predPlaces: number, minDigits: number): boolean {
  return goldPlaces > -Infinity && predPlaces > goldPlaces && sigDigits(Q.toNumber(gold), goldPlaces) >= minDigits && Q.within(gold, pred, halfUlp(goldPlaces));
}

function halfUlp(places: number): Q.Rational {
  return places >= 0 ? Q.rat(5n, 10n ** BigInt(places + 1)) : Q.rat(5n * 10n ** BigInt(-places - 1));
}

function sigDigits(v: number, places: number): number {
  if (v === 0) return 0;
  return Math.floor(Math.log10(Math.abs(v))) + 1 + places;
}

const usable = (c: C): boolean => Number.isFinite(c[0]) && Number.isFinite(c[1]) && (c[0] !== 0 || c[1] !== 0 ? Math.hypot(c[0], c[1]) > 1e-280 && Math.hypot(c[0], c[1]) < 1e280 : true);

function close(a: C, b: C, rel: number): boolean {
  const scale = Math.max(1, Math.hypot(a[0], a[1]), Math.hypot(b[0], b[1]));
  return Math.hypot(a[0] - b[0], a[1] - b[1]) <= rel * scale;
}

/** Deterministic points, so a verdict never flips between runs. */
function points(vars: string[], n: number): Record<string, number>[] {
  let seed = 0x9e3779b9;
  const rnd = (): number => {
    seed = (seed ^ (seed << 13)) >>> 0;
    seed = (seed ^ (seed >>> 17)) >>> 0;
    seed = (seed ^ (seed << 5)) >>> 0;
    return seed / 0x100000000;
  };
  const out: Record<string, number>[] = [];
  for (let k = 0; k < n; k++) {
    const env: Record<string, number> = {};
    for (const v of vars) env[v] = (rnd() < 0.25 ? -1 : 1) * (0.15 + 2.5 * rnd());
    out.push(env);
  }
  return out;
}

/** true: equal at every usable point; false: a point tells them apart; null: too few usable points. */
function sample(g: Node, p: Node, vars: string[]): boolean | null {
  let good = 0;
  for (const env of points(vars, 10)) {
    const a = approx(g, env);
    const b = approx(p, env);
    const ua = usable(a);
    const ub = usable(b);
    if (!ua && !ub) continue;
    if (ua !== ub) return false;
    // one side complex, the other real: a branch-cut choice (x^{2/3} vs \sqrt[3]{x}^2 at x<0), not evidence
    if ((Math.abs(a[1]) > 1e-12) !== (Math.abs(b[1]) > 1e-12)) continue;
    if (!close(a, b, 1e-8)) return false;
    good++;
  }
  return good >= 3 ? true : null;
}

/** The constant c with a = c·b at every sample point, or null. */
function proportional(a: Node, b: Node): number | null {
  const vars = [...new Set([...variables(a), ...variables(b)])];
  let ratio: number | null = null;
  let good = 0;
  for (const env of points(vars, 8)) {
    const x = approx(a, env);
    const y = approx(b, env);
    if (!usable(x) || !usable(y) || x[1] !== 0 || y[1] !== 0) continue;
    if (y[0] === 0) {
      if (x[0] !== 0) return null;
      continue;
    }
    const r = x[0] / y[0];
    if (ratio === null) ratio = r;
    else if (Math.abs(r - ratio) > 1e-8 * Math.max(1, Math.abs(ratio))) return null;
    good++;
  }
  return good >= 3 && ratio !== null && ratio !== 0 ? ratio : null;
}
