// Tokeniser for normalised LaTeX / plain-text answers. Linear; never backtracks.

export type Token =
  | { k: 'num'; s: string }
  | { k: 'letter'; s: string }
  /** a plain word of several letters (units, "and", function names written without a backslash) */
  | { k: 'word'; s: string }
  | { k: 'cmd'; s: string }
  | { k: 'text'; s: string }
  | { k: 'begin' | 'end'; s: string }
  | { k: 'op'; s: string }
  | { k: 'eof'; s: '' };

export class ParseError extends Error {}

const PLAIN_FUNCS = new Set([
  'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'ln', 'log', 'exp',
  'sqrt', 'abs', 'and', 'or', 'pi', 'inf', 'infty',
]);

/** Reads `{…}` at i (i at '{'): returns the inner text and index after '}'. */
function braceAt(s: string, i: number): { inner: string; end: number } {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return { inner: s.slice(i + 1, j), end: j + 1 };
  }
  throw new ParseError('unbalanced braces');
}

/** Splits a normalised answer into tokens. `1,000,000` and `1 000` (outside brackets) become one number. */
export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\n' || c === '\t') {
      i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      // clock times (4:30) are text, not ratios
      const time = /^\d{1,2}:\d{2}(?![\d:])(?=\s*(?:\\text\{\s*)?[ap]\.?\s*m\b)/i.exec(s.slice(i, i + 24));
      if (time && (i === 0 || !/[\d.]/.test(s[i - 1]!))) {
        out.push({ k: 'text', s: time[0] });
        i += time[0].length;
        continue;
      }
      // decimal comma, only where it cannot be a list or thousands: 0,111 and 1000,99
      const dc = /^(0|\d{4,}),(\d+)(?![\d,.])/.exec(s.slice(i, i + 80));
      if (dc && depth === 0 && !(dc[2]!.length === 3 && dc[1] !== '0')) {
        out.push({ k: 'num', s: `${dc[1]}.${dc[2]}` });
        i += dc[0].length;
        continue;
      }
    }
    if ((c >= '0' && c <= '9') || (c === '.' && /\d/.test(s[i + 1] ?? ''))) {
      const m = /^(\d*)(\.\d*)?/.exec(s.slice(i, i + 4000))!;
      let intPart = m[1]!;
      let j = i + intPart.length;
      if (depth === 0 && intPart.length >= 1 && intPart.length <= 3 && !m[2]) {
        // thousands groups: 1,234,567 or 1 234 567 — every later group exactly three digits
        const rest = s.slice(j, j + 4000);
        const g = /^(?:,\d{3}(?!\d))+/.exec(rest) ?? /^(?: \d{3}(?![\d.,]))+/.exec(rest);
        if (g) {
          intPart += g[0].replace(/[, ]/g, '');
          j += g[0].length;
        }
      }
      let frac = '';
      const fm = /^\.\d*/.exec(s.slice(j, j + 4000));
      if (fm && !(fm[0] === '.' && !/\d/.test(intPart))) {
        frac = fm[0];
        j += frac.length;
      }
      let exp = '';
      const em = /^[eE]([+-]?\d+)/.exec(s.slice(j, j + 12));
      if (em && !/^[a-zA-Z]/.test(s.slice(j + em[0].length))) {
        exp = em[0];
        j += exp.length;
      }
      out.push({ k: 'num', s: intPart + frac + exp });
      i = j;
      continue;
    }
    if (/[a-zA-Z]/.test(c)) {
      const m = /^[a-zA-Z]+/.exec(s.slice(i, i + 200))!;
      const w = m[0];
      if (w.length === 1) out.push({ k: 'letter', s: w });
      else if (PLAIN_FUNCS.has(w.toLowerCase()) || w.length >= 3) out.push({ k: 'word', s: w });
      else for (const ch of w) out.push({ k: 'letter', s: ch });
      i += w.length;
      continue;
    }
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+|.)/.exec(s.slice(i, i + 200));
      if (!m) throw new ParseError('dangling backslash');
      const name = m[1]!;
      i += m[0].length;
      if (name === 'text' || name === 'textup' || name === 'textsf') {
        while (s[i] === ' ') i++;
        if (s[i] !== '{') throw new ParseError('\\text without braces');
        const b = braceAt(s, i);
        out.push({ k: 'text', s: b.inner });
        i = b.end;
        continue;
      }
      if (name === 'begin' || name === 'end') {
        while (s[i] === ' ') i++;
        const b = braceAt(s, i);
        out.push({ k: name, s: b.inner.trim() });
        i = b.end;
        if (name === 'begin' && b.inner.trim() === 'array' && s[i] === '{') i = braceAt(s, i).end; // column spec
        continue;
      }
      if (name === '{' || name === '}') {
        out.push({ k: 'op', s: name === '{' ? '\\{' : '\\}' });
        depth += name === '{' ? 1 : -1;
        continue;
      }
      out.push({ k: 'cmd', s: name });
      continue;
    }
    if (c === '!' && s[i + 1] === '=') {
      out.push({ k: 'cmd', s: 'ne' });
      i += 2;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    out.push({ k: 'op', s: c === '*' && s[i + 1] === '*' ? '^' : c });
    i += c === '*' && s[i + 1] === '*' ? 2 : 1;
  }
  out.push({ k: 'eof', s: '' });
  return out;
}
