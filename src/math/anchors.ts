// Answer anchors ("the answer is", "answer:", "####", "答案是"…) and what an anchor's answer is. Every scan is
// linear. An anchor that was found decides: its answer is the first answer-shaped expression after it, and
// the caller never falls through to a later number (`答案是 13，不是 12。` answers 13).

export interface Anchor {
  name: string;
  start: number;
  end: number;
}

// "final answer is", "answer is/are", "answer:", GSM8K "####", Chinese anchors, the GSM8K-style "A:" line;
// a bare "answer" (no verb, no colon) is weak: it looks only at what follows closely and does not decide.
const ANCHORS: [string, RegExp][] = [
  ['final_answer', /final\s+answer\s*(?:is|:|=)?\s*[:：]?/gi],
  ['answer_is', /\banswers?\s+(?:is|are|was|will\s+be|would\s+be|should\s+be|equals|=)\s*[:：]?/gi],
  // "answer:" and its translations (réponse, respuesta, resposta, Antwort, risposta, ответ)
  ['answer_colon', /(?<![\p{L}])(?:answers?|r[ée]ponse|respuesta|resposta|antwort|risposta|ответ)\s*[:：]/giu],
  ['gsm8k_hash', /####/g],
  ['zh', /(?:最终答案|答案)\s*(?:是|为|為|[:：])\s*[:：]?/g],
  ['a_colon', /(?:^|\n)\s*A\s*:/g],
  ['answer', /\banswer\b\s*/gi],
];

/** Does this anchor decide the answer (every anchor but a bare "answer")? */
export const decides = (a: Anchor): boolean => a.name !== 'answer';

/** The anchor match that ends rightmost ("final answer is" beats the "answer" inside it), with its name. */
export function lastAnchor(text: string): Anchor | null {
  let best: Anchor | null = null;
  for (const [name, re] of ANCHORS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const end = m.index + m[0].length;
      if (!best || end > best.end || (end === best.end && m.index < best.start)) best = { name, end, start: m.index };
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return best;
}

/**
 * The anchor's answer text: up to the first newline outside any brace group, LaTeX environment or display
 * math, so `\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}` written across lines stays whole.
 */
export function answerSpan(rest: string, max: number): string {
  const s = rest.slice(0, max);
  let braces = 0;
  let envs = 0;
  let display = false; // inside $$…$$ or \[…\]
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\n' && braces <= 0 && envs <= 0 && !display) return s.slice(0, i);
    if (c === '\\') {
      if (s.startsWith('\\begin{', i)) envs++;
      else if (s.startsWith('\\end{', i)) envs--;
      else if (s[i + 1] === '[') display = true;
      else if (s[i + 1] === ']') display = false;
      i++;
    } else if (c === '{') braces++;
    else if (c === '}') braces--;
    else if (c === '$' && s[i + 1] === '$') {
      display = !display;
      i++;
    }
  }
  return s;
}

const env = (s: string): string | null => {
  const m = /\$\$([^$]+)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$([^$]+)\$/.exec(s);
  return m ? (m[1] ?? m[2] ?? m[3] ?? m[4])! : null;
};
const unquote = (s: string): string => s.replace(/^\\?["“']|\\?["”']$/g, '').replace(/^\*\*|\*\*$/g, '').replace(/[.。]\s*$/, '').trim();
// the first answer-shaped expression: a math environment or a number at the start
const LEADING = /^(?:\$\$[^$]+\$\$|\$[^$]+\$|\\\([\s\S]+?\\\)|\\\[[\s\S]+?\\\]|[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*\/\s*\d+)?%?(?![\d.]))/;
// where a Chinese or full-width sentence goes on after its answer: 13，不是 12 / (\frac{2}{5}) 吨
const CJK_TAIL = /[，；。！？、]|\p{Script=Han}/u;

/** Candidates for the text after an anchor, best first: the value after "is/是", the sentence, its math, its number. */
export function afterAnchor(rest: string, strong: boolean): string[] {
  // a bare "answer" only looks at what follows closely, as Math-Verify does (50 chars)
  const span = (strong ? answerSpan(rest.trimStart(), 4000) : /^[^\n]*/.exec(rest.slice(0, 60).trimStart())![0]).trim();
  // the first sentence: up to ". " + capital letter, "I hope", a chat marker, or 。
  const sentence = span.split(/\.\s+(?=[A-Z])|\.\s*$|\s+I hope\b|<\||。/)[0]!.trim();
  // "The largest $n$ is 34", "每份应该是 (\frac{2}{5}) 吨": the value after the last is/are/=/是/为
  const is = /^(.*)\s(?:is|are|equals)\s+(.+)$/s.exec(sentence) ?? /^([^$\\\d]*?)(?<!不)(?:是|为|等于)\s*(.+)$/su.exec(sentence);
  const parts = is ? [unquote(is[2]!), unquote(sentence)] : [unquote(sentence)];
  const out: string[] = [...parts];
  for (const p of parts) {
    const e = env(p);
    if (e) out.push(e);
    const lead = LEADING.exec(p)?.[0];
    if (lead) out.push(lead.replace(/,$/, ''));
    const cut = p.search(CJK_TAIL);
    if (cut > 0) out.push(p.slice(0, cut).trim());
  }
  // "Jane started growing Sphere 3 hours ago", "aura encore 220 $ à payer d'ici 12 mois": the first number
  const first = /(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?/.exec(sentence)?.[0].replace(/,$/, '');
  if (strong && first) out.push(first);
  return [...new Set(out)].filter((s) => s !== '');
}
