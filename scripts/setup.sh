#!/usr/bin/env bash
# Installs what the project needs on a fresh machine with Node 20, npm and kubectl:
# the workspace's npm dependencies (pnpm 9 through npx), and, when asked for the test
# suite, Debian's etcd-server and python3-kubernetes (as root, when they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--system" ]; then
  missing=()
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  /usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || missing+=(python3-kubernetes)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ]; then
      echo "==> installing ${missing[*]} from Debian"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "==> missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root; their tests will be skipped" >&2
    fi
  fi
fi

if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  echo "==> installing npm dependencies (pnpm 9; better-sqlite3 builds from source, ~2 minutes the first time)"
  npx -y pnpm@9 install --frozen-lockfile --reporter=append-only
fi

echo "==> building"
npx tsc -b
