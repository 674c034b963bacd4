// JavaScript and TypeScript run in isolated-vm hosts (src/code/js.ts), not in a per-rollout sandbox.
import type { LanguageRunner } from './types.js';

export const javascript: LanguageRunner = { tags: ['javascript', 'js', 'node', 'nodejs', 'mjs', 'cjs'], ioOnly: false, warm: null };
export const typescript: LanguageRunner = { tags: ['typescript', 'ts'], ioOnly: false, warm: null };
