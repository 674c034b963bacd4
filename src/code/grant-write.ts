// Lets a slot uid write into a box directory (the C++ compile writes its binary there). As root, the
// directory is handed to the slot uid. As an unprivileged service user (the container image runs as
// `node`), chown to another uid is not allowed, so the directory is made world-writable instead: it is
// reachable only through this rollout's own bind mount (sandboxes see no host paths), and staying owned
// by the service user lets it delete what the compiler wrote.
import { chmod, chown } from 'node:fs/promises';

export async function grantWrite(dir: string, uid: number): Promise<void> {
  if (process.getuid?.() === 0) await chown(dir, uid, uid);
  else await chmod(dir, 0o777);
}
