#!/usr/bin/env bash
# Shows that the reliability tests can fail. Each tests/mutations/*.patch breaks one guarantee
# on purpose (its header names the guarantee, how it is broken, and the test that must catch
# it). For every patch this script applies it to a scratch git worktree of HEAD, builds,
# runs that test file and expects it to FAIL; then it reverts the patch.
#
#   scripts/mutation-check.sh                   every patch
#   scripts/mutation-check.sh lock backup       only patches whose file names contain these words
#
# Not part of the CI suite: a build and a test run per patch take 20–30 minutes in all.
# Exit code: 0 when every mutation was caught (its test went red), 1 when one survived or a
# patch no longer applies or builds, 2 when the scratch tree could not be set up.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mutation-check.XXXXXX")
tree="$scratch/tree"
cleanup() {
  git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT

patches=()
for patch in "$root"/tests/mutations/*.patch; do
  name=$(basename "$patch" .patch)
  if [ $# -eq 0 ]; then
    patches+=("$patch")
  else
    for word in "$@"; do
      if [[ "$name" == *"$word"* ]]; then
        patches+=("$patch")
        break
      fi
    done
  fi
done
if [ ${#patches[@]} -eq 0 ]; then
  echo "no patches match: $*" >&2
  exit 2
fi

echo "scratch worktree of $(git -C "$root" rev-parse --short HEAD) in $tree"
git -C "$root" worktree add --detach "$tree" HEAD >/dev/null || exit 2
# The store already holds every package: an offline install is a few seconds of hard links.
if ! (cd "$tree" && npx -y pnpm@9 install --offline --frozen-lockfile >"$scratch/install.log" 2>&1); then
  echo "pnpm install failed:" >&2
  tail -20 "$scratch/install.log" >&2
  exit 2
fi
echo "building the unmutated tree once (later builds are incremental)"
if ! (cd "$tree" && npx tsc -b packages/runtime >"$scratch/build.log" 2>&1); then
  echo "the unmutated tree does not build:" >&2
  tail -20 "$scratch/build.log" >&2
  exit 2
fi

caught=0
failed=0
summary=()
for patch in "${patches[@]}"; do
  name=$(basename "$patch" .patch)
  guarantee=$(sed -n 's/^Guarantee: //p' "$patch" | head -1)
  tests=$(sed -n 's/^Test: //p' "$patch")
  pattern=$(sed -n 's/^Test-Name-Pattern: //p' "$patch" | head -1)
  log="$scratch/$name.log"
  started=$(date +%s)
  echo
  echo "==> $name: $guarantee"
  if ! git -C "$tree" apply "$patch" 2>"$log"; then
    verdict="DOES NOT APPLY"
  elif ! (cd "$tree" && npx tsc -b packages/runtime >>"$log" 2>&1); then
    verdict="DOES NOT BUILD"
  else
    args=(--test)
    [ -n "$pattern" ] && args+=("--test-name-pattern=$pattern")
    # shellcheck disable=SC2086 # one or more test files
    (cd "$tree" && timeout 900 node "${args[@]}" $tests >>"$log" 2>&1)
    if [ $? -ne 0 ]; then verdict="caught"; else verdict="SURVIVED"; fi
  fi
  git -C "$tree" checkout -q -- . 2>/dev/null
  seconds=$(($(date +%s) - started))
  if [ "$verdict" = "caught" ]; then
    caught=$((caught + 1))
    # Why it went red: the first failure the test runner reported.
    why=$(awk '/^ +(error|message): /{ if ($0 ~ /[|][-]$/) getline; sub(/^ +/, ""); print; exit }' "$log" | cut -c1-160)
    echo "    caught: $(grep -m1 -E '^# fail [1-9]' "$log" || echo 'the test run failed')${why:+ — $why} (${seconds} s)"
  else
    failed=$((failed + 1))
    echo "    $verdict (${seconds} s); log:"
    tail -15 "$log" | sed 's/^/      /'
  fi
  summary+=("$(printf '%-34s %-15s %5ss  %s' "$name" "$verdict" "$seconds" "$tests")")
done

echo
echo "mutation                           verdict          time  test"
printf '%s\n' "${summary[@]}"
echo
echo "$caught of ${#patches[@]} mutations caught"
[ "$failed" -eq 0 ]
