import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBox, sweepBoxes } from '../../src/code/box.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'r1-box-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// a pid that is certainly gone: a child that has exited and been reaped
const deadPid = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();

describe('box sweeping', () => {
  it('names a box after its owner and removes, at start-up, only the boxes of dead owners', async () => {
    const prev = process.env['TMPDIR'];
    process.env['TMPDIR'] = dir;
    const mine = await makeBox({ 'main.cpp': 'int main(){}' });
    process.env['TMPDIR'] = prev;
    expect(path.basename(mine.dir)).toMatch(new RegExp(`^r1-code-${process.pid}-`));
    mkdirSync(path.join(dir, `r1-code-${deadPid}-abcdef`));
    mkdirSync(path.join(dir, 'unrelated'));
    expect(await sweepBoxes(undefined, dir)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([path.basename(mine.dir), 'unrelated'].sort());
  });

  it('removes every box of one owner when the cluster primary says it died', async () => {
    mkdirSync(path.join(dir, 'r1-code-4242-aaaaaa'));
    mkdirSync(path.join(dir, 'r1-code-4242-bbbbbb'));
    mkdirSync(path.join(dir, 'r1-code-4243-cccccc'));
    expect(await sweepBoxes(4242, dir)).toBe(2);
    expect(readdirSync(dir).filter((n) => n.includes('424'))).toEqual(['r1-code-4243-cccccc']);
  });
});
