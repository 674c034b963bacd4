// Build products the sandbox needs: the C launcher (sandboxes/launcher.c) and the byte-compiled Python
// harness and runner (compiling their source on every run would cost milliseconds, and /box is read-only).
// scripts/setup.sh builds them into sandboxes/bin/; a missing or stale copy (byte code: made by another
// interpreter, or from another version of its source) is rebuilt once into the temp directory on first use.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const cache = new Map<string, string>();

function fresh(bin: string, source: string): boolean {
  return existsSync(bin) && statSync(bin).mtimeMs >= statSync(source).mtimeMs;
}

interface Artifact {
  /** what the cache remembers it by */
  key: string;
  source: string;
  /** the copy scripts/setup.sh builds */
  built: string;
  /** the temp directory copy's file name (names what it was built from); asked only on a cache miss */
  tempName: () => string;
  /** whether `file` was built from the source as it is now */
  isFresh: (file: string) => boolean;
  build: (source: string, out: string) => void;
}

/** `built` if it is up to date, else a copy built into the temp directory (once per source version). */
function artifact(a: Artifact): string {
  const hit = cache.get(a.key);
  if (hit) return hit;
  if (a.isFresh(a.built)) {
    cache.set(a.key, a.built);
    return a.built;
  }
  const dir = path.join(os.tmpdir(), 'r1-reward-build');
  const out = path.join(dir, a.tempName());
  if (!a.isFresh(out)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const tmp = `${out}.${process.pid}`;
    a.build(a.source, tmp);
    renameSync(tmp, out);
  }
  cache.set(a.key, out);
  return out;
}

export function launcherPath(): string {
  if (process.env['R1_LAUNCHER']) return process.env['R1_LAUNCHER'];
  const source = here('../../sandboxes/launcher.c');
  return artifact({
    key: source,
    source,
    built: here('../../sandboxes/bin/r1-launch'),
    tempName: () => `${Math.round(statSync(source).mtimeMs)}-r1-launch`,
    isFresh: (file) => fresh(file, source),
    build: (src, out) => void execFileSync(process.env['CC'] ?? 'cc', ['-O2', '-o', out, src], { stdio: 'pipe' }),
  });
}

const magics = new Map<string, Buffer>();
/** The byte-code magic of `python` (its first 4 bytes of every .pyc). */
function magicOf(python: string): Buffer {
  let m = magics.get(python);
  if (!m) {
    m = Buffer.from(execFileSync(python, ['-I', '-S', '-c', 'import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())'], { encoding: 'utf8' }).trim(), 'hex');
    magics.set(python, m);
  }
  return m;
}

/** A .pyc made by `python` from `source` as it is now: the interpreter's magic, and (timestamp-based
 * byte code, PEP 552) the source's mtime and size recorded in its header. An mtime order alone takes a
 * copied tree's stale byte code for fresh, and a stale runner speaks an old protocol. */
export function pycMatches(pycFile: string, source: string, python: string): boolean {
  try {
    const head = readFileSync(pycFile).subarray(0, 16);
    if (head.length < 16 || !head.subarray(0, 4).equals(magicOf(python))) return false;
    if (head.readUInt32LE(4) !== 0) return fresh(pycFile, source); // hash-based byte code: the mtime order decides
    const st = statSync(source);
    return head.readUInt32LE(8) === Math.floor(st.mtimeMs / 1000) % 2 ** 32 && head.readUInt32LE(12) === st.size % 2 ** 32;
  } catch {
    return false;
  }
}

/** sandboxes/python/<name>.py as a .pyc for `python` (the sandbox's interpreter: byte code is version-specific). */
function pyc(python: string, name: string): string {
  const source = here(`../../sandboxes/python/${name}.py`);
  const built = here(`../../sandboxes/bin/${name}.pyc`);
  return artifact({
    key: `${python}\0${source}`,
    source,
    built,
    tempName: () => {
      const st = statSync(source);
      return `${name}-${magicOf(python).toString('hex')}-${Math.floor(st.mtimeMs)}-${st.size}.pyc`;
    },
    isFresh: (file) => pycMatches(file, source, python),
    build: (src, out) =>
      void execFileSync(python, ['-I', '-S', '-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', src, out], { stdio: 'pipe' }),
  });
}

/** The assertion/call-test harness (sandboxes/python/harness.py), byte-compiled. */
export const harnessPath = (python: string): string => pyc(python, 'harness');
/** The warm runner (sandboxes/python/runner.py), byte-compiled. */
export const runnerPath = (python: string): string => pyc(python, 'runner');
