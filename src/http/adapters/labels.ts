// How a trainer's label / ground truth becomes a task. One rule for every adapter (and mirrored by the
// Python client, clients/python/r1reward/labels.py):
//   absent, null or ""                      -> no task (accuracy does not apply; format etc. still score)
//   an object with a string `type`          -> that task, as is ({"type":"code", ...}, {"type":"exact", ...})
//   an object without `type`                -> {type: <default>, ...object}
//   a string holding a JSON object          -> the object, by the two rules above
//   any other string, or a number           -> {type: <default>, answer: "<the label>"} (a math answer)
//   anything else (array, boolean)          -> {type: <default>, answer: <it>}: the verifier rejects it as invalid_task
import type { Task } from '../../contract/types.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fromObject(o: Record<string, unknown>, defaultType: string): Task {
  return typeof o['type'] === 'string' ? (o as Task) : { ...o, type: defaultType };
}

export function labelToTask(label: unknown, defaultType: string): Task | undefined {
  if (label === undefined || label === null || label === '') return undefined;
  if (isObject(label)) return fromObject(label, defaultType);
  if (typeof label === 'string') {
    if (label.trimStart().startsWith('{')) {
      try {
        const parsed = JSON.parse(label) as unknown;
        if (isObject(parsed)) return fromObject(parsed, defaultType);
      } catch {
        // not JSON after all: an answer that happens to start with a brace, e.g. "{1, 2}"
      }
    }
    return { type: defaultType, answer: label };
  }
  if (typeof label === 'number') return { type: defaultType, answer: String(label) };
  return { type: defaultType, answer: label };
}
