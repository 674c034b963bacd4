import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { COMPONENTS, type ScoreResponse } from '../contract/types.js';

/** Prometheus metrics of one server. Each server owns its registry, so tests can run several. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'r1_reward_requests_total',
    help: 'Requests by route and HTTP status code',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'r1_reward_request_duration_seconds',
    help: 'Request latency by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly rollouts = new Counter({
    name: 'r1_reward_rollouts_total',
    help: 'Scored rollouts by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  // A gauge, not a counter: components such as length shaping are negative, and counters only go up.
  readonly componentSum = new Gauge({
    name: 'r1_reward_component_sum',
    help: 'Sum of each reward component over scored rollouts (divide by r1_reward_component_count for the mean)',
    labelNames: ['component'] as const,
    registers: [this.registry],
  });
  readonly componentCount = new Counter({
    name: 'r1_reward_component_count',
    help: 'Rollouts with a non-null value of each reward component',
    labelNames: ['component'] as const,
    registers: [this.registry],
  });
  readonly componentMean = new Gauge({
    name: 'r1_reward_component_last_batch_mean',
    help: 'Mean of each reward component in the most recent batch',
    labelNames: ['component'] as const,
    registers: [this.registry],
  });
  readonly inflightRollouts = new Gauge({ name: 'r1_reward_inflight_rollouts', help: 'Rollouts being scored now', registers: [this.registry] });
  readonly inflightCapacity = new Gauge({
    name: 'r1_reward_inflight_capacity',
    help: "Rollouts this process admits in flight: its share of --max-inflight (summed over a cluster's workers: the whole bound)",
    registers: [this.registry],
  });
  readonly inflightRequests = new Gauge({ name: 'r1_reward_inflight_requests', help: 'Scoring requests in progress', registers: [this.registry] });
  readonly rejected = new Counter({
    name: 'r1_reward_rejected_total',
    help: 'Requests refused before scoring, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'r1_reward_' });
  }

  observeBatch(res: ScoreResponse): void {
    for (const [status, n] of Object.entries(res.stats.status_counts)) this.rollouts.inc({ status }, n);
    for (const c of COMPONENTS) {
      let s = 0;
      let n = 0;
      for (const r of res.results) {
        const v = r.rewards[c];
        if (v !== null) {
          s += v;
          n++;
        }
      }
      if (n) {
        this.componentSum.inc({ component: c }, s);
        this.componentCount.inc({ component: c }, n);
        this.componentMean.set({ component: c }, s / n);
      }
    }
  }
}
