// The small C launcher (sandboxes/launcher.c) that drops to the slot uid, sets rlimits and reaps the
// sandbox's orphans. scripts/setup.sh builds it to sandboxes/bin/; if that copy is missing or stale it
// is compiled once into the temp directory on first use.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../../sandboxes/launcher.c', import.meta.url));
const BUILT = fileURLToPath(new URL('../../sandboxes/bin/r1-launch', import.meta.url));

let cached: string | null = null;

function fresh(bin: string): boolean {
  return existsSync(bin) && statSync(bin).mtimeMs >= statSync(SOURCE).mtimeMs;
}

export function launcherPath(): string {
  if (cached) return cached;
  if (process.env['R1_LAUNCHER']) return (cached = process.env['R1_LAUNCHER']);
  if (fresh(BUILT)) return (cached = BUILT);
  const dir = path.join(os.tmpdir(), 'r1-reward-launcher');
  const bin = path.join(dir, `r1-launch-${Math.round(statSync(SOURCE).mtimeMs)}`);
  if (!fresh(bin)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const tmp = `${bin}.${process.pid}`;
    execFileSync(process.env['CC'] ?? 'cc', ['-O2', '-o', tmp, SOURCE], { stdio: 'pipe' });
    execFileSync('mv', ['-f', tmp, bin]);
  }
  return (cached = bin);
}
