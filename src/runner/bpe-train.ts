// A deterministic byte-level BPE trainer that emits a Hugging Face tokenizer.json (for init-model).
// Pre-tokenization matches what the file declares: digits split into runs of 1–3, then GPT-2's
// byte-level regex; bytes map to printable characters with GPT-2's byte-to-unicode table.

/** GPT-2's byte -> printable unicode character table. */
export function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return table;
}

const DIGITS = /\p{N}{1,3}/gu;
const GPT2 = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Split text the way the emitted tokenizer.json's pre-tokenizer does. */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  const pieces: string[] = [];
  for (const m of text.matchAll(DIGITS)) {
    if (m.index > last) pieces.push(text.slice(last, m.index));
    pieces.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  for (const p of pieces) for (const m of p.matchAll(GPT2)) out.push(m[0]);
  return out;
}

export interface TrainOptions {
  vocabSize: number;
  /** Special tokens, given ids 0.. in order (e.g. BOS, EOS). */
  specials: string[];
  /** Ordinary added tokens (never split), after the merges. */
  added?: string[];
}

/** Train merges on `text` until the vocabulary (specials + 256 bytes + merges + added) reaches vocabSize. */
export function trainByteLevelBpe(text: string, opts: TrainOptions): Record<string, unknown> {
  const b2u = bytesToUnicode();
  const enc = new TextEncoder();
  const counts = new Map<string, number>();
  for (const w of preTokenize(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([w, n]) => ({ syms: [...enc.encode(w)].map((b) => b2u[b]!), n }));
  const vocab: Record<string, number> = {};
  let next = 0;
  for (const s of opts.specials) vocab[s] = next++;
  for (let b = 0; b < 256; b++) vocab[b2u[b]!] = next++;
  const added = opts.added ?? [];
  const merges: string[] = [];
  while (next + added.length < opts.vocabSize) {
    const pairs = new Map<string, number>();
    for (const w of words)
      for (let i = 0; i + 1 < w.syms.length; i++) {
        const key = `${w.syms[i]} ${w.syms[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + w.n);
      }
    let best: string | undefined, bestN = 1;
    for (const [k, n] of pairs)
      if (n > bestN || (n === bestN && best !== undefined && k < best)) {
        best = k;
        bestN = n;
      }
    if (!best) break; // nothing occurs twice: stop early
    const [a, b] = best.split(' ') as [string, string];
    const joined = a + b;
    if (vocab[joined] === undefined) vocab[joined] = next++;
    merges.push(best);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === a && w.syms[i + 1] === b) {
          out.push(joined);
          i++;
        } else out.push(w.syms[i]!);
      }
      w.syms = out;
    }
  }
  for (const s of added) vocab[s] = next++;
  const addedTokens = [
    ...opts.specials.map((s) => ({ id: vocab[s]!, content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    ...added.map((s) => ({ id: vocab[s]!, content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false })),
  ];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: '\\p{N}{1,3}' }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}
