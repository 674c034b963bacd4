// npm run convert:code -- --from humaneval|mbpp|apps|taco|livecodebench|codecontests|open-r1 [--language python] in.jsonl > tasks.jsonl
// Writes one {"id","prompt","task"} line per input row; rows that cannot be converted are reported on stderr (never dropped silently).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { convertRow, FORMATS, type Format } from '../src/code/convert.js';

const args = process.argv.slice(2);
const get = (k: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const from = get('from') as Format | undefined;
const language = get('language') ?? 'python';
if (!from || !FORMATS.includes(from) || args.length !== 1) {
  console.error(`usage: convert-code --from ${FORMATS.join('|')} [--language L] input.jsonl > tasks.jsonl`);
  process.exit(64);
}
let n = 0;
let bad = 0;
for await (const line of createInterface({ input: createReadStream(args[0]!) })) {
  if (!line.trim()) continue;
  n++;
  try {
    process.stdout.write(`${JSON.stringify(convertRow(from, JSON.parse(line) as Record<string, unknown>, language))}\n`);
  } catch (e) {
    bad++;
    console.error(`line ${n}: ${(e as Error).message}`);
  }
}
console.error(`converted ${n - bad}/${n} rows from ${from}`);
process.exitCode = bad ? 1 : 0;
