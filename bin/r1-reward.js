#!/usr/bin/env node
// Runs the compiled CLI; `npm run setup` (or `npm run build`) produces dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('r1-reward: not built yet; run `npm run setup` (or `npm run build`) in ' + root + '\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
