import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Writes `s`, waiting for 'drain' when the stream's buffer is full: streamed output holds memory flat. */
export async function writeText(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}
