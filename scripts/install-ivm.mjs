#!/usr/bin/env node
// The package's `install` script (run by `npm ci` / `npm install`, and by scripts/setup.sh on every run):
// makes the isolated-vm line the running Node needs usable, or fails the install with a message saying
// which Node versions work — never at the first JavaScript task. Plain JS: runs before `npm run build`
// and in a production install without devDependencies.
//
// The lines' own install scripts are denied (package.json `allowScripts`): each would try to build
// against whatever Node runs npm, and 5.0.x cannot build on 24. Here only this Node's line is built,
// when it has no prebuilt binary, against this Node's own headers (see nodeHeaders()).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ivmLine, ivmPackageDir, SUPPORTED_NODE } from '../sandboxes/js/ivm.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function fail(message) {
  process.stderr.write(`r1-reward install: ${message}\n`);
  process.exit(1);
}

/** Runs a tiny isolate in a fresh process (a failed dlopen must not poison this one); '' when it works. */
function probe(dir) {
  const code = `const ivm = require(${JSON.stringify(dir)}); const i = new ivm.Isolate({ memoryLimit: 8 });
    const r = i.compileScriptSync('6 * 7').runSync(i.createContextSync()); i.dispose(); if (r !== 42) throw new Error('6 * 7 = ' + r);`;
  const r = spawnSync(process.execPath, ['--no-node-snapshot', '-e', code], { encoding: 'utf8' });
  return r.status === 0 ? '' : (r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.trim()).slice(0, 300);
}

/**
 * Where this Node's C++ headers are, for node-gyp's --nodedir: the install prefix of the running binary
 * (official tarballs and their npm packages, nvm, volta, the node Docker images, Debian's nodejs with
 * libnode-dev: <prefix>/include/node), if its node_version.h is this exact version. Else the user's
 * npm_config_nodedir, else null: node-gyp then fetches headers itself (needs the internet).
 */
export function nodeHeaders(execPath = process.execPath, version = process.versions.node) {
  const prefix = path.dirname(path.dirname(realpathSync(execPath)));
  const h = path.join(prefix, 'include', 'node', 'node_version.h');
  if (existsSync(h)) {
    const text = readFileSync(h, 'utf8');
    const part = (name) => new RegExp(`#define\\s+NODE_${name}_VERSION\\s+(\\d+)`).exec(text)?.[1];
    if ([part('MAJOR'), part('MINOR'), part('PATCH')].join('.') === version) return prefix;
  }
  return process.env['npm_config_nodedir'] || null;
}

/** npm's bundled node-gyp: named by npm for lifecycle scripts, else found next to the npm on PATH. */
function nodeGyp() {
  if (process.env['npm_config_node_gyp']) return process.env['npm_config_node_gyp'];
  for (const d of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!d || !existsSync(path.join(d, 'npm'))) continue;
    const gyp = path.resolve(path.dirname(realpathSync(path.join(d, 'npm'))), '../node_modules/node-gyp/bin/node-gyp.js');
    if (existsSync(gyp)) return gyp;
  }
  return null;
}

function build(dir) {
  const gyp = nodeGyp();
  const nodedir = nodeHeaders();
  const args = ['rebuild', '--release', '-j', 'max', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const cmd = gyp ? [process.execPath, gyp, ...args] : ['node-gyp', ...args];
  process.stderr.write(`r1-reward install: building ${path.basename(dir)} for Node ${process.versions.node} (headers: ${nodedir ?? "node-gyp's download"})\n`);
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) return `${cmd[0]}: ${r.error.message}`;
  if (r.status !== 0) process.stderr.write(`${r.stdout}${r.stderr}`.split('\n').slice(-40).join('\n') + '\n');
  // the object files (~100 MB) are not needed once the addon is linked; the .node files stay
  else for (const f of ['obj.target', '.deps', 'nortti.a']) rmSync(path.join(dir, 'build', 'Release', f), { recursive: true, force: true });
  if (r.status !== 0) return `node-gyp exited with ${r.status}${nodedir ? '' : ` (no headers for Node ${process.versions.node} next to ${process.execPath}; install them, e.g. Debian's libnode-dev, or set npm_config_nodedir)`}`;
  return '';
}

function main() {
  // `npm install --package-lock-only` / `--dry-run` run this script too, with nothing installed
  if (process.env['npm_config_package_lock_only'] === 'true' || process.env['npm_config_dry_run'] === 'true') return;
  const line = ivmLine();
  if (!line) fail(`Node ${process.versions.node} is not supported: isolated-vm (the JavaScript sandbox) is tested with ${SUPPORTED_NODE}. Install one of those (README, Quick start) and run npm ci again.`);
  const dir = ivmPackageDir(path.join(ROOT, 'package.json'));
  if (!dir) fail(`${line} is not installed (node_modules is incomplete); run npm ci`);
  let why = probe(dir);
  if (why) {
    const built = build(dir);
    why = built || probe(dir);
    if (why) fail(`isolated-vm (${line}) does not work on Node ${process.versions.node}: ${why}. Supported: ${SUPPORTED_NODE}.`);
  }
  process.stderr.write(`r1-reward install: isolated-vm ${JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version} (${line}) works on Node ${process.versions.node}\n`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
