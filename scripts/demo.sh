#!/usr/bin/env bash
# The quick start: install and build, then `scaffold new-api` a demo project into .data/demo-project
# (or reuse it) and `scaffold run` it on SQLite, printing what to try with kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> building the scaffold CLI"
npx tsc -b packages/cli
exec node scripts/demo.mjs "$@"
