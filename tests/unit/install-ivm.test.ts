// The isolated-vm line per Node version, the headers node-gyp is pointed at, and the install script on
// the Node running the tests (the suite runs on the machine's Node and again on Node 24).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IVM_LINES, ivmLine, ivmPackageDir } from '../../sandboxes/js/ivm.mjs';
// @ts-expect-error plain JS without types (it runs before the build); only nodeHeaders is used
import { nodeHeaders } from '../../scripts/install-ivm.mjs';
import { ROOT } from '../helpers/cli.js';

const headers = nodeHeaders as (execPath?: string, version?: string) => string | null;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'r1-ivm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('isolated-vm release lines', () => {
  it('5.0.x on Node 20, 6.x on 22 and 24, none elsewhere', () => {
    expect(ivmLine('20.19.0')).toBe('isolated-vm-5');
    expect(ivmLine('22.12.0')).toBe('isolated-vm-6');
    expect(ivmLine('24.11.1')).toBe('isolated-vm-6');
    for (const v of ['18.20.4', '21.7.3', '23.11.0', '26.0.0']) expect(ivmLine(v)).toBeNull();
  });

  it('package.json engines names exactly the Node majors that have a line', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };
    const majors = pkg.engines.node.split('||').map((r) => Number(/\^(\d+)\./.exec(r.trim())![1]));
    expect(majors).toEqual(Object.keys(IVM_LINES).map(Number));
    for (const line of new Set(Object.values(IVM_LINES))) expect(pkg.dependencies[line]).toMatch(/^npm:isolated-vm@\d/);
  });

  it("this Node's line is installed and works (the install script checks it)", () => {
    expect(ivmPackageDir(path.join(ROOT, 'package.json'))).toBe(path.join(ROOT, 'node_modules', ivmLine()!));
    const r = spawnSync(process.execPath, ['scripts/install-ivm.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`isolated-vm \\d+\\.\\d+\\.\\d+ \\(${ivmLine()}\\) works on Node ${process.versions.node}`));
  }, 60_000);
});

describe('node-gyp headers', () => {
  it("are the running node's own: <prefix>/include/node of this exact version", () => {
    const prefix = headers();
    expect(prefix).not.toBeNull();
    const h = readFileSync(path.join(prefix!, 'include/node/node_version.h'), 'utf8');
    expect(h).toContain(`#define NODE_MAJOR_VERSION ${process.versions.node.split('.')[0]}`);
  });

  function fakeInstall(name: string, version: string): string {
    const prefix = path.join(tmp, name);
    mkdirSync(path.join(prefix, 'bin'), { recursive: true });
    mkdirSync(path.join(prefix, 'include/node'), { recursive: true });
    writeFileSync(path.join(prefix, 'bin/node'), '');
    const [maj, min, pat] = version.split('.');
    writeFileSync(path.join(prefix, 'include/node/node_version.h'), `#define NODE_MAJOR_VERSION ${maj}\n#define NODE_MINOR_VERSION ${min}\n#define NODE_PATCH_VERSION ${pat}\n`);
    return path.join(prefix, 'bin/node');
  }

  it('are found next to any install (nvm, volta, a tarball), and not used when their version differs', () => {
    const saved = process.env['npm_config_nodedir'];
    delete process.env['npm_config_nodedir'];
    try {
      const node = fakeInstall('v24', '24.11.1');
      expect(headers(node, '24.11.1')).toBe(path.join(tmp, 'v24'));
      expect(headers(node, '24.12.0')).toBeNull(); // node-gyp then fetches the right ones
      process.env['npm_config_nodedir'] = '/opt/headers';
      expect(headers(node, '24.12.0')).toBe('/opt/headers'); // the user's setting, when nothing fits
    } finally {
      if (saved === undefined) delete process.env['npm_config_nodedir'];
      else process.env['npm_config_nodedir'] = saved;
    }
  });
});
