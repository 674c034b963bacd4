// The evaluation preset's last-number fallback: the last number of the text that stands on its own. A number
// inside a command's argument or an exponent (`\frac{1}{6}`, `2^{10}`, `\sqrt{2}`) is not a final number; a
// number with LaTeX attached (`2\sqrt{2}`, `2^{10}`, `3\pi`, `6\times10^{5}`) is taken with it. One linear pass.
import { readBraceGroup } from '../text/boxed.js';

// numbers, fractions a/b and percentages: "2/3", "12,000,023", "100%"; and \frac / \sqrt written bare
const TOKEN = /(?<![A-Za-z\d.\\])-?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*\/\s*\d+)?%?(?!\d)|-?\\[dt]?frac(?=\s*\{)|-?\\sqrt(?=\s*[{[])/g;
// commands that belong to the number before them; \times and \cdot only with a number after them
const ATTACHED = /^\s*(?:([\^_])\s*|\\(sqrt|pi|text|mathrm|textrm|mbox|circ|degree|%)(?![A-Za-z])\s*|\\(times|cdot)(?![A-Za-z])\s*(?=\d)|(\d[\d.]*))/;

/** End of a command's arguments from `j`: an optional [n], then brace groups. */
function groupsEnd(text: string, j: number): number {
  while (text[j] === ' ') j++;
  if (text[j] === '[') {
    const c = text.indexOf(']', j);
    if (c < 0 || c - j > 40) return j;
    j = c + 1;
  }
  for (let g = text[j] === '{' ? readBraceGroup(text, j) : null; g; g = text[j] === '{' ? readBraceGroup(text, j) : null) j = g.end;
  return j;
}

/** End of the LaTeX attached to a token ending at `i` (its groups, exponents, constants and units). */
function attachedEnd(text: string, i: number): number {
  let end = i;
  for (let k = 0; k < 8; k++) {
    const m = ATTACHED.exec(text.slice(end, end + 40));
    if (!m) break;
    let j = end + m[0].length;
    if (m[1]) {
      // ^{…}, ^2, _{…}
      if (text[j] === '{') {
        const g = readBraceGroup(text, j);
        if (!g) break;
        j = g.end;
      } else {
        const d = /^(?:\d+|[A-Za-z])/.exec(text.slice(j, j + 40));
        if (!d) break;
        j += d[0].length;
      }
    } else if (m[4] !== undefined && k === 0) {
      break; // a plain number right after the token is another token
    } else {
      j = groupsEnd(text, j);
    }
    end = j;
  }
  return end;
}

export function lastNumber(text: string): { text: string; end: number } | null {
  let last: { text: string; end: number } | null = null;
  let depth = 0;
  let pos = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    for (; pos < m.index; pos++) {
      const c = text[pos];
      if (c === '\\') pos++;
      else if (c === '{') depth++;
      else if (c === '}' && depth > 0) depth--;
    }
    if (depth > 0) continue; // inside a command's argument or an exponent's group
    if (/[\^_]\s*$/.test(text.slice(Math.max(0, m.index - 4), m.index))) continue; // 2^10: the exponent
    let end = m.index + m[0].length;
    if (m[0].endsWith('frac') || m[0].endsWith('sqrt')) end = groupsEnd(text, end);
    end = attachedEnd(text, end);
    last = { text: text.slice(m.index, end).trim().replace(/,$/, ''), end };
    TOKEN.lastIndex = Math.max(TOKEN.lastIndex, end);
  }
  // one number with a comma group that is not three digits: a decimal comma ("2,74")
  if (last && /^-?\d+,\d{1,2}$/.test(last.text)) last = { ...last, text: last.text.replace(',', '.') };
  return last;
}
