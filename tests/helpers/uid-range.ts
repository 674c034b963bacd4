// Test files run in parallel worker processes. Each worker gets its own range of sandbox uids (the
// tests' own offsets and every service they start sit inside it), so that one file's sandbox run, whose
// launcher ends by killing every process of its uid, never ends another file's sandboxes: a slot's
// long-lived sandbox, or a service's readiness self-test. The root is R1_SANDBOX_UID_BASE as given
// (61000 by default, the service's own default, which no worker uses).
const WORKER_SPAN = 10_000; // > every offset the tests use (≤ 4,000) plus a 2-worker cluster's 2 × 1,000 uids

const root = Number((process.env['R1_TEST_UID_ROOT'] ??= process.env['R1_SANDBOX_UID_BASE'] || '61000'));
const worker = Number(process.env['VITEST_POOL_ID'] ?? '1');
process.env['R1_SANDBOX_UID_BASE'] = String(root + worker * WORKER_SPAN);
