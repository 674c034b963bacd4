// Dataset rows -> {"type":"code"} tasks. Each public format maps onto the task contract; conventions of
// the source (APPS wraps call results in a one-element list, LiveCodeBench passes newline-separated JSON
// arguments) are undone here so the verifier stays format-agnostic.

export const FORMATS = ['humaneval', 'mbpp', 'apps', 'taco', 'livecodebench', 'codecontests', 'open-r1'] as const;
export type Format = (typeof FORMATS)[number];

export interface ConvertedRow {
  id?: string;
  prompt?: string;
  task: Record<string, unknown>;
}

type Row = Record<string, unknown>;
const str = (x: unknown): string => (typeof x === 'string' ? x : Array.isArray(x) ? x.map(String).join('\n') : x === undefined || x === null ? '' : String(x));
const parseMaybe = (x: unknown): unknown => {
  if (typeof x !== 'string') return x;
  try {
    return JSON.parse(x);
  } catch {
    return x;
  }
};

function idOf(row: Row): string | undefined {
  const id = row['task_id'] ?? row['problem_id'] ?? row['question_id'] ?? row['id'] ?? row['name'];
  return id === undefined ? undefined : String(id);
}

function ioTests(inputs: unknown[], outputs: unknown[]): { stdin: string; stdout: string }[] {
  return inputs.map((inp, i) => ({ stdin: str(inp), stdout: str(outputs[i]) }));
}

/** APPS / TACO `input_output`: {"inputs": [...], "outputs": [...], "fn_name"?: "..."} (often a JSON string). */
function fromInputOutput(io: unknown): Record<string, unknown> {
  const v = parseMaybe(io) as { inputs?: unknown[]; outputs?: unknown[]; fn_name?: string } | undefined;
  if (!v || !Array.isArray(v.inputs) || !Array.isArray(v.outputs)) throw new Error('input_output: needs "inputs" and "outputs" arrays');
  if (v.fn_name) {
    const outputs = v.outputs;
    return {
      tests: v.inputs.map((args, i) => {
        const out = outputs[i];
        // APPS/TACO store a call's result wrapped in a one-element list
        const expected = Array.isArray(out) && out.length === 1 ? out[0] : out;
        return { call: v.fn_name!, args: Array.isArray(args) ? args : [args], expected };
      }),
    };
  }
  return { tests: ioTests(v.inputs, v.outputs) };
}

/** LiveCodeBench test cases: stdin ones as I/O, "functional" ones as calls on class Solution. */
function fromLiveCodeBench(row: Row): Record<string, unknown> {
  const cases = [...((parseMaybe(row['public_test_cases']) as Row[] | undefined) ?? []), ...((parseMaybe(row['private_test_cases']) as Row[] | undefined) ?? [])];
  if (!cases.length) throw new Error('public_test_cases/private_test_cases: no tests');
  const meta = (parseMaybe(row['metadata']) as Row | undefined) ?? {};
  if (cases[0]!['testtype'] === 'functional') {
    const fn = String(meta['func_name'] ?? '');
    if (!fn) throw new Error('metadata.func_name: needed for functional tests');
    return {
      tests: cases.map((c) => ({
        call: `Solution.${fn}`,
        args: str(c['input'])
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as unknown),
        expected: JSON.parse(str(c['output'])) as unknown,
      })),
    };
  }
  return { tests: cases.map((c) => ({ stdin: str(c['input']), stdout: str(c['output']) })) };
}

export function convertRow(format: Format, row: Row, language = 'python'): ConvertedRow {
  const id = idOf(row);
  const base = (prompt: unknown, task: Record<string, unknown>): ConvertedRow => ({
    ...(id !== undefined ? { id } : {}),
    ...(typeof prompt === 'string' ? { prompt } : {}),
    task: { type: 'code', language, ...task },
  });
  switch (format) {
    case 'humaneval':
      return base(row['prompt'], { test_code: str(row['test']), entry_point: str(row['entry_point']) });
    case 'mbpp': {
      const setup = str(row['test_setup_code']);
      return base(row['text'] ?? row['prompt'], { test_code: (row['test_list'] as string[]).join('\n'), ...(setup.trim() ? { setup_code: setup } : {}) });
    }
    case 'apps':
    case 'taco':
      return base(row['question'], fromInputOutput(row['input_output']));
    case 'livecodebench':
      return base(row['question_content'], fromLiveCodeBench(row));
    case 'codecontests': {
      const tests: { stdin: string; stdout: string }[] = [];
      for (const k of ['public_tests', 'private_tests', 'generated_tests']) {
        const t = row[k] as { input?: unknown[]; output?: unknown[] } | undefined;
        if (t && Array.isArray(t.input) && Array.isArray(t.output)) tests.push(...ioTests(t.input, t.output));
      }
      if (!tests.length) throw new Error('public_tests/private_tests: no tests');
      return base(row['description'], { tests });
    }
    case 'open-r1': {
      const info = parseMaybe(row['verification_info']) as { language?: string; test_cases?: Row[] } | undefined;
      if (!info || !Array.isArray(info.test_cases)) throw new Error('verification_info.test_cases: missing');
      const lang = info.language === 'c++' ? 'cpp' : (info.language ?? language);
      const r = base(row['prompt'] ?? row['problem'], { tests: info.test_cases.map((c) => ({ stdin: str(c['input']), stdout: str(c['output']) })) });
      r.task['language'] = lang;
      return r;
    }
  }
}
