#!/usr/bin/env bash
# Runs every benchmark (core first). Needs `npm run setup` (builds dist/ for the server and CLI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
for b in core http cli; do
  echo "== bench/$b.ts"
  npx tsx "bench/$b.ts"
done
for extra in bench/math.ts bench/code.ts bench/grpc.ts bench/runner.ts; do
  if [ -f "$extra" ]; then echo "== $extra"; npx tsx "$extra"; fi
done
