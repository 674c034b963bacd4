// Worker-thread entry: grades one item per message (or, with `op`, reads a prediction's answer key or
// matches it against others for majority voting). Killable from outside (the pool terminates it on timeout),
// memory-bounded by the pool's resourceLimits. mathjs is loaded here only, once per worker.
import { parentPort } from 'node:worker_threads';
import { all, create, simplify } from 'mathjs';
import type { Node } from './ast.js';
import { answerKeyOf, matchKey } from './answer-key.js';
import { grade, type GradeOptions } from './grade.js';
import { mathjsChecker, preciseChecker } from './symbolic.js';

/** One item: grade (no op), an answer key, or a match against keys already voted. */
export type WorkerJob =
  | { op?: 'grade'; answer: string; gold: string | number; opts: GradeOptions }
  | { op: 'key'; answer: string; opts: GradeOptions }
  | { op: 'match'; text: string; reps: string[]; opts: GradeOptions };
export type WorkerRequest = WorkerJob & { id: number };

const port = parentPort;
if (!port) throw new Error('math worker must run in a worker thread');
const checker = mathjsChecker((e) => simplify(e));
const big = create(all!, { number: 'BigNumber', precision: 80 }); // 'all' is always defined in the full mathjs build
const precise = preciseChecker((e) => big.evaluate(e) as { toString(): string });
const goldCache = new Map<string, { node: Node; normalised: string } | Error>();

port.on('message', (m: WorkerRequest) => {
  let result;
  try {
    if (m.op === 'key') result = answerKeyOf(m.answer, m.opts);
    else if (m.op === 'match') result = matchKey(m.text, m.reps, m.opts, { symbolic: checker, precise });
    else result = grade(m.answer, m.gold, m.opts, { symbolic: checker, precise }, goldCache);
  } catch (err) {
    result = m.op ? { error: (err as Error).message } : { accuracy: null, status: 'internal_error', error: (err as Error).message, details: {} };
  }
  port.postMessage({ id: m.id, result });
});
port.postMessage({ ready: true });
