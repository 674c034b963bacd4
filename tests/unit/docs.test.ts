// Docs that must stay true mechanically: the README's config table, the proto's status list, and every
// `docker run` line carrying the options the sandbox needs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUSES } from '../../src/contract/types.js';
import { configTable, readmeTable } from '../../scripts/config-doc.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const read = (f: string): string => readFileSync(path.join(root, f), 'utf8');

describe('docs stay true', () => {
  it("the README's config reference is the one the schema generates (npm run docs:config rewrites it)", () => {
    expect(readmeTable()).toBe(configTable());
  });

  it("the proto's status comment lists exactly the contract's statuses", () => {
    const line = read('proto/r1reward/v1/reward.proto').split('\n').find((l) => /string status = \d+;/.test(l));
    const listed = line!.split('//')[1]!.split('|').map((s) => s.trim());
    expect(listed).toEqual([...STATUSES]);
  });

  it('every docker run line carries the security options bubblewrap needs', () => {
    const needed = ['seccomp=unconfined', 'apparmor=unconfined', 'systempaths=unconfined'];
    const files = ['README.md', 'Dockerfile', 'docs/integrations.md', 'docs/extending.md'];
    let seen = 0;
    for (const f of files) {
      // a command continued with backslashes counts as one line
      const text = read(f).replace(/\\\n/g, ' ');
      for (const line of text.split('\n').filter((l) => /docker run\b/.test(l))) {
        seen++;
        for (const opt of needed) expect(line, `${f}: ${line.trim()}`).toContain(`--security-opt ${opt}`);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(3);
  });
});
