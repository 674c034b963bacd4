#!/usr/bin/env bash
# Runs every benchmark (core first). Needs `npm run setup` (builds dist/ for the server and CLI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
echo "== bench/core.ts"; npx tsx bench/core.ts
echo "== bench/http.ts (1 worker)"; BENCH_WORKERS=1 npx tsx bench/http.ts
echo "== bench/http.ts (2 workers)"; BENCH_WORKERS=2 npx tsx bench/http.ts
echo "== bench/cli.ts"; npx tsx bench/cli.ts
for extra in bench/math.ts bench/code.ts bench/grpc.ts bench/runner.ts; do
  if [ -f "$extra" ]; then echo "== $extra"; npx tsx "$extra"; fi
done
