// Several server processes on one port (node:cluster): the primary hands connections out; each worker
// is a full server (HTTP + gRPC) over its own engine. The service keeps no state, so any worker can take
// any request. Prometheus metrics are summed over workers by the primary on every scrape.
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { sandboxUidBase, UID_SPAN } from '../code/pool.js';
import { sweepBoxes } from '../code/box.js';

interface MetricsAsk {
  r1: 'metrics';
  id: number;
}
interface MetricsAnswer {
  r1: 'metrics';
  id: number;
  text?: string;
  error?: string;
}

const isAsk = (m: unknown): m is MetricsAsk => typeof m === 'object' && m !== null && (m as MetricsAsk).r1 === 'metrics';

/**
 * In the primary: fork `n` workers, replace any that dies while serving, forward SIGTERM/SIGINT and
 * exit once every worker has drained. Resolves never in the primary; returns false in a worker.
 * Worker i runs its sandboxes as uids from base + i · UID_SPAN (its replacement inherits the range), so
 * one worker's programs never share a uid, hence RLIMIT_NPROC, with another's.
 */
export async function primary(n: number, log: (msg: string) => void): Promise<void> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  const base = sandboxUidBase();
  const index = new Map<number, number>(); // worker.id -> its uid range
  const fork = (i: number): Worker => {
    const w = cluster.fork({ R1_SANDBOX_UID_BASE: String(base + i * UID_SPAN) });
    index.set(w.id, i);
    return w;
  };
  for (let i = 0; i < n; i++) fork(i);
  const listening = new Set<number>();
  cluster.on('listening', (worker) => listening.add(worker.id));
  cluster.on('message', (worker, msg: unknown) => {
    if (!isAsk(msg)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ r1: 'metrics', id: msg.id, text } satisfies MetricsAnswer),
      (e: Error) => worker.send({ r1: 'metrics', id: msg.id, error: e.message } satisfies MetricsAnswer),
    );
  });
  cluster.on('exit', (worker, code, signal) => {
    const i = index.get(worker.id) ?? 0;
    index.delete(worker.id);
    if (stopping) return;
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    if (worker.process.pid) void sweepBoxes(worker.process.pid); // its in-flight rollouts' box directories
    fork(i);
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      stopping = true;
      log(`${sig}: draining ${Object.keys(cluster.workers ?? {}).length} workers`);
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      let failed = false;
      void Promise.all(
        workers.map(async (w) => {
          const exited = once(w, 'exit') as Promise<[number | null, string | null]>;
          // A worker still starting has no work to drain and may die of the signal before its handler is in.
          const serving = listening.has(w.id);
          w.process.kill('SIGTERM');
          const [code] = await exited;
          if (code !== 0 && serving) failed = true;
        }),
      ).then(() => process.exit(failed ? 1 : 0));
    });
  }
  await new Promise<never>(() => {});
}

/** In a worker: expose `registry` to the primary's aggregation. */
export function shareMetrics(registry: Registry): void {
  // Constructing one installs prom-client's worker-side listener that answers the primary.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

let nextId = 0;
/** In a worker: the metrics of all workers, summed by the primary. */
export function clusterMetrics(timeoutMs = 5000): Promise<string> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('metrics aggregation timed out'));
    }, timeoutMs);
    const onMessage = (m: unknown): void => {
      if (!isAsk(m) || m.id !== id) return;
      const a = m as MetricsAnswer;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (a.text !== undefined) resolve(a.text);
      else reject(new Error(a.error ?? 'metrics aggregation failed'));
    };
    process.on('message', onMessage);
    process.send!({ r1: 'metrics', id } satisfies MetricsAsk);
  });
}

export const inWorker = (): boolean => cluster.isWorker;
