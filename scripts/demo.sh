#!/usr/bin/env bash
# The main job: build and serve a demo API on the embedded store, printing what to try.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node scripts/demo.mjs "$@"
