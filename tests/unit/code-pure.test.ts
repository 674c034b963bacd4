import { describe, expect, it } from 'vitest';
import { compareOutput, normalisedLines } from '../../src/code/compare.js';
import { extractProgram, fencedBlocks } from '../../src/code/extract.js';
import { parseHarnessOutput } from '../../src/code/python.js';
import type { SandboxResult } from '../../src/code/sandbox.js';
import { planOf } from '../../src/code/verifier.js';
import { valuesEqual } from '../../src/code/values.js';
import { executionVerdict, scoreTests } from '../../src/code/verdicts.js';
import type { CodeConfig, CodeTask, CompareOptions } from '../../src/code/types.js';

const tokens: CompareOptions = { mode: 'tokens', float_tolerance: 0, case_sensitive: true };

describe('extractProgram', () => {
  it('takes the last block tagged with the language', () => {
    const a = '```python\nA\n```\ntext\n```cpp\nB\n```\n```py\nC\n```\n```\nD\n```';
    expect(extractProgram(a, 'python')?.code).toBe('C');
    expect(extractProgram(a, 'cpp')?.code).toBe('B');
  });
  it('falls back to the last fenced block of any tag', () => {
    expect(extractProgram('```text\nX\n```\n```\nY\n```', 'javascript')?.code).toBe('Y');
  });
  it('knows the usual tags', () => {
    expect(extractProgram('```c++\nint main(){}\n```', 'cpp')?.tag).toBe('c++');
    expect(extractProgram('```ts\nlet x = 1\n```\n```js\nlet y\n```', 'typescript')?.code).toBe('let x = 1');
  });
  it('returns null without a fenced block', () => {
    expect(extractProgram('def f(): pass', 'python')).toBeNull();
    expect(extractProgram('```python\n\n```', 'python')).toBeNull();
  });
  it('handles longer fences, tildes and an unclosed last block', () => {
    expect(fencedBlocks('````python\na\n```\nb\n````').map((b) => b.code)).toEqual(['a\n```\nb']);
    expect(fencedBlocks('~~~py\nx\n~~~')[0]).toEqual({ tag: 'py', code: 'x' });
    // a closing fence indented with the code closes a block nothing else closes (rllm's code_contests case)
    expect(fencedBlocks('```python\nif 1:\n    f()\n    ```\n    ').map((b) => b.code)).toEqual(['if 1:\n    f()']);
    expect(fencedBlocks('```py\na\n    ```\nb\n```\n```js\nc\n        ```').map((b) => [b.tag, b.code])).toEqual([
      ['py', 'a\n    ```\nb'],
      ['js', 'c'],
    ]);
    expect(extractProgram('```python\nprint(1)', 'python')?.code).toBe('print(1)');
  });
});

describe('compareOutput', () => {
  it('ignores trailing whitespace and trailing blank lines, not leading ones', () => {
    expect(compareOutput('1 2  \n3\n\n\n', '1 2\n3', tokens).equal).toBe(true);
    expect(compareOutput('1 2\r\n3\r\n', '1 2\n3\n', tokens).equal).toBe(true);
    expect(compareOutput('\n1', '1', tokens).equal).toBe(false);
  });
  it('is never a prefix match nor set semantics', () => {
    expect(compareOutput('1\n', '1\n2\n', tokens).equal).toBe(false);
    expect(compareOutput('1\n2\n3\n', '1\n2\n', tokens).equal).toBe(false);
    expect(compareOutput('2 1', '1 2', tokens).equal).toBe(false);
    expect(compareOutput('1 1 2', '1 2', tokens).equal).toBe(false);
  });
  it('tokens mode collapses inner whitespace; lines mode does not', () => {
    expect(compareOutput('1   2', '1 2', tokens).equal).toBe(true);
    expect(compareOutput('1   2', '1 2', { ...tokens, mode: 'lines' }).equal).toBe(false);
    expect(compareOutput('1 2 ', '1 2', { ...tokens, mode: 'lines' }).equal).toBe(true);
  });
  it('exact mode compares bytes', () => {
    expect(compareOutput('1\n', '1', { ...tokens, mode: 'exact' }).equal).toBe(false);
    expect(compareOutput('1\n', '1\n', { ...tokens, mode: 'exact' }).equal).toBe(true);
  });
  it('case-folds only when asked', () => {
    expect(compareOutput('YES', 'yes', tokens).equal).toBe(false);
    expect(compareOutput('YES', 'yes', { ...tokens, case_sensitive: false }).equal).toBe(true);
  });
  it('numbers equal as written unless a tolerance is given', () => {
    expect(compareOutput('1.0', '1', tokens).equal).toBe(false);
    expect(compareOutput('0.3333334', '0.333333', { ...tokens, float_tolerance: 1e-6 }).equal).toBe(true);
    expect(compareOutput('0.3334', '0.333333', { ...tokens, float_tolerance: 1e-6 }).equal).toBe(false);
    expect(compareOutput('1000000.5', '1000000', { ...tokens, float_tolerance: 1e-6 }).equal).toBe(true);
    expect(compareOutput('abc', 'abd', { ...tokens, float_tolerance: 1 }).equal).toBe(false);
  });
  it('says where it differs', () => {
    expect(compareOutput('1 2\n3 5', '1 2\n3 4', tokens).message).toContain('line 2 token 2');
    expect(normalisedLines('a \n\n')).toEqual(['a']);
  });
});

describe('valuesEqual', () => {
  it('compares typed wire values with the expected JSON', () => {
    expect(valuesEqual(3, 3)).toBe(true);
    expect(valuesEqual({ $t: 'tuple', v: [1, 2] }, [1, 2])).toBe(true);
    expect(valuesEqual({ $t: 'list', v: [1, 2] }, [2, 1])).toBe(false);
    expect(valuesEqual({ $t: 'dict', v: [['a', 1], ['b', 2]] }, { b: 2, a: 1 })).toBe(true);
    expect(valuesEqual({ $t: 'dict', v: [['a', 1]] }, { a: 1, b: 2 })).toBe(false);
    expect(valuesEqual({ $t: 'set', v: [2, 1] }, { $t: 'set', v: [1, 2] })).toBe(true);
    expect(valuesEqual({ $t: 'set', v: [1, 2] }, [1, 2])).toBe(false);
  });
  it('keeps types apart: bool vs number, string vs number, null vs undefined', () => {
    expect(valuesEqual(true, 1)).toBe(false);
    expect(valuesEqual('3', 3)).toBe(false);
    expect(valuesEqual({ $t: 'undefined' }, null)).toBe(false);
    expect(valuesEqual({ $t: 'other', v: 'E' }, 3)).toBe(false);
  });
  it('big integers exactly, floats with tolerance only when given', () => {
    expect(valuesEqual({ $t: 'int', v: '123456789012345678901' }, { $t: 'int', v: '123456789012345678901' })).toBe(true);
    expect(valuesEqual({ $t: 'int', v: '123456789012345678901' }, { $t: 'int', v: '123456789012345678902' })).toBe(false);
    expect(valuesEqual(0.1 + 0.2, 0.3)).toBe(false);
    expect(valuesEqual(0.1 + 0.2, 0.3, 1e-9)).toBe(true);
    expect(valuesEqual({ $t: 'float', v: 'nan' }, { $t: 'float', v: 'nan' })).toBe(true);
    expect(valuesEqual({ $t: 'float', v: 'inf' }, 1e308)).toBe(false);
  });
  it('string case only when asked', () => {
    expect(valuesEqual('Yes', 'yes')).toBe(false);
    expect(valuesEqual('Yes', 'yes', 0, false)).toBe(true);
  });
});

describe('planOf', () => {
  const cfg = { max_tests: 3 } as CodeConfig;
  const task = (t: Partial<CodeTask>): CodeTask => ({ type: 'code', language: 'python', ...t }) as CodeTask;
  it('accepts input/output aliases', () => {
    expect(planOf(task({ tests: [{ input: '1', output: '2' }] }), cfg)).toEqual({ kind: 'io', tests: [{ stdin: '1', stdout: '2' }] });
  });
  it('rejects tasks it cannot run, naming the field', () => {
    expect(() => planOf(task({}), cfg)).toThrow(/tests: no tests/);
    expect(() => planOf(task({ tests: [{ stdin: '1' }] }), cfg)).toThrow(/tests\[0\]: needs "stdout"/);
    expect(() => planOf(task({ tests: [{ stdin: '', stdout: '' }], test_code: 'assert 1' }), cfg)).toThrow(/either/);
    expect(() => planOf(task({ language: 'cpp', test_code: 'x' }), cfg)).toThrow(/C\+\+/);
    expect(() => planOf(task({ tests: Array(4).fill({ stdin: '', stdout: '' }) }), cfg)).toThrow(/max_tests/);
  });
});

describe('verdicts', () => {
  const base: SandboxResult = { exitCode: 0, signal: null, timedOut: false, outputLimit: false, stdout: Buffer.from(''), stderr: '', result: Buffer.from(''), wallMs: 1 };
  it('maps process endings to verdicts', () => {
    expect(executionVerdict(base)).toBeNull();
    expect(executionVerdict({ ...base, timedOut: true, exitCode: null, signal: 'SIGKILL' })?.verdict).toBe('timeout');
    expect(executionVerdict({ ...base, signal: 'SIGXCPU', exitCode: null })?.verdict).toBe('timeout');
    expect(executionVerdict({ ...base, outputLimit: true })?.verdict).toBe('output_limit');
    // memory: the kernel's peak-memory figure decides (at least half the limit), never the program's stderr
    expect(executionVerdict({ ...base, exitCode: 1, stderr: 'Traceback\nMemoryError\n', maxRssKb: 300 * 1024 }, 512)?.verdict).toBe('memory_limit');
    expect(executionVerdict({ ...base, exitCode: null, signal: 'SIGABRT', stderr: 'what():  std::bad_alloc', maxRssKb: 500 * 1024 }, 512)?.verdict).toBe('memory_limit');
    expect(executionVerdict({ ...base, exitCode: 1, stderr: 'Traceback\nMemoryError\n', maxRssKb: 9 * 1024 }, 512)).toEqual({ verdict: 'runtime_error', message: 'exit code 1: MemoryError' });
    expect(executionVerdict({ ...base, exitCode: null, signal: 'SIGABRT', stderr: 'std::bad_alloc' }, 512)?.verdict).toBe('runtime_error');
    expect(executionVerdict({ ...base, exitCode: null, signal: 'SIGSEGV', maxRssKb: 500 * 1024 }, 512)?.verdict).toBe('runtime_error'); // a deep stack
    expect(executionVerdict({ ...base, exitCode: 0, maxRssKb: 500 * 1024 }, 512)).toBeNull();
    expect(executionVerdict({ ...base, exitCode: null, signal: 'SIGSEGV' })?.verdict).toBe('runtime_error');
    expect(executionVerdict({ ...base, spawnError: 'no bwrap' })?.verdict).toBe('sandbox_error');
  });
  it('scores fractions, all-or-nothing, and never rewards a sandbox error', () => {
    const r = [{ verdict: 'passed' as const }, { verdict: 'wrong_answer' as const }];
    expect(scoreTests(r, 'fraction').accuracy).toBe(0.5);
    expect(scoreTests(r, 'all_or_nothing').accuracy).toBe(0);
    expect(scoreTests([{ verdict: 'passed' }], 'all_or_nothing').accuracy).toBe(1);
    expect(scoreTests([{ verdict: 'passed' }, { verdict: 'sandbox_error' }], 'fraction').accuracy).toBeNull();
  });
});

describe('parseHarnessOutput', () => {
  const run = (result: string, extra: Partial<SandboxResult> = {}): SandboxResult => ({
    exitCode: 0, signal: null, timedOut: false, outputLimit: false, stdout: Buffer.from(''), stderr: '', result: Buffer.from(result), wallMs: 1, ...extra,
  });
  it('counts only lines carrying the nonce', () => {
    const out = 'N {"ready":true}\nN {"units":2}\nX {"i":1,"v":"passed"}\n{"i":1,"v":"passed"}\nN {"i":0,"v":"passed"}\nN {"done":true}\n';
    expect(parseHarnessOutput('N', run(out), null).units.map((u) => u.verdict)).toEqual(['passed', 'runtime_error']);
  });
  it('units never reported are timeouts when the run was killed at its deadline', () => {
    const out = 'N {"ready":true}\nN {"units":3}\nN {"i":0,"v":"passed"}\n';
    expect(parseHarnessOutput('N', run(out, { timedOut: true, exitCode: null }), null).units.map((u) => u.verdict)).toEqual(['passed', 'timeout', 'timeout']);
  });
  it('a harness that never started is a sandbox error', () => {
    expect(parseHarnessOutput('N', run('', { exitCode: 70 }), 2).units.map((u) => u.verdict)).toEqual(['sandbox_error', 'sandbox_error']);
  });
  it('reports broken test code as the task\'s fault', () => {
    expect(parseHarnessOutput('N', run('N {"ready":true}\nN {"bad_tests":"x"}\n'), null).invalidTests).toBe('x');
  });
});
