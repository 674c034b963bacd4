// Which isolated-vm release line the running Node needs. Each line is installed under its own npm alias
// (package.json: isolated-vm-5, isolated-vm-6; their own install scripts are denied by `allowScripts`) and
// scripts/install-ivm.mjs builds or checks the one this Node needs at `npm ci`. One table for the install
// script, the isolate host (which loads the line) and src/code/js.ts (which binds it into the sandbox).
// Lines, checked by building each one against each Node's headers:
//   5.0.x builds on Node 20 (and 22); not on 24 (V8 13 needs C++20, `no match for operator=` on MaybeLocal).
//   6.x   does not build on Node 20 (V8 11 lacks v8::SourceLocation); ships prebuilt binaries for 22 and 24.
//   7.x   (not used) ships prebuilt binaries for 24 and 26 only.
import { createRequire } from 'node:module';
import path from 'node:path';

/** major Node version -> the npm alias of the isolated-vm line it needs */
export const IVM_LINES = { 20: 'isolated-vm-5', 22: 'isolated-vm-6', 24: 'isolated-vm-6' };

/** The Node versions r1-reward supports (package.json `engines`, said again in messages). */
export const SUPPORTED_NODE = 'Node 20.19+, 22.12+ or 24';

/** The alias for a Node version string (process.versions.node), or null when no line is tested with it. */
export function ivmLine(nodeVersion = process.versions.node) {
  const major = Number(nodeVersion.split('.')[0]);
  return IVM_LINES[major] ?? null;
}

/** The installed package directory of this Node's line, or null when it is missing or none fits. */
export function ivmPackageDir(from = import.meta.url, nodeVersion = process.versions.node) {
  const line = ivmLine(nodeVersion);
  if (!line) return null;
  try {
    return path.dirname(createRequire(from).resolve(`${line}/package.json`));
  } catch {
    return null;
  }
}

/** isolated-vm for the running Node, with an error that says what to do when it is not there. */
export function loadIvm() {
  const line = ivmLine();
  if (!line) throw new Error(`isolated-vm: no tested release line for Node ${process.versions.node}; r1-reward supports ${SUPPORTED_NODE}`);
  try {
    return createRequire(import.meta.url)(line);
  } catch (e) {
    throw new Error(`isolated-vm (${line}) does not load on Node ${process.versions.node}: ${e.message.split('\n')[0]}; run \`npm ci\` (or \`node scripts/install-ivm.mjs\`) with this Node`);
  }
}
