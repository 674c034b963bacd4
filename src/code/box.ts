// A host directory holding one rollout's program files (today: a C++ compile's source and binary).
// Its name carries the owning process's pid, so boxes a dead process leaked (a killed cluster worker)
// can be found and removed: at start-up, and by the cluster primary when a worker dies.
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Box {
  dir: string;
  remove(): Promise<void>;
}

const PREFIX = 'r1-code-';

/** Creates a world-readable directory with `files`; `owner` (a slot uid) gets write access when given. */
export async function makeBox(files: Record<string, string>, owner?: number): Promise<Box> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  await chmod(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(dir, name), text, { mode: 0o644 });
  }
  if (owner !== undefined) await chown(dir, owner, owner);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);
/** boxes named before they carried a pid: stale once older than any run can last */
const UNNAMED_STALE_MS = 10 * 60_000;

/**
 * Removes the boxes in `dir` whose owner is gone: `owner` given, that process's (it just died); else
 * every box whose owning process no longer exists. Returns how many it removed.
 */
export async function sweepBoxes(owner?: number, dir = os.tmpdir()): Promise<number> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith(PREFIX));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = /^r1-code-(\d+)-/.exec(name);
    const full = path.join(dir, name);
    let stale: boolean;
    if (owner !== undefined) stale = m !== null && Number(m[1]) === owner;
    else if (m) stale = !alive(Number(m[1]));
    else stale = await stat(full).then((s) => Date.now() - s.mtimeMs > UNNAMED_STALE_MS, () => false);
    if (!stale) continue;
    await rm(full, { recursive: true, force: true }).then(() => removed++, () => undefined);
  }
  return removed;
}
