#!/usr/bin/env bash
# The one test command: set up (idempotent), then typecheck, lint and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.json --noEmit
npx eslint .
npm run --silent lint:deps
npx vitest run "$@"
