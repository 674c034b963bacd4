// What the container image does, on this host: the service runs as an unprivileged user (uid 1000) and
// only the sandbox launcher carries file capabilities (setcap cap_setuid,cap_setgid+ep), as the
// Dockerfile sets them. Python and C++ rollouts then score; under no_new_privs (Kubernetes'
// allowPrivilegeEscalation: false) the capabilities are void and the replica reports itself not ready.
// Needs root (to setcap and to start the service as another user), setcap and setpriv.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBinary, type Binary } from '../helpers/binary.js';
import { ROOT } from '../helpers/cli.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const canRun = process.getuid?.() === 0 && has('setcap') && has('setpriv');
if (!canRun) console.warn('nonroot-sandbox.test.ts: needs root, setcap and setpriv (libcap2-bin, util-linux): not run');

let dir: string;
let launcher: string;
let srv: Binary | undefined;
beforeAll(() => {
  if (!canRun) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1-caps-'));
  chmodSync(dir, 0o755);
  launcher = path.join(dir, 'r1-launch');
  copyFileSync(path.join(ROOT, 'sandboxes/bin/r1-launch'), launcher);
  chmodSync(launcher, 0o755);
  const r = spawnSync('setcap', ['cap_setuid,cap_setgid+ep', launcher], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`setcap failed: ${r.stderr}`);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  if (srv && srv.child.exitCode === null && srv.child.signalCode === null) {
    srv.child.kill('SIGKILL');
    await srv.exit;
  }
  srv = undefined;
});

const asNode = (extra: string[] = []) => ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups', ...extra];
const TASKS = [
  { id: 'py', completion: '```python\nprint(int(input()) * 2)\n```', task: { type: 'code', language: 'python', tests: [{ stdin: '21\n', stdout: '42\n' }] } },
  { id: 'cpp', completion: '```cpp\n#include <iostream>\nint main(){long n; std::cin>>n; std::cout<<n*2<<"\\n";}\n```', task: { type: 'code', language: 'cpp', tests: [{ stdin: '21\n', stdout: '42\n' }] } },
];

async function score(http: string): Promise<{ id: string; status: string; rewards: { accuracy: number | null } }[]> {
  const res = await fetch(`${http}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts: TASKS, config: { weights: { format: 0 } } }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { id: string; status: string; rewards: { accuracy: number | null } }[] }).results;
}

describe.runIf(canRun)('as the image runs it: unprivileged service, capabilities on the launcher only', () => {
  it('scores Python and C++ rollouts and is ready', async () => {
    srv = await startBinary([], { prefix: asNode(), env: { R1_LAUNCHER: launcher } });
    const results = await score(srv.http);
    expect(results.map((r) => [r.id, r.status, r.rewards.accuracy])).toEqual([
      ['py', 'ok', 1],
      ['cpp', 'ok', 1],
    ]);
    await expect.poll(async () => (await fetch(`${srv!.http}/readyz`)).status, { timeout: 20_000, interval: 100 }).toBe(200);
  }, 60_000);

  it('without the launcher capabilities in effect (no_new_privs), sandboxed code cannot run and /readyz is 503', async () => {
    srv = await startBinary([], { prefix: asNode(['--no-new-privs']), env: { R1_LAUNCHER: launcher } });
    await fetch(`${srv.http}/readyz`);
    await expect.poll(async () => (await fetch(`${srv!.http}/readyz`)).status, { timeout: 20_000, interval: 100 }).toBe(503);
    const results = await score(srv.http);
    expect(results.map((r) => r.status)).toEqual(['sandbox_error', 'sandbox_error']);
    expect(srv.logs()).toContain('code verifier not ready');
  }, 60_000);
});
