import { describe, expect, it } from 'vitest';
import { convertRow } from '../../src/code/convert.js';

describe('convertRow', () => {
  it('HumanEval and MBPP become assertion tasks', () => {
    expect(convertRow('humaneval', { task_id: 'HumanEval/0', prompt: 'def f', test: 'def check(c): pass', entry_point: 'f' })).toEqual({
      id: 'HumanEval/0', prompt: 'def f', task: { type: 'code', language: 'python', test_code: 'def check(c): pass', entry_point: 'f' },
    });
    expect(convertRow('mbpp', { task_id: 2, text: 'Write', test_list: ['assert f(1) == 1', 'assert f(2) == 2'], test_setup_code: '' }).task).toEqual({
      type: 'code', language: 'python', test_code: 'assert f(1) == 1\nassert f(2) == 2',
    });
  });
  it('APPS input_output: stdio, and call-based with the one-element result list undone', () => {
    expect(convertRow('apps', { problem_id: 1, input_output: JSON.stringify({ inputs: ['1 2\n'], outputs: ['3\n'] }) }).task['tests']).toEqual([{ stdin: '1 2\n', stdout: '3\n' }]);
    expect(convertRow('taco', { input_output: { fn_name: 'add', inputs: [[1, 2]], outputs: [[3]] } }).task['tests']).toEqual([{ call: 'add', args: [1, 2], expected: 3 }]);
    expect(() => convertRow('apps', { input_output: '{}' })).toThrow(/input_output/);
  });
  it('LiveCodeBench functional tests call Solution.<func_name> with JSON lines as arguments', () => {
    const row = {
      question_id: 'x',
      public_test_cases: JSON.stringify([{ input: '[1, 2]\n3', output: '[0, 1]', testtype: 'functional' }]),
      private_test_cases: '[]',
      metadata: JSON.stringify({ func_name: 'twoSum' }),
    };
    expect(convertRow('livecodebench', row).task['tests']).toEqual([{ call: 'Solution.twoSum', args: [[1, 2], 3], expected: [0, 1] }]);
  });
  it('CodeContests and open-r1 verification_info become I/O tests', () => {
    expect(convertRow('codecontests', { name: 'a', public_tests: { input: ['1\n'], output: ['2\n'] }, private_tests: { input: ['3\n'], output: ['4\n'] } }).task['tests']).toHaveLength(2);
    const r = convertRow('open-r1', { verification_info: { language: 'cpp', test_cases: [{ input: '1', output: '2', type: 'stdin_stdout' }] } });
    expect(r.task).toEqual({ type: 'code', language: 'cpp', tests: [{ stdin: '1', stdout: '2' }] });
  });
});
