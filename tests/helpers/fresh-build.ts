// Global setup of the system tests: they run the built dist/ (the CLI, the server binary), so rebuild it when
// any source is newer than the last build, and refuse to run on a build that failed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAMP = path.join(ROOT, 'dist', '.build-stamp');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function setup(): void {
  const sources = Math.max(newest(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources) return;
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    throw new Error('dist/ is older than src/ and `tsc -p tsconfig.build.json` failed: the system tests would run a stale build');
  }
  writeFileSync(STAMP, new Date().toISOString() + '\n');
}
