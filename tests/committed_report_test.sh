#!/usr/bin/env bash
# The committed reports are exactly what //reports:render makes from the
# committed results. Args: RENDER RESULTS_FILE... -- REPORT_FILE...
# On failure: re-render with `bazel run //reports:render` and commit.
set -euo pipefail
render=$1
shift
results=()
while [[ $1 != -- ]]; do results+=("$1"); shift; done
shift
tmp=${TEST_TMPDIR:-$(mktemp -d)}
mkdir -p "$tmp/results" "$tmp/reports"
cp "${results[@]}" "$tmp/results/"
"$render" --results_dir="$tmp/results" --out_dir="$tmp/reports" >/dev/null
status=0
for committed in "$@"; do
  name=$(basename "$committed")
  if ! cmp -s "$committed" "$tmp/reports/$name"; then
    echo "reports/$name differs from what render makes from results/: run"
    echo "  bazel run //reports:render   and commit reports/"
    diff <(head -c 100000 "$committed") <(head -c 100000 "$tmp/reports/$name") | head -20 || true
    status=1
  fi
done
made=$(ls "$tmp/reports" | wc -l)
if [[ $made -ne $# ]]; then
  echo "render made $made files but $# are committed: $(ls "$tmp/reports")"
  status=1
fi
[[ $status -eq 0 ]] && echo "committed reports are up to date ($# files)"
exit $status
