// LaTeX / plain-text answer -> typed value (ast.ts). Recursive descent with a depth cap, so hostile nesting
// fails fast instead of overflowing the stack. Exact literals: every number becomes a BigInt rational.
import { num, show, type Node, type RelOp } from './ast.js';
import { isUnitText, normaliseLatex } from './normalise.js';
import { parseDecimal, rat, type Rational } from './rational.js';
import { ParseError, tokenize, type Token } from './tokens.js';

const MAX_DEPTH = 120;

const FUNCS = new Set([
  'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'ln', 'log', 'exp',
  'lg', 'det',
]);
const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa',
  'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega', 'Gamma',
  'Delta', 'Theta', 'Lambda', 'Xi', 'Sigma', 'Phi', 'Psi', 'Omega',
]);
const REL: Record<string, RelOp> = { '=': '=', '<': '<', '>': '>', le: '<=', ge: '>=', ne: '!=', approx: '=', equiv: '=' };
/** commands that close or separate something: never a symbol */
const STRUCTURAL = new Set(['right', 'end', 'rfloor', 'rceil', 'rvert', 'rangle', 'cr', 'hline', 'boxed', 'fbox', 'text', 'frac']);
const MATRIX_ENVS = new Set(['pmatrix', 'bmatrix', 'matrix', 'vmatrix', 'Bmatrix', 'smallmatrix', 'array']);

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++] ?? { k: 'eof', s: '' };
  }
  private isOp(s: string, o = 0): boolean {
    const t = this.peek(o);
    return t.k === 'op' && t.s === s;
  }
  private isCmd(s: string, o = 0): boolean {
    const t = this.peek(o);
    return t.k === 'cmd' && t.s === s;
  }
  private expectOp(s: string): void {
    if (!this.isOp(s)) throw new ParseError(`expected '${s}'`);
    this.i++;
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new ParseError('nesting too deep');
  }

  /** Is the next token a separator between answers (`,` `;` "and" "or")? */
  private atSeparator(): boolean {
    const t = this.peek();
    if (t.k === 'op' && (t.s === ',' || t.s === ';')) return true;
    if ((t.k === 'word' || t.k === 'text') && /^\s*(and|or)\s*$/i.test(t.s)) return true;
    return false;
  }

  top(): Node {
    const items = this.items(['eof']);
    if (this.peek().k !== 'eof') throw new ParseError(`unexpected '${this.peek().s}'`);
    if (items.length === 0) throw new ParseError('empty answer');
    return items.length === 1 ? items[0]! : { t: 'list', items };
  }

  /** Comma/semicolon separated items until one of the closers (not consumed). */
  private items(closers: string[]): Node[] {
    const out: Node[] = [];
    const closed = (): boolean => {
      const t = this.peek();
      return t.k === 'eof' || (t.k === 'op' && closers.includes(t.s));
    };
    while (!closed()) {
      this.skipNoise();
      if (closed()) break;
      out.push(this.relation());
      this.skipNoise();
      if (this.atSeparator()) {
        this.i++;
        continue;
      }
      if (!closed()) throw new ParseError(`unexpected '${this.peek().s}'`);
    }
    return out;
  }

  /** Units and filler that carry no value: `\text{ cm}`, "dollars", `\quad`. */
  private skipNoise(): void {
    for (;;) {
      const t = this.peek();
      if ((t.k === 'text' || t.k === 'word') && (t.s.trim() === '' || isUnitText(t.s))) this.i++;
      else if (t.k === 'op' && t.s === '…') this.i++;
      else return;
    }
  }

  private relation(): Node {
    // `x \in S`: the answer is S
    if ((this.peek().k === 'letter' || this.peek().k === 'cmd') && this.isCmd('in', 1)) {
      this.i += 2;
      return this.setExpr();
    }
    const sides = [this.setExpr()];
    const ops: RelOp[] = [];
    for (;;) {
      const t = this.peek();
      let op: RelOp | undefined;
      // `x = 1/3 \approx 0.33`: the approximation after an exact value is commentary, dropped
      if (t.k === 'cmd' && t.s === 'approx' && ops.length > 0) {
        this.i++;
        this.setExpr();
        continue;
      }
      if (t.k === 'op' && (t.s === '=' || t.s === '<' || t.s === '>')) {
        op = t.s as RelOp;
        if (this.isOp('=', 1) && t.s !== '=') {
          this.i++;
          op = t.s === '<' ? '<=' : '>=';
        }
      } else if (t.k === 'cmd' && REL[t.s]) op = REL[t.s];
      if (!op) break;
      this.i++;
      if (op === '=' && this.isOp('=')) this.i++; // ==
      ops.push(op);
      sides.push(this.setExpr());
    }
    return ops.length ? { t: 'rel', ops, sides } : sides[0]!;
  }

  private setExpr(): Node {
    const parts = [this.additive()];
    while (this.isCmd('cup') || this.isCmd('cap') || this.isCmd('setminus')) {
      const op = this.next().s;
      if (op !== 'cup') throw new ParseError(`\\${op} not supported`);
      parts.push(this.additive());
    }
    return parts.length === 1 ? parts[0]! : { t: 'union', parts };
  }

  private additive(): Node {
    this.enter();
    let left = this.term();
    for (;;) {
      if (this.isOp('+')) {
        this.i++;
        left = { t: 'add', a: left, b: this.term() };
      } else if (this.isOp('-')) {
        this.i++;
        left = { t: 'sub', a: left, b: this.term() };
      } else if (this.isCmd('pm') || this.isCmd('mp')) {
        this.i++;
        left = { t: 'pm', a: left, b: this.term() };
      } else break;
    }
    this.depth--;
    return left;
  }

  /** A product, with a leading sign. Implicit multiplication: 2x, 2\sqrt{3}, x(x+1); mixed numbers 2\frac12. */
  private term(): Node {
    this.enter();
    let out: Node;
    if (this.isOp('-')) {
      this.i++;
      out = { t: 'neg', a: this.term() };
    } else if (this.isOp('+')) {
      this.i++;
      out = this.term();
    } else if (this.isCmd('pm') || this.isCmd('mp')) {
      this.i++;
      out = { t: 'pm', a: null, b: this.term() };
    } else {
      let left = this.power();
      for (;;) {
        this.skipTrailingUnit();
        if (this.isOp('*') || this.isCmd('cdot') || this.isCmd('times') || this.isCmd('ast')) {
          this.i++;
          left = { t: 'mul', a: left, b: this.signedPower() };
        } else if (this.isOp('/') || this.isCmd('div') || this.isOp(':')) {
          this.i++;
          left = { t: 'div', a: left, b: this.signedPower() };
        } else if (this.startsAtom()) {
          const right = this.power();
          if (isIntLit(left) && right.t === 'div' && isIntLit(right.a) && isIntLit(right.b) && this.lastWasFrac) {
            // 2\frac{1}{2} is a mixed number: 2 + 1/2
            left = { t: 'add', a: left, b: right };
          } else left = { t: 'mul', a: left, b: right };
        } else break;
      }
      out = left;
    }
    this.depth--;
    return out;
  }

  /** A unit word right after a value inside a product (`5\text{ cm} + …` is rare; `5 cm` is common). */
  private skipTrailingUnit(): void {
    const t = this.peek();
    if ((t.k === 'text' || t.k === 'word') && isUnitText(t.s)) this.i++;
  }

  private signedPower(): Node {
    if (this.isOp('-')) {
      this.i++;
      return { t: 'neg', a: this.signedPower() };
    }
    if (this.isOp('+')) {
      this.i++;
      return this.signedPower();
    }
    return this.power();
  }

  private startsAtom(): boolean {
    const t = this.peek();
    switch (t.k) {
      case 'num':
      case 'letter':
      case 'begin':
        return true;
      case 'word':
        return !/^(and|or)$/i.test(t.s) && !isUnitText(t.s);
      case 'text':
        return t.s.trim() !== '' && !/^\s*(and|or)\s*$/i.test(t.s) && !isUnitText(t.s);
      case 'op':
        return t.s === '(' || t.s === '{' || t.s === '\\{';
      case 'cmd':
        return !['cdot', 'times', 'div', 'pm', 'mp', 'cup', 'cap', 'setminus', 'in', 'le', 'ge', 'ne', 'approx', 'equiv', 'to', 'rfloor', 'rceil', 'rvert', 'rangle', '\\', 'cr', 'hline'].includes(t.s) && !REL[t.s];
      default:
        return false;
    }
  }

  private lastWasFrac = false;

  private power(): Node {
    this.enter();
    const base = this.postfix();
    let out = base;
    if (this.isOp('^')) {
      this.i++;
      const exp = this.script();
      out = { t: 'pow', a: base, b: exp };
      out = this.postfixOps(out);
    }
    this.depth--;
    return out;
  }

  /** Superscript / subscript argument: {group}, a signed token, or one atom. Plain `2^10` takes the whole number. */
  private script(): Node {
    if (this.isOp('{')) {
      this.i++;
      const inner = this.relationOrList('}');
      this.expectOp('}');
      return inner;
    }
    if (this.isOp('-')) {
      this.i++;
      return { t: 'neg', a: this.script() };
    }
    if (this.isOp('(')) return this.postfix();
    return this.postfixOps(this.atom());
  }

  private relationOrList(closer: string): Node {
    const items = this.items([closer]);
    if (items.length === 0) throw new ParseError('empty group');
    return items.length === 1 ? items[0]! : { t: 'set', items };
  }

  private postfix(): Node {
    return this.postfixOps(this.atom());
  }

  private postfixOps(n: Node): Node {
    for (;;) {
      if (this.isOp('!')) {
        this.i++;
        n = { t: 'fn', name: 'fact', args: [n] };
      } else if (this.isOp('%')) {
        this.i++;
        n = { t: 'pct', a: n };
      } else if (this.isOp("'")) {
        this.i++;
        n = n.t === 'var' ? { t: 'var', name: `${n.name}'` } : n;
      } else if (this.isOp('_') && (n.t === 'var' || n.t === 'num')) {
        this.i++;
        const sub = this.script();
        n = { t: 'var', name: `${n.t === 'var' ? n.name : showLit(n)}_${flat(sub)}` };
      } else return n;
    }
  }

  /** Argument of \frac, \sqrt, \binom: a {group}, or one character of TeX's single-token argument (\frac12). */
  private arg(): Node {
    if (this.isOp('{')) {
      this.i++;
      const inner = this.relationOrList('}');
      this.expectOp('}');
      return inner;
    }
    const t = this.peek();
    if (t.k === 'num') {
      // \frac12: one digit each
      this.i++;
      if (t.s.length > 1 && /^\d+$/.test(t.s)) {
        this.toks.splice(this.i, 0, { k: 'num', s: t.s.slice(1) });
        return num(rat(BigInt(t.s[0]!)));
      }
      return numLit(t.s);
    }
    return this.atom();
  }

  private atom(): Node {
    this.enter();
    const out = this.atomInner();
    this.depth--;
    return out;
  }

  private atomInner(): Node {
    const t = this.next();
    this.lastWasFrac = false;
    switch (t.k) {
      case 'num': {
        const lit = numLit(t.s);
        if (this.isCmd('overline') || this.isCmd('bar')) {
          this.i++;
          const rep = this.arg();
          return repeating(t.s, rep);
        }
        return lit;
      }
      case 'letter':
        if (t.s === 'e') return { t: 'const', name: 'e' };
        if (t.s === 'i') return { t: 'const', name: 'i' };
        return { t: 'var', name: t.s };
      case 'word':
        return this.word(t.s);
      case 'text':
        return this.textAtom(t.s);
      case 'begin':
        return this.environment(t.s);
      case 'op':
        return this.bracket(t.s);
      case 'cmd':
        return this.command(t.s);
      default:
        throw new ParseError('unexpected end');
    }
  }

  private word(w: string): Node {
    const lw = w.toLowerCase();
    if (lw === 'pi') return { t: 'const', name: 'pi' };
    if (lw === 'inf' || lw === 'infty') return { t: 'const', name: 'inf' };
    if (lw === 'sqrt') return { t: 'fn', name: 'sqrt', args: [this.fnArg()] };
    if (lw === 'abs') return { t: 'fn', name: 'abs', args: [this.fnArg()] };
    if (FUNCS.has(lw)) return this.func(lw);
    return { t: 'text', s: lw };
  }

  private textAtom(s: string): Node {
    const inner = s.trim();
    if (/^[a-zA-Z]$/.test(inner)) return inner === 'e' ? { t: 'const', name: 'e' } : { t: 'var', name: inner };
    // \text{13}, \mathrm{3x}: the content is math
    if (/^[-+]?[\d.,\s]+$/.test(inner) || /^[\d\s+\-*/^().a-z]+$/i.test(inner) && /\d/.test(inner) && !/[a-z]{2}/i.test(inner)) {
      const n = parseNormalised(normaliseLatex(inner));
      return n;
    }
    if (FUNCS.has(inner)) return this.func(inner);
    return { t: 'text', s: inner.toLowerCase().replace(/\s+/g, ' ') };
  }

  private fnArg(): Node {
    if (this.isOp('(')) {
      this.i++;
      const inner = this.relationOrList(')');
      this.expectOp(')');
      return inner;
    }
    if (this.isOp('{')) return this.arg();
    // \sin 2x: a product of plain atoms, no explicit operators
    let n = this.power();
    while (this.peek().k === 'num' || this.peek().k === 'letter') n = { t: 'mul', a: n, b: this.power() };
    return n;
  }

  private func(name: string): Node {
    let base: Node | null = null;
    let powr: Node | null = null;
    if (this.isOp('_')) {
      this.i++;
      base = this.script();
    }
    if (this.isOp('^')) {
      this.i++;
      powr = this.script();
    }
    if (name === 'log' && !base && this.isOp('_')) {
      this.i++;
      base = this.script();
    }
    const a = this.fnArg();
    let n: Node;
    if (name === 'log' || name === 'lg') n = base ? { t: 'fn', name: 'logb', args: [base, a] } : { t: 'fn', name: 'log10', args: [a] };
    else n = { t: 'fn', name, args: [a] };
    if (powr) {
      // \sin^{-1} x is arcsin
      if (powr.t === 'neg' && powr.a.t === 'num' && powr.a.v.n === 1n && powr.a.v.d === 1n && ['sin', 'cos', 'tan'].includes(name)) {
        n = { t: 'fn', name: `arc${name}`, args: [a] };
      } else n = { t: 'pow', a: n, b: powr };
    }
    return n;
  }

  private command(c: string): Node {
    switch (c) {
      case 'pi':
        return { t: 'const', name: 'pi' };
      case 'infty':
      case 'infin':
        return { t: 'const', name: 'inf' };
      case 'emptyset':
      case 'varnothing':
        return { t: 'set', items: [] };
      case 'frac': {
        const a = this.arg();
        const b = this.arg();
        this.lastWasFrac = true;
        return { t: 'div', a, b };
      }
      case 'binom':
      case 'dbinom':
      case 'tbinom':
        return { t: 'fn', name: 'binom', args: [this.arg(), this.arg()] };
      case 'sqrt': {
        if (this.isOp('[')) {
          this.i++;
          const idx = this.additive();
          this.expectOp(']');
          return { t: 'fn', name: 'root', args: [this.arg(), idx] };
        }
        return { t: 'fn', name: 'sqrt', args: [this.arg()] };
      }
      case 'lfloor':
      case 'lceil': {
        const inner = this.additive();
        const close = c === 'lfloor' ? 'rfloor' : 'rceil';
        if (!this.isCmd(close)) throw new ParseError(`expected \\${close}`);
        this.i++;
        return { t: 'fn', name: c === 'lfloor' ? 'floor' : 'ceil', args: [inner] };
      }
      case 'lvert':
      case 'vert':
      case 'mid': {
        const inner = this.additive();
        if (!(this.isCmd('rvert') || this.isCmd('vert') || this.isCmd('mid') || this.isOp('|'))) throw new ParseError('expected closing |');
        this.i++;
        return { t: 'fn', name: 'abs', args: [inner] };
      }
      case 'overline':
      case 'bar':
        return this.arg();
      case 'exp':
        return { t: 'fn', name: 'exp', args: [this.fnArg()] };
      default:
        if (FUNCS.has(c)) return this.func(c);
        if (GREEK.has(c)) return { t: 'var', name: c };
        // an unknown command names a symbol (\zzz, \sum): it compares by name only
        if (/^[a-zA-Z]+$/.test(c) && !STRUCTURAL.has(c)) return { t: 'var', name: `\\${c}` };
        throw new ParseError(`unknown command \\${c}`);
    }
  }

  private bracket(open: string): Node {
    if (open === '|') {
      const inner = this.additive();
      this.expectOp('|');
      return { t: 'fn', name: 'abs', args: [inner] };
    }
    if (open === '\\{') {
      const items = this.items(['\\}']);
      this.expectOp('\\}');
      return { t: 'set', items };
    }
    if (open === '{') {
      const items = this.items(['}']);
      this.expectOp('}');
      if (items.length === 1) return items[0]!;
      return { t: 'set', items };
    }
    if (open === '(' || open === '[') {
      const items = this.items([')', ']']);
      const close = this.next();
      if (close.k !== 'op' || (close.s !== ')' && close.s !== ']')) throw new ParseError('unclosed bracket');
      if (items.length === 1 && open === '(' && close.s === ')') return items[0]!;
      if (items.length === 1 && open === '[' && close.s === ']') return items[0]!;
      if (items.length === 2 && !(open === '(' && close.s === ')')) {
        return { t: 'interval', lo: items[0]!, hi: items[1]!, lopen: open === '(', hopen: close.s === ')' };
      }
      if (items.length >= 2 && open === '(' && close.s === ')') return { t: 'tuple', items };
      if (items.length >= 2 && open === '[' && close.s === ']') return { t: 'tuple', items };
      throw new ParseError('malformed bracket group');
    }
    throw new ParseError(`unexpected '${open}'`);
  }

  private environment(env: string): Node {
    if (!MATRIX_ENVS.has(env)) throw new ParseError(`unsupported environment ${env}`);
    const rows: Node[][] = [[]];
    for (;;) {
      const t = this.peek();
      if (t.k === 'end') {
        this.i++;
        break;
      }
      if (t.k === 'eof') throw new ParseError(`unclosed ${env}`);
      if (t.k === 'op' && t.s === '&') {
        this.i++;
        continue;
      }
      if (t.k === 'cmd' && (t.s === '\\' || t.s === 'cr')) {
        this.i++;
        rows.push([]);
        continue;
      }
      if (t.k === 'cmd' && t.s === 'hline') {
        this.i++;
        continue;
      }
      rows[rows.length - 1]!.push(this.relation());
    }
    const kept = rows.filter((r) => r.length > 0);
    if (!kept.length || kept.some((r) => r.length !== kept[0]!.length)) throw new ParseError('ragged matrix');
    if (env === 'vmatrix') return { t: 'fn', name: 'det', args: [{ t: 'matrix', rows: kept }] };
    return { t: 'matrix', rows: kept };
  }
}

function isIntLit(n: Node): boolean {
  return n.t === 'num' && n.v.d === 1n && !n.dec && n.v.n >= 0n;
}

function showLit(n: Node & { t: 'num' }): string {
  return n.v.d === 1n ? n.v.n.toString() : `${n.v.n}/${n.v.d}`;
}

function flat(n: Node): string {
  if (n.t === 'num') return showLit(n);
  if (n.t === 'var') return n.name;
  return show(n);
}

function numLit(s: string): Node {
  const v = parseDecimal(s);
  if (!v) throw new ParseError(`bad number ${s}`);
  const m = /\.(\d*)/.exec(s);
  const e = /[eE]([+-]?\d+)/.exec(s);
  const dec = /[.eE]/.test(s);
  return dec ? num(v, true, (m?.[1]?.length ?? 0) - Number(e?.[1] ?? 0)) : num(v);
}

/** 0.\overline{3} = 1/3; 1.2\overline{34} = (1234 - 12) / 990. */
function repeating(lit: string, rep: Node): Node {
  if (rep.t !== 'num' || rep.v.d !== 1n) throw new ParseError('bad repeating decimal');
  const digits = rep.v.n.toString();
  const m = /^(\d*)\.?(\d*)$/.exec(lit);
  if (!m) throw new ParseError('bad repeating decimal');
  const intPart = m[1] || '0';
  const pre = m[2] ?? '';
  const all = BigInt(intPart + pre + digits);
  const head = BigInt(intPart + pre);
  const den = 10n ** BigInt(pre.length) * (10n ** BigInt(digits.length) - 1n);
  return num(rat(all - head, den));
}

/** Parses an already-normalised answer. Throws ParseError when it is not a value we can read. */
export function parseNormalised(s: string): Node {
  if (!s) throw new ParseError('empty answer');
  const groups = solutionGroups(s);
  // "p=5, q=2; p=7, q=2": semicolons separate solutions, commas the parts of one
  if (groups.length > 1 && groups.some((g) => splitTopLevel(g, ',').length > 1)) {
    const items = groups.map((g): Node => {
      const n = new Parser(tokenize(g)).top();
      return n.t === 'list' ? { t: 'tuple', items: n.items } : n;
    });
    items.forEach((n) => checkText(n, true));
    return { t: 'list', items };
  }
  const n = new Parser(tokenize(s)).top();
  checkText(n, true);
  return n;
}

/**
 * Solutions of a system: split at top-level `;`, or else at "and"/"or" (`\quad\text{and}\quad`) when every
 * part is itself a comma list of equations (`p = 5, q = 2 \text{ and } p = 7, q = 2` is two solutions, not four equations).
 */
function solutionGroups(s: string): string[] {
  const groups = splitTopLevel(s, ';');
  if (groups.length > 1) return groups;
  const marked = s.replace(/\\text\{\s*(?:and|or)\s*\}|\s(?:and|or)\s/g, (m) => (m.includes('{') ? '\u0000' : ' \u0000 '));
  if (!marked.includes('\u0000')) return groups;
  const parts = splitTopLevel(marked, '\u0000');
  // only systems of equations: "2, 3 and 5, 7" stays the list of four numbers
  return parts.length > 1 && parts.every((g) => splitTopLevel(g, ',').length > 1 && g.includes('=')) ? parts : groups;
}

/** Splits at `sep` outside brackets and braces. */
function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === sep && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim()).filter(Boolean);
}

/** Prose inside arithmetic ("Jane started 3 hours") is not an answer: text may only stand alone or in a list. */
function checkText(n: Node, free: boolean): void {
  switch (n.t) {
    case 'text':
      if (!free) throw new ParseError('text inside an expression');
      return;
    case 'list':
    case 'set':
    case 'tuple':
      n.items.forEach((x) => checkText(x, true));
      return;
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      checkText(n.a, false);
      checkText(n.b, false);
      return;
    case 'neg':
    case 'pct':
      checkText(n.a, false);
      return;
    case 'fn':
      n.args.forEach((x) => checkText(x, false));
      return;
    case 'rel':
      n.sides.forEach((x) => checkText(x, false));
      return;
    default:
      return;
  }
}

/** Parses a raw answer (LaTeX or plain text). */
export function parseAnswer(raw: string): Node {
  return parseNormalised(normaliseLatex(raw));
}

export type { Rational };
