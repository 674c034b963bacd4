// Prints the config reference (every key, its default and meaning) as a Markdown table, from the schema
// itself, so the README cannot drift from the code: `npx tsx scripts/config-doc.ts`.
import type { TSchema } from '@sinclair/typebox';
import { RewardEngine } from '../src/core/engine.js';

interface Node extends Record<string, unknown> {
  type?: string;
  properties?: Record<string, Node>;
  anyOf?: Node[];
  description?: string;
  default?: unknown;
}

const engine = new RewardEngine();
const defaults = engine.config() as unknown as Record<string, unknown>;

function typeOf(n: Node): string {
  if (n.anyOf) {
    if (n.anyOf.length > 8) return 'enum';
    return n.anyOf.map((b) => ('const' in b ? JSON.stringify(b['const']) : typeOf(b))).join(' \\| ');
  }
  if ('const' in n) return JSON.stringify(n['const']);
  if (n.type === 'array') return `(${typeOf((n['items'] ?? {}) as Node)})[]`;
  return n.type ?? 'any';
}

function rows(n: Node, path: string[], vals: unknown): string[] {
  if (n.type === 'object' && n.properties) {
    return Object.entries(n.properties).flatMap(([k, child]) => rows(child, [...path, k], (vals as Record<string, unknown> | undefined)?.[k]));
  }
  const d = vals === undefined ? '—' : JSON.stringify(vals);
  return [`| \`${path.join('.')}\` | ${typeOf(n)} | \`${d.length > 60 ? d.slice(0, 57) + '…' : d}\` | ${(n.description ?? '').replace(/\|/g, '\\|')} |`];
}

console.log('| key | type | default | meaning |\n|---|---|---|---|');
console.log(rows(engine.configSchema.schema as TSchema as Node, [], defaults).join('\n'));
