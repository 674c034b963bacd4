// The built `r1-reward serve` binary on free ports, its log captured (`npm run build` first; scripts/test.sh does).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ROOT } from './cli.js';

export interface Binary {
  child: ChildProcess;
  http: string;
  grpc: string;
  /** the exit code (null when killed by a signal) */
  exit: Promise<number | null>;
  logs(): string;
}

export interface BinaryOptions {
  /** a command that runs node (e.g. setpriv to change user): [prefix..., node, bin/r1-reward.js, ...] */
  prefix?: string[];
  env?: NodeJS.ProcessEnv;
  /** the package directory to run from (default: this checkout) */
  cwd?: string;
}

/** Starts the binary on 127.0.0.1 with ports 0 and reads the bound ports from its log. */
export async function startBinary(extraArgs: string[] = [], opts: BinaryOptions = {}): Promise<Binary> {
  const argv = [process.execPath, 'bin/r1-reward.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0', ...extraArgs];
  const cmd = [...(opts.prefix ?? []), ...argv];
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
  let logs = '';
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const ports = await new Promise<{ http_port: number; grpc_port: number }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      logs += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"grpc_port"'));
      if (line) resolve(JSON.parse(line) as { http_port: number; grpc_port: number });
    });
    void exit.then((code) => reject(new Error(`server exited (${code}) before listening: ${logs}`)));
  });
  return { child, http: `http://127.0.0.1:${ports.http_port}`, grpc: `127.0.0.1:${ports.grpc_port}`, exit, logs: () => logs };
}
