#!/usr/bin/env bash
# The committed reports are exactly what //reports:render makes from the
# committed results: the Markdown and every plot's data (NAME_x.gp) are
# compared byte for byte; the PNGs are not (they depend on the gnuplot and
# font build), but each must have its .gp twin. The committed results must
# come from their committed preset, unchanged by flags.
# Args: RENDER RESULTS_FILE... -- REPORT_FILE... -- PNG_FILE...
# On failure: re-render with `bazel run //reports:render` and commit.
set -euo pipefail
render=$1
shift
results=()
while [[ $1 != -- ]]; do results+=("$1"); shift; done
shift
reports=()
while [[ $1 != -- ]]; do reports+=("$1"); shift; done
shift
pngs=("$@")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
mkdir -p "$tmp/results" "$tmp/reports"
cp "${results[@]}" "$tmp/results/"
"$render" --skip_png --results_dir="$tmp/results" --out_dir="$tmp/reports" >/dev/null
status=0
for committed in "${reports[@]}"; do
  name=$(basename "$committed")
  if ! cmp -s "$committed" "$tmp/reports/$name"; then
    echo "reports/$name differs from what render makes from results/: run"
    echo "  bazel run //reports:render   and commit reports/"
    diff <(head -c 100000 "$committed") <(head -c 100000 "$tmp/reports/$name") | head -20 || true
    status=1
  fi
done
made=$(ls "$tmp/reports" | wc -l)
if [[ $made -ne ${#reports[@]} ]]; then
  echo "render made $made files but ${#reports[@]} are committed: $(ls "$tmp/reports")"
  status=1
fi
for png in "${pngs[@]}"; do
  gp="${png%.png}.gp"
  if [[ ! -f "$tmp/reports/$(basename "$gp")" ]]; then
    echo "reports/$(basename "$png") has no plot data $(basename "$gp"): a stale plot; delete it"
    status=1
  fi
done
for gp in "$tmp"/reports/*.gp; do
  png=$(basename "${gp%.gp}.png")
  found=0
  for p in "${pngs[@]}"; do [[ $(basename "$p") == "$png" ]] && found=1; done
  if ((!found)); then
    echo "reports/$png is not committed: run bazel run //reports:render"
    status=1
  fi
done
# Experiment reports must come from a committed preset, unchanged by flags:
# NAME.md from preset default, NAME_PRESET.md (e.g.
# layerwise_sparsity_ablation.md) from PRESET.
for md in "$tmp"/reports/*.md; do
  base=$(basename "$md" .md)
  [[ $base == README || $base == performance ]] && continue
  preset=$(sed -n 's/^| preset | `\([a-z_]*\)` |$/\1/p' "$md")
  if [[ -z $preset ]] || { [[ $preset != default ]] && [[ $base != *_"$preset" ]]; }; then
    echo "$base.md: its results file is not from its committed preset run as-is:"
    grep '^| preset |' "$md" || true
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "committed reports are up to date (${#reports[@]} files, ${#pngs[@]} plots)"
exit $status
