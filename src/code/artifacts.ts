// Build products the sandbox needs: the C launcher (sandboxes/launcher.c) and the byte-compiled Python
// harness (compiling its source on every run would cost milliseconds per test, and /box is read-only).
// scripts/setup.sh builds both into sandboxes/bin/; a missing or stale copy is rebuilt once into the
// temp directory on first use.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const cache = new Map<string, string>();

function fresh(bin: string, source: string): boolean {
  return existsSync(bin) && statSync(bin).mtimeMs >= statSync(source).mtimeMs;
}

/** `built` if it is up to date, else a copy built by `build(source, out)` into the temp directory. */
function artifact(source: string, built: string, build: (src: string, out: string) => void): string {
  const hit = cache.get(source);
  if (hit) return hit;
  if (fresh(built, source)) {
    cache.set(source, built);
    return built;
  }
  const dir = path.join(os.tmpdir(), 'r1-reward-build');
  const out = path.join(dir, `${Math.round(statSync(source).mtimeMs)}-${path.basename(built)}`);
  if (!fresh(out, source)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const tmp = `${out}.${process.pid}`;
    build(source, tmp);
    renameSync(tmp, out);
  }
  cache.set(source, out);
  return out;
}

export function launcherPath(): string {
  if (process.env['R1_LAUNCHER']) return process.env['R1_LAUNCHER'];
  return artifact(here('../../sandboxes/launcher.c'), here('../../sandboxes/bin/r1-launch'), (src, out) => {
    execFileSync(process.env['CC'] ?? 'cc', ['-O2', '-o', out, src], { stdio: 'pipe' });
  });
}

/** sandboxes/python/<name>.py as a .pyc for `python` (the sandbox's interpreter: byte code is version-specific). */
function pyc(python: string, name: string): string {
  return artifact(here(`../../sandboxes/python/${name}.py`), here(`../../sandboxes/bin/${name}.pyc`), (src, out) => {
    execFileSync(python, ['-I', '-S', '-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', src, out], { stdio: 'pipe' });
  });
}

/** The assertion/call-test harness (sandboxes/python/harness.py), byte-compiled. */
export const harnessPath = (python: string): string => pyc(python, 'harness');
/** The warm runner (sandboxes/python/runner.py), byte-compiled. */
export const runnerPath = (python: string): string => pyc(python, 'runner');
