// The config reference (every key, its default and meaning) as a Markdown table, from the schema itself, so
// the README cannot drift from the code. `npm run docs:config` rewrites the README's table between its
// markers; tests/unit/docs.test.ts fails when the README's table is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { RewardEngine } from '../src/core/engine.js';

interface Node extends Record<string, unknown> {
  type?: string;
  properties?: Record<string, Node>;
  anyOf?: Node[];
  description?: string;
  default?: unknown;
}

function typeOf(n: Node): string {
  if (n.anyOf) {
    if (n.anyOf.length > 8) return 'enum';
    return n.anyOf.map((b) => ('const' in b ? JSON.stringify(b['const']) : typeOf(b))).join(' \\| ');
  }
  if ('const' in n) return JSON.stringify(n['const']);
  if (n.type === 'array') return `(${typeOf((n['items'] ?? {}) as Node)})[]`;
  return n.type ?? 'any';
}

function rows(n: Node, at: string[], vals: unknown): string[] {
  if (n.type === 'object' && n.properties) {
    return Object.entries(n.properties).flatMap(([k, child]) => rows(child, [...at, k], (vals as Record<string, unknown> | undefined)?.[k]));
  }
  const d = vals === undefined ? '—' : JSON.stringify(vals);
  return [`| \`${at.join('.')}\` | ${typeOf(n)} | \`${d.length > 60 ? d.slice(0, 57) + '…' : d}\` | ${(n.description ?? '').replace(/\|/g, '\\|')} |`];
}

export function configTable(): string {
  const engine = new RewardEngine();
  const defaults = engine.config() as unknown as Record<string, unknown>;
  const table = ['| key | type | default | meaning |', '|---|---|---|---|', ...rows(engine.configSchema.schema as TSchema as Node, [], defaults)];
  void engine.close();
  return table.join('\n');
}

export const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

/** The README's current table, between its markers. */
export function readmeTable(text = readFileSync(README, 'utf8')): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  return text.slice(a + START.length, b).trim();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const table = configTable();
  if (process.argv.includes('--write')) {
    const text = readFileSync(README, 'utf8');
    const old = readmeTable(text);
    writeFileSync(README, text.replace(old, table));
  } else {
    console.log(table);
  }
}
