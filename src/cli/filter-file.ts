// `r1-reward filter`: R1's rejection sampling over a file of rollouts (raw, scored first, or already scored)
// into SFT rows; the rules are documented in src/filter/rules.ts and the README.
import { createReadStream, createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { filterStream, formatFilterSummary } from '../filter/run.js';
import { resolveRules } from '../filter/rules.js';
import { readConfigFile } from '../core/config-file.js';
import type { CliDeps } from './eval-file.js';

async function openOut(path: string, fail: CliDeps['fail']): Promise<Writable> {
  if (path === '-') return process.stdout;
  const file = createWriteStream(path);
  await new Promise<void>((resolve) => {
    file.once('open', () => resolve());
    file.once('error', (e) => fail(`cannot write ${path}: ${e.message}`));
  });
  return file;
}

async function close(w: Writable | null): Promise<void> {
  if (!w || w === process.stdout) return;
  w.end();
  await once(w, 'close');
}

export function registerFilterCommand(cli: Command, deps: CliDeps): void {
  cli
    .command('filter')
    .description('Rejection sampling for SFT data: keep correct rollouts whose thought passes the rules, at most N per prompt.')
    .argument('<input>', "JSONL rollouts, raw or already scored ('-' = stdin)")
    .requiredOption('-o, --output <file>', "SFT rows as JSONL ('-' = stdout)")
    .option('--rules <file>', 'JSON rules file (keys and defaults: README, "r1-reward filter")')
    .option('--hard <file>', 'prompts with nothing kept (default: OUTPUT with .hard.jsonl, none when OUTPUT is -)')
    .option('-c, --config <file>', 'JSON config for scoring raw rollouts (see `r1-reward config`)')
    .option('--summary-json <file>', 'also write the summary as JSON')
    .action(async (input: string, o: { output: string; rules?: string; hard?: string; config?: string; summaryJson?: string }) => {
      let rawRules: unknown;
      try {
        rawRules = readConfigFile(o.rules);
      } catch (e) {
        deps.fail((e as Error).message.replace('config file', 'rules file'));
      }
      const r = resolveRules(rawRules);
      if ('errors' in r) deps.fail(`invalid rules: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      if (input !== '-' && !existsSync(input)) deps.fail(`cannot read ${input}: no such file`);
      const engine = deps.engineFrom(o.config);
      const out = await openOut(o.output, deps.fail);
      const hardPath = o.hard ?? (o.output === '-' ? undefined : o.output.replace(/(\.jsonl?)?$/, '.hard.jsonl'));
      const hard = hardPath ? await openOut(hardPath, deps.fail) : null;
      try {
        const src = input === '-' ? process.stdin : createReadStream(input);
        let readError: Error | undefined;
        src.on('error', (e: Error) => (readError = e));
        const summary = await filterStream(engine, engine.config(), src, out, hard, r.rules);
        if (readError) deps.fail(`cannot read ${input}: ${readError.message}`);
        await close(out);
        await close(hard);
        process.stderr.write(`${formatFilterSummary(summary)}${hardPath ? `\nhard prompts    ${hardPath}` : ''}\n`);
        if (o.summaryJson) writeFileSync(o.summaryJson, JSON.stringify(summary, null, 2) + '\n');
      } catch (e) {
        deps.fail(`cannot filter ${input}: ${(e as Error).message}`);
      } finally {
        await engine.close();
      }
    });
}
