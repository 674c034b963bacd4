// The warm runner's wire: the job goes in as Python marshal data, results come back as frames.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FrameReader, jobFrame, marshal, parseFrames } from '../../src/code/runner-wire.js';

describe('warm runner wire format', () => {
  it('marshal data that Python reads back as the same values (big integers and unicode included)', () => {
    const job = { mode: 'python', n: 7, big: 8192 * 1024 * 1024, none: null, yes: true, no: false, tests: ['1 2\n', 'é ✓ \u0000'], env: { PATH: '/usr/bin' }, nested: [[1, 2], { a: 'b' }] };
    const r = spawnSync('/usr/bin/python3', ['-I', '-S', '-c', 'import marshal, sys, json; print(json.dumps(marshal.loads(sys.stdin.buffer.read()), ensure_ascii=False))'], { input: marshal(job), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(job);
  });

  it('jobs one after another on one channel: a 4-byte little-endian length, then the marshal data', () => {
    const jobs = [
      { mode: 'python', tests: ['x'.repeat(70_000)], secret_len: 0 },
      { mode: 'units', tests: [], secret_len: 3 },
    ];
    const read = 'import marshal, struct, sys, json\nb = sys.stdin.buffer.read()\nout = []\nwhile b:\n    (n,) = struct.unpack("<I", b[:4])\n    out.append(marshal.loads(b[4:4 + n]))\n    b = b[4 + n:]\nprint(json.dumps(out))';
    const r = spawnSync('/usr/bin/python3', ['-I', '-S', '-c', read], { input: Buffer.concat(jobs.map(jobFrame)), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(jobs);
  });

  it('frames: header integers, then stdout and stderr bytes; an incomplete frame is dropped', () => {
    const buf = Buffer.concat([
      Buffer.from('i=0 exit=0 us=1500 maxrss_kb=9000 timeout=0 output_limit=0 stdout_len=3 stderr_len=2\n3\n\nxy'),
      Buffer.from('i=1 signal=9 us=10 stdout_len=0 stderr_len=0\n'),
      Buffer.from('done=1 stdout_len=5 stderr_len=0\nabc'),
    ]);
    const f = parseFrames(buf);
    expect(f.map((x) => [x.head, x.stdout.toString(), x.stderr])).toEqual([
      [{ i: 0, exit: 0, us: 1500, maxrss_kb: 9000, timeout: 0, output_limit: 0, stdout_len: 3, stderr_len: 2 }, '3\n\n', 'xy'],
      [{ i: 1, signal: 9, us: 10, stdout_len: 0, stderr_len: 0 }, '', ''],
    ]);
  });
});

describe('frames arriving in pieces', () => {
  it('reads each frame once it is complete, however the bytes are split', () => {
    const frame = (i: number, out: string) => Buffer.from(`i=${i} exit=0 stdout_len=${Buffer.byteLength(out)} stderr_len=1\n${out}e`);
    const all = Buffer.concat([frame(0, 'x'.repeat(100_000)), frame(1, 'é\n'), Buffer.from('done=1 stdout_len=0 stderr_len=0\n')]);
    for (const step of [1, 7, 4096, all.length]) {
      const got: string[] = [];
      const r = new FrameReader((h, out, err) => got.push(`${h.i ?? 'done'}:${out.length}:${err}`));
      for (let at = 0; at < all.length; at += step) r.push(all.subarray(at, at + step));
      expect(got).toEqual(['0:100000:e', '1:3:e', 'done:0:']);
    }
  });
});
