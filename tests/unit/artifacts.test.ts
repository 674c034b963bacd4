// Byte code is fresh only when its header names this interpreter and the source as it is now: a copied
// tree (new mtimes) or an edited runner must never run stale byte code in the sandbox.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pycMatches } from '../../src/code/artifacts.js';

const PY = '/usr/bin/python3';
const compile = (src: string, out: string) =>
  execFileSync(PY, ['-I', '-S', '-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', src, out], { env: {} });

describe('pycMatches', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'r1-pyc-'));
  const src = path.join(dir, 'm.py');
  const pyc = path.join(dir, 'm.pyc');

  it('accepts byte code of the source as it is, and refuses it once the source changed or moved', () => {
    writeFileSync(src, 'x = 1\n');
    utimesSync(src, 1_700_000_000, 1_700_000_000);
    compile(src, pyc);
    expect(pycMatches(pyc, src, PY)).toBe(true);
    utimesSync(src, 1_700_000_100, 1_700_000_100); // a copy or a checkout: same text, new mtime
    expect(pycMatches(pyc, src, PY)).toBe(false);
    compile(src, pyc);
    utimesSync(pyc, 1_600_000_000, 1_600_000_000); // byte code older on disk than its source: still its own
    expect(pycMatches(pyc, src, PY)).toBe(true);
    writeFileSync(src, 'x = 22\n');
    utimesSync(src, 1_700_000_100, 1_700_000_100); // edited within the same second: the size tells
    expect(pycMatches(pyc, src, PY)).toBe(false);
  });

  it("refuses another interpreter's byte code, and a missing or short file", () => {
    compile(src, pyc);
    const bytes = readFileSync(pyc);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(pyc, bytes);
    expect(pycMatches(pyc, src, PY)).toBe(false);
    writeFileSync(pyc, Buffer.alloc(8));
    expect(pycMatches(pyc, src, PY)).toBe(false);
    expect(pycMatches(path.join(dir, 'none.pyc'), src, PY)).toBe(false);
  });
});
