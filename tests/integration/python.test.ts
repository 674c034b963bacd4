// The Python client package (clients/python) against the live service: its unittest suites run in a
// python3 child process while this process serves. HTTP tests need only the standard library; the gRPC
// test needs grpcio + protobuf (Debian python3-grpcio, installed by scripts/setup.sh).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../helpers/service.js';

const PKG = fileURLToPath(new URL('../../clients/python', import.meta.url));
type Svc = Awaited<ReturnType<typeof startService>>;
let svc: Svc;
/** A second service with small limits, for the client's chunking and its report of a 413. */
let small: Svc;

beforeAll(async () => {
  svc = await startService({ labelTaskType: 'exact' });
  small = await startService({ labelTaskType: 'exact', maxRollouts: 64, bodyLimit: 256 * 1024 });
});
afterAll(async () => {
  await svc.close();
  await small.close();
});

/** Asynchronous on purpose: the server under test lives in this process's event loop. */
function runPython(python: string, file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-m', 'unittest', '-v', file], {
      cwd: PKG,
      env: { ...process.env, PYTHONPATH: PKG, R1_REWARD_URL: svc.httpUrl, R1_REWARD_SMALL_URL: small.httpUrl, R1_REWARD_GRPC: svc.grpcAddress, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The first interpreter that can import grpc and protobuf. */
function grpcPython(): string | undefined {
  const candidates = [process.env['R1_REWARD_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return candidates.find((p) => spawnSync(p, ['-c', 'import grpc, google.protobuf'], { stdio: 'ignore' }).status === 0);
}

describe('python client', () => {
  it('HTTP: client, veRL compute_score (single and batch), TRL reward functions (sync and async), real code tasks in the sandbox', async () => {
    const r = await runPython(process.env['R1_REWARD_PYTHON'] ?? 'python3', 'tests/test_http.py');
    expect(r.output).toMatch(/Ran \d+ tests/);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/\nOK\s*$/);
  }, 60_000);

  it("trainers' own calling conventions and types: OpenRLHF, slime, veRL (Hydra kwargs, reward loop), TRL (< 1.6 and 1.6+, templates that open <think>), outages, large batches", async () => {
    const r = await runPython(process.env['R1_REWARD_PYTHON'] ?? 'python3', 'tests/test_trainers.py');
    expect(r.output).toMatch(/Ran \d+ tests/);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/\nOK\s*$/);
  }, 120_000);

  it('gRPC: grpcio loads the proto over reflection and calls Score, ComputeAdvantages, ScoreStream, health', async () => {
    const python = grpcPython();
    expect(python, 'no python3 with grpcio + protobuf: run scripts/setup.sh (Debian python3-grpcio)').toBeDefined();
    const r = await runPython(python!, 'tests/test_grpc.py');
    expect(r.output).toMatch(/Ran \d+ tests/);
    expect(r.code, r.output).toBe(0);
  }, 60_000);
});
