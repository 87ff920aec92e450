#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
exec node scripts/run-tests.mjs "$@"
