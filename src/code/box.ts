// A host directory holding one rollout's program files, bound into its sandbox runs.
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Box {
  dir: string;
  remove(): Promise<void>;
}

/** Creates a world-readable directory with `files`; `owner` (a slot uid) gets write access when given. */
export async function makeBox(files: Record<string, string>, owner?: number): Promise<Box> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'r1-code-'));
  await chmod(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(dir, name), text, { mode: 0o644 });
  }
  if (owner !== undefined) await chown(dir, owner, owner);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
