#!/usr/bin/env bash
# Reruns one real-process scenario N times and reports how many runs failed, to find (or rule
# out) an intermittent failure. The app is built once; each failing run's output is kept.
#
#   scripts/repeat-scenario.sh <spec path pattern> <runs> [test name pattern]
#   e.g. TEST_DATABASE_URL=postgres://... scripts/repeat-scenario.sh crash-restart 30 PostgreSQL
set -uo pipefail
cd "$(dirname "$0")/.."
pattern="${1:?spec path pattern}"
runs="${2:-10}"
name="${3:-}"
out="$(mktemp -d /tmp/merecharge-repeat.XXXXXX)"
project="${PROJECT:-reliability}"

npm run build >/dev/null
failed=0
for i in $(seq 1 "$runs"); do
  args=(-c jest.config.js --selectProjects "$project" --runInBand --testPathPatterns "$pattern")
  [ -n "$name" ] && args+=(-t "$name")
  started=$(date +%s)
  if CI=1 RELIABILITY_SKIP_BUILD=1 npx jest "${args[@]}" >"$out/run-$i.log" 2>&1; then
    echo "run $i/$runs: passed ($(( $(date +%s) - started )) s) $(grep -ho '^\[[a-z]*\] [^:]*:.*' "$out/run-$i.log" | head -3 | tr '\n' ' ')"
    rm -f "$out/run-$i.log"
  else
    failed=$((failed + 1))
    echo "run $i/$runs: FAILED ($(( $(date +%s) - started )) s), output in $out/run-$i.log"
  fi
done
echo "== $pattern ${name:+($name) }: $((runs - failed))/$runs passed, $failed failed${failed:+; outputs in $out}"
[ "$failed" -eq 0 ]
