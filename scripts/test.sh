#!/usr/bin/env bash
# The one test command: set up (idempotent), then typecheck, lint and run the whole suite on this
# machine's Node, then the set-up and the suite again on each Node major in R1_TEST_NODES (default: 24,
# an official build fetched into .cache/ by scripts/fetch-node.sh; R1_TEST_NODES= skips it).
# Every Node's suite runs even when an earlier one failed; the exit status says whether all passed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.json --noEmit
npx eslint .
npm run --silent lint:deps
failed=()
reports=()
# each Node's JSON report, so that the end of the log names what failed (scripts/failed-tests.mjs)
suite() {
  local report=".cache/vitest-$1.json"
  rm -f "$report"
  if ! npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "${@:2}"; then
    failed+=("$1")
    reports+=("$report")
  fi
}
suite "$(node --version)" "$@"
for major in ${R1_TEST_NODES-24}; do
  [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ] && continue
  bin=$(bash scripts/fetch-node.sh "$major")
  echo "== again on Node $("$bin/node" --version) ($bin)"
  # node_modules is shared: setup checks (or builds) the isolated-vm line this Node needs
  PATH="$bin:$PATH" bash scripts/setup.sh
  PATH="$bin:$PATH" suite "$("$bin/node" --version)" "$@"
done
if [ ${#failed[@]} -gt 0 ]; then
  node scripts/failed-tests.mjs "${reports[@]}" || true
  echo "test: the suite failed on Node ${failed[*]}" >&2
  exit 1
fi
