// `r1-reward eval`: pass@k, maj@k and rates over a file of rollouts (raw, scored first like `score`, or
// already scored). Streams the input; keeps one small record per row.
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { Config } from '../core/config.js';
import type { RewardEngine } from '../core/engine.js';
import { EvalCollector, evalConfig, type EvalOptions } from '../eval/evaluate.js';
import { renderHtml } from '../eval/html.js';
import type { EvalReport } from '../eval/report.js';
import { formatTable } from '../eval/table.js';
import { scoredRows } from '../core/scored-rows.js';

export async function evalStream(engine: RewardEngine, config: Config, input: Readable, opts: EvalOptions = {}): Promise<EvalReport> {
  const cfg = evalConfig(config);
  const signal = new AbortController().signal;
  const collector = new EvalCollector({ config: cfg, verifier: (t) => engine.verifier(t), signal });
  for await (const rec of scoredRows(engine, cfg, input, ({ row, index }) => collector.record(row, index))) collector.push(rec);
  return collector.finish(opts);
}

/** "1,4,16" → [1, 4, 16]; every entry a positive integer. */
export function parseKs(v: string): number[] {
  const ks = v.split(',').map((s) => Number(s.trim()));
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 1 || k > 1_000_000)) throw new Error(`--k must be a comma-separated list of positive integers, got '${v}'`);
  return ks;
}

export interface CliDeps {
  engineFrom: (configPath: string | undefined) => RewardEngine;
  fail: (message: string, code?: number) => never;
}

export function registerEvalCommand(cli: Command, deps: CliDeps): void {
  cli
    .command('eval')
    .description('pass@1 (with a 95% interval), pass@k, maj@k, no-answer share, length, truncation, format and language rates per prompt, source and overall.')
    .argument('<input>', "JSONL rollouts, raw or already scored ('-' = stdin)")
    .option('--k <list>', 'k values for pass@k and maj@k', '1,4,16,64')
    .option('-o, --output <file>', "the full report as JSON ('-' = stdout; the table then goes to stderr)")
    .option('--html <file>', 'a self-contained HTML report with a pass@k / maj@k chart per source')
    .option('-c, --config <file>', 'JSON config for scoring raw rollouts (see `r1-reward config`)')
    .action(async (input: string, o: { k: string; output?: string; html?: string; config?: string }) => {
      let ks: number[];
      try {
        ks = parseKs(o.k);
      } catch (e) {
        deps.fail((e as Error).message);
      }
      if (input !== '-' && !existsSync(input)) deps.fail(`cannot read ${input}: no such file`);
      const engine = deps.engineFrom(o.config);
      try {
        const src = input === '-' ? process.stdin : createReadStream(input);
        let readError: Error | undefined;
        src.on('error', (e: Error) => (readError = e));
        const report = await evalStream(engine, engine.config(), src, { ks });
        if (readError) deps.fail(`cannot read ${input}: ${readError.message}`);
        const json = JSON.stringify(report, null, 2) + '\n';
        if (o.output === '-') process.stdout.write(json);
        else if (o.output) writeFileSync(o.output, json);
        if (o.html) writeFileSync(o.html, renderHtml(report, `r1-reward eval: ${input}`));
        (o.output === '-' ? process.stderr : process.stdout).write(formatTable(report) + '\n');
      } catch (e) {
        deps.fail(`cannot evaluate ${input}: ${(e as Error).message}`);
      } finally {
        await engine.close();
      }
    });
}
