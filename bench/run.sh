#!/usr/bin/env bash
# Runs every benchmark (core first). Needs `npm run setup` (builds dist/ for the server and CLI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
echo "== bench/core.ts"; npx tsx bench/core.ts
echo "== bench/http.ts (1 worker)"; BENCH_WORKERS=1 npx tsx bench/http.ts
echo "== bench/http.ts (2 workers)"; BENCH_WORKERS=2 npx tsx bench/http.ts
echo "== bench/cli.ts"; npx tsx bench/cli.ts
echo "== bench/math.ts"; npm run --silent bench:math
echo "== bench/math-pool.ts"; npx tsx bench/math-pool.ts
echo "== bench/code.ts"; npm run --silent bench:code
echo "== bench/eval.ts"; npx tsx bench/eval.ts
echo "== bench/grpc.ts"; npm run --silent bench:grpc
echo "== bench/runner.ts"; npm run --silent bench:runner
echo "== bench/webgpu.ts"; npm run --silent bench:webgpu
