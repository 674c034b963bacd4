// String-level clean-up of an answer before it is tokenised: the LaTeX spellings that mean the same thing
// collapse to one, layout commands go, thousands separators join their digits. Every step is a linear regex.

/** Unit words stripped after a number (`5\text{ cm}`, `20 dollars`). Lower-case, singular and plural. */
const UNIT_WORDS = [
  'units?', 'square', 'sq', 'cubic', 'cm', 'mm', 'km', 'm', 'meters?', 'metres?', 'centimeters?', 'millimeters?',
  'kilometers?', 'inch(?:es)?', 'in', 'feet', 'foot', 'ft', 'yards?', 'yd', 'miles?', 'mi', 'mph', 'kph',
  'seconds?', 'secs?', 's', 'minutes?', 'mins?', 'hours?', 'hrs?', 'h', 'days?', 'weeks?', 'months?', 'years?',
  'grams?', 'g', 'kg', 'kilograms?', 'mg', 'pounds?', 'lbs?', 'ounces?', 'oz', 'tons?', 'liters?', 'litres?', 'l',
  'ml', 'gallons?', 'cups?', 'dollars?', 'cents?', 'euros?', 'degrees?', 'deg', 'radians?', 'rad', 'percent',
  'people', 'persons?', 'students?', 'items?', 'pieces?', 'times', 'ways', 'points?', 'sides?', 'apples?', 'eggs?',
  'cookies?', 'books?', 'pages?', 'marbles?', 'coins?', 'boxes', 'box', 'bags?', 'balls?', 'cars?', 'trees?',
  'children', 'kids?', 'boys?', 'girls?', 'men', 'women', 'friends?', 'games?', 'tickets?', 'stamps?',
];
const UNIT_RE = new RegExp(`^(?:${UNIT_WORDS.join('|')})(?:\\^?\\{?[23]\\}?)?$`, 'i');

export function isUnitText(s: string): boolean {
  const words = s.trim().replace(/[.]$/, '').split(/\s+/).filter(Boolean);
  return words.length > 0 && words.length <= 4 && words.every((w) => UNIT_RE.test(w));
}

const UNICODE: [RegExp, string][] = [
  [/[−–—‐‑]/g, '-'],
  [/×/g, '\\times '],
  [/[·⋅]/g, '\\cdot '],
  [/÷/g, '\\div '],
  [/π/g, '\\pi '],
  [/∞/g, '\\infty '],
  [/√/g, '\\sqrt'],
  [/≤|⩽/g, '\\le '],
  [/≥|⩾/g, '\\ge '],
  [/≠/g, '\\ne '],
  [/∪/g, '\\cup '],
  [/∩/g, '\\cap '],
  [/∈/g, '\\in '],
  [/±/g, '\\pm '],
  [/°/g, '^\\circ '],
  [/，/g, ','],
  [/：/g, ':'],
  [/\u00a0|\u2009|\u202f/g, ' '],
];

/** Strips one layer of math delimiters around the whole answer. */
export function stripDelimiters(s: string): string {
  let t = s.trim();
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t
      .replace(/^\$\$([\s\S]*)\$\$$/, '$1')
      .replace(/^\$([\s\S]*)\$$/, '$1')
      .replace(/^\\\(([\s\S]*)\\\)$/, '$1')
      .replace(/^\\\[([\s\S]*)\\\]$/, '$1')
      .trim();
  }
  return t;
}

/**
 * Canonical LaTeX for the tokenizer. Keeps meaning: only spellings, layout and separators change.
 */
/**
 * LaTeX that went through a JSON or Python string without escaping: "\frac" arrives as form feed + "rac",
 * "\text" as tab + "ext", "\boxed" as backspace + "oxed". Put the backslash back.
 */
// control characters are the whole point here: they are what the lost backslashes turned into
/* eslint-disable no-control-regex */
export function repairEscapes(s: string): string {
  if (!/[\t\b\f\r\x07\v]/.test(s)) return s;
  return s
    .replace(/\f(?=rac|box)/g, '\\f')
    .replace(/\t(?=ext|imes|heta|an\b|frac|binom)/g, '\\t')
    .replace(/\x08(?=oxed|inom|eta|ig)/g, '\\b')
    .replace(/\r(?=ight|ho|angle|floor|ceil)/g, '\\r')
    .replace(/\x07(?=lpha|pprox)/g, '\\a')
    .replace(/\v(?=ec|arphi|ert)/g, '\\v');
}
/* eslint-enable no-control-regex */

export function normaliseLatex(input: string): string {
  let s = stripDelimiters(repairEscapes(input));
  // a string escaped twice (\\frac everywhere, no single-backslash command): halve the backslashes
  if (/\\\\[a-zA-Z]/.test(s) && !/(?<!\\)\\[a-zA-Z]/.test(s)) s = s.replace(/\\\\/g, '\\');
  // leftover $ are delimiters of inner environments or currency signs: neither carries value
  s = s.replace(/(?<!\\)\$/g, ' ');
  for (const [re, to] of UNICODE) s = s.replace(re, to);
  s = s
    .replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits|mathstrut)\b/g, ' ')
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg|mleft|mright)(?![a-zA-Z])\s*/g, '')
    .replace(/\\[dtc]frac(?![a-zA-Z])/g, '\\frac')
    .replace(/\\(?:operatorname|mathrm|mathbf|mathit|textbf|textit|textrm|mathsf|boldsymbol|bm|mathbb|mathcal)\s*\{/g, '\\text{')
    .replace(/\\(?:mbox|hbox|textnormal)\s*\{/g, '\\text{')
    // thousands separators written with LaTeX spacing: 1{,}000, 1,\!000, 1\,000, 1\!000
    .replace(/(\d)\s*\{\s*,\s*\}\s*(?=\d{3}(?!\d))/g, '$1')
    .replace(/\{\s*,\s*\}/g, ',')
    // squared / cubed units: 15\text{ cm}^2
    .replace(/(\\text\{[^{}]*\})\s*\^\s*\{?[23]\}?/g, '$1')
    .replace(/(\d),\\!\s*(?=\d{3}(?!\d))/g, '$1,')
    .replace(/(\d)(?<!\\)\\[,!;: ]\s*(?=\d{3}(?!\d))/g, '$1')
    .replace(/(?<!\\)\\[,;:! ]/g, ' ')
    .replace(/~/g, ' ')
    .replace(/\\q?quad/g, ' ')
    // degrees: 120^\circ, 120^{\circ}, 120\degree, 120°
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ\b|\\circ\b|\\degree\b/g, '')
    .replace(/\\(?:%|percent\b)/g, '%')
    .replace(/(\d)\s*(?:percent(?:age)?|pct)\b/g, '$1%')
    .replace(/\\\$/g, '')
    .replace(/\\(?:dots|ldots|cdots)\b/g, '…')
    .replace(/\\neq\b/g, '\\ne ')
    .replace(/\\leq?slant\b|\\leqq?\b/g, '\\le ')
    .replace(/\\geq?slant\b|\\geqq?\b/g, '\\ge ')
    .replace(/\\lt\b/g, '<')
    .replace(/\\gt\b/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
  // a trailing full stop ends the sentence, not the number
  s = s.replace(/(?<!\.)\s*\.$/, '').trim();
  return s;
}
