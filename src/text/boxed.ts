// \boxed{…} / \fbox{…} extraction with brace matching. Linear in the input, whatever its nesting depth.

/** Reads a brace group starting at `open` (which must be '{'); returns the inner text and the end index. */
export function readBraceGroup(text: string, open: number): { inner: string; end: number } | null {
  if (text[open] !== '{') return null;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++; // an escaped brace \{ does not count
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  return null;
}

const BOX = /\\(?:boxed|fbox)\b/g;

/**
 * Every \boxed / \fbox argument in order. `\boxed{…}` takes the brace group; `\boxed 5` (TeX's
 * one-token argument) takes the following token up to a space, `$` or end of line.
 */
export function allBoxed(text: string): string[] {
  return boxedSpans(text).map((b) => b.inner);
}

export interface BoxedSpan {
  inner: string;
  /** index of the backslash of \boxed */
  start: number;
  /** index just after the argument */
  end: number;
}

/** Every \boxed / \fbox argument with where it sits in the text. */
export function boxedSpans(text: string): BoxedSpan[] {
  const out: BoxedSpan[] = [];
  BOX.lastIndex = 0;
  for (let m = BOX.exec(text); m; m = BOX.exec(text)) {
    let i = m.index + m[0].length;
    while (text[i] === ' ') i++;
    if (text[i] === '{') {
      const g = readBraceGroup(text, i);
      if (!g) continue; // unbalanced: no answer here
      out.push({ inner: g.inner, start: m.index, end: g.end });
      BOX.lastIndex = g.end;
    } else {
      const tok = /^[^\s$\\{}]+/.exec(text.slice(i, i + 200));
      if (tok) out.push({ inner: tok[0], start: m.index, end: i + tok[0].length });
    }
  }
  return out;
}

/** The last boxed answer, or null. Only the last counts when several are given. */
export function lastBoxed(text: string): string | null {
  const all = allBoxed(text);
  return all.length ? all[all.length - 1]! : null;
}
