// The command line: thin wrappers over the engine and the HTTP app.
import cluster from 'node:cluster';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { ConfigError, RewardEngine } from '../core/engine.js';
import { readConfigFile } from '../core/config-file.js';
import { registerEvalCommand } from './eval-file.js';
import { registerFilterCommand } from './filter-file.js';
import { scoreStream } from './score-file.js';
import { formatSummary } from '../core/summary-text.js';
import { sandboxUidBase } from '../code/pool.js';
import { primary } from '../service/cluster.js';
import { serve } from '../service/serve.js';
import { httpTransport } from '../http/transport.js';
import { grpcTransport } from '../grpc/transport.js';
import { registerRunnerCommands } from '../runner/cli/commands.js';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function workerCount(v: string | undefined): number {
  if (v === undefined || v === '') return 1;
  if (v === 'auto') return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`--workers must be a positive integer or 'auto', got '${v}'`);
  return n;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`r1-reward: ${message}\n`);
  process.exit(code);
}

/** `--sandbox-uid-base`: the environment carries it to the code verifier (and, per worker, to the cluster's workers). */
function applyUidBase(v: number | undefined): void {
  // a cluster worker re-reads the command line, but its own range comes from the primary's environment
  if (v !== undefined && !cluster.isWorker) process.env['R1_SANDBOX_UID_BASE'] = String(v);
  try {
    sandboxUidBase();
  } catch (e) {
    fail((e as Error).message);
  }
}

function engineFrom(configPath: string | undefined): RewardEngine {
  try {
    return new RewardEngine({ baseConfig: readConfigFile(configPath) });
  } catch (e) {
    fail(e instanceof ConfigError ? `invalid config: ${e.message}` : (e as Error).message);
  }
}

export function program(): Command {
  const cli = new Command('r1-reward')
    .description('Rule-based rewards (math, code, format, language) and GRPO advantages for RL of reasoning LLMs.')
    .version('0.1.0')
    .showHelpAfterError();

  cli
    .command('score')
    .description('Score a JSONL file of rollouts; advantages are computed over the whole file.')
    .argument('<input>', "JSONL rollouts, one per line ('-' = stdin)")
    .option('-o, --output <file>', "scored JSONL ('-' = stdout)", '-')
    .option('-c, --config <file>', 'JSON config (see `r1-reward config`)')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)')
    .option('--summary-json <file>', 'also write the summary and per-group stats as JSON')
    .option('--sandbox-uid-base <uid>', 'first uid of the code sandboxes (env R1_SANDBOX_UID_BASE; default 61000)', int)
    .action(async (input: string, o: { output: string; config?: string; progress: boolean; summaryJson?: string; sandboxUidBase?: number }) => {
      if (input !== '-' && !existsSync(input)) fail(`cannot read ${input}: no such file`);
      applyUidBase(o.sandboxUidBase);
      const engine = engineFrom(o.config);
      const config = engine.config();
      const src = input === '-' ? process.stdin : createReadStream(input);
      let dst: Writable = process.stdout;
      if (o.output !== '-') {
        // Open the output before reading anything, so a bad path fails fast with a clear message.
        const file = createWriteStream(o.output);
        await new Promise<void>((resolve) => {
          file.once('open', () => resolve());
          file.once('error', (e) => fail(`cannot write ${o.output}: ${e.message}`));
        });
        dst = file;
      }
      let readError: Error | undefined;
      src.on('error', (e: Error) => (readError = e));
      const bar = o.progress && process.stderr.isTTY ? new SingleBar({ format: 'scoring {value} rollouts | {rate}/s', hideCursor: true }) : undefined;
      const started = Date.now();
      bar?.start(0, 0, { rate: 0 });
      try {
        const res = await scoreStream(engine, config, src, dst, {
          onProgress: bar ? (n) => (n % 256 === 0 ? bar.update(n, { rate: Math.round(n / ((Date.now() - started) / 1000 || 1)) }) : undefined) : undefined,
        });
        bar?.update(res.stats.rollouts, { rate: Math.round(res.stats.rollouts / ((Date.now() - started) / 1000 || 1)) });
        bar?.stop();
        if (readError) fail(`cannot read ${input}: ${readError.message}`);
        if (dst !== process.stdout) {
          dst.end();
          await once(dst, 'close');
        }
        process.stderr.write(`${formatSummary(res.stats)}\nmemory          peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`);
        if (o.summaryJson) {
          const { writeFileSync } = await import('node:fs');
          writeFileSync(o.summaryJson, JSON.stringify({ stats: res.stats, groups: res.groups }, null, 2));
        }
      } catch (e) {
        bar?.stop();
        fail(`cannot score ${input}: ${(e as Error).message}`);
      } finally {
        await engine.close();
      }
    });

  cli
    .command('serve')
    .description('Start the scoring service: HTTP and gRPC (see the README for every endpoint).')
    .option('-p, --port <port>', 'HTTP port (env R1_REWARD_PORT; default 8000)', int)
    .option('--grpc-port <port>', 'gRPC port (env R1_REWARD_GRPC_PORT; default 50051)', int)
    .option('--host <host>', 'listen address (env R1_REWARD_HOST)')
    .option('-c, --config <file>', 'JSON config every request is merged over')
    .option('--max-rollouts <n>', 'most rollouts in one request', int)
    .option('--max-inflight <n>', 'most rollouts in flight before 503, for all workers together (env R1_REWARD_MAX_INFLIGHT; default 32768)', int)
    .option('--body-limit <bytes>', 'largest request body', int)
    .option('--log-level <level>', 'pino log level, or silent')
    .option('-w, --workers <n>', "server processes sharing the ports, or 'auto' for one per core (env R1_REWARD_WORKERS; default 1)")
    .option('--label-task-type <type>', "task type of a trainer's plain-string label (env R1_REWARD_LABEL_TASK_TYPE; default math)")
    .option('--shutdown-timeout-ms <ms>', 'on SIGTERM, how long in-flight work may take (env R1_REWARD_SHUTDOWN_TIMEOUT_MS; default 30000)', int)
    .option('--sandbox-uid-base <uid>', 'first uid of the code sandboxes; worker i uses the 1000 uids from base + 1000·i (env R1_SANDBOX_UID_BASE; default 61000)', int)
    .action(async (o: { workers?: string; labelTaskType?: string; shutdownTimeoutMs?: number; port?: number; grpcPort?: number; host?: string; config?: string; maxRollouts?: number; maxInflight?: number; bodyLimit?: number; logLevel?: string; sandboxUidBase?: number }) => {
      const workers = workerCount(o.workers ?? process.env['R1_REWARD_WORKERS']);
      applyUidBase(o.sandboxUidBase);
      if (workers > 1 && cluster.isPrimary) {
        engineFrom(o.config); // refuse a bad config before forking
        await primary(workers, (m) => process.stderr.write(`r1-reward: ${m}\n`));
        return;
      }
      const engine = engineFrom(o.config);
      try {
        await serve(engine, [httpTransport, grpcTransport], {
          workers,
          ...(o.port !== undefined && { port: o.port }),
          ...(o.grpcPort !== undefined && { grpcPort: o.grpcPort }),
          ...(o.labelTaskType !== undefined && { labelTaskType: o.labelTaskType }),
          ...(o.shutdownTimeoutMs !== undefined && { shutdownTimeoutMs: o.shutdownTimeoutMs }),
          ...(o.host !== undefined && { host: o.host }),
          ...(o.maxRollouts !== undefined && { maxRollouts: o.maxRollouts }),
          ...(o.maxInflight !== undefined && { maxInflight: o.maxInflight }),
          ...(o.bodyLimit !== undefined && { bodyLimit: o.bodyLimit }),
          ...(o.logLevel !== undefined && { logLevel: o.logLevel === 'silent' ? false : o.logLevel }),
        });
      } catch (e) {
        await engine.close();
        fail((e as Error).message, 1);
      }
    });

  cli
    .command('config')
    .description('Print the fully resolved config (defaults, or a file merged over them) as JSON.')
    .option('-c, --config <file>', 'JSON config to resolve')
    .action((o: { config?: string }) => {
      const engine = engineFrom(o.config);
      process.stdout.write(JSON.stringify(engine.config(), null, 2) + '\n');
      void engine.close();
    });

  registerEvalCommand(cli, { engineFrom, fail });
  registerFilterCommand(cli, { engineFrom, fail });
  registerRunnerCommands(cli);
  return cli;
}

export async function main(argv = process.argv): Promise<void> {
  await program().parseAsync(argv);
}
