// Prints the failed tests of vitest JSON reports (scripts/test.sh writes one per Node), with the first
// lines of each failure, so that the end of a long CI log says what failed.
import { existsSync, readFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`test: no report ${file} (the run ended before vitest wrote it)`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const suite of report.testResults ?? []) {
    const failed = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (!failed.length && suite.status === 'failed') console.error(`FAIL ${suite.name}: ${String(suite.message ?? '').split('\n').slice(0, 6).join('\n  ')}`);
    for (const t of failed) {
      const why = (t.failureMessages ?? []).join('\n').split('\n').slice(0, 6).join('\n  ');
      console.error(`FAIL ${suite.name} > ${t.fullName}\n  ${why}`);
    }
  }
  if (report.numFailedTests === 0 && report.success === false) console.error(`test: ${file}: vitest reports failure without a failed test (an unhandled error: see the log above)`);
}
