#!/usr/bin/env bash
# Data-parallel scaling on this machine: the default LM of layerwise_sparsity
# (6 layers, d_model 128, d_ff 512, 32 x 128 tokens a step) trained for
# STEPS steps by 1 rank x C threads and by --nproc=2 ranks x C/2 threads (C:
# this machine's cores), alternating, ROUNDS times each, in one session.
# Prints each round's optimiser steps/s (rank 0's train_seconds: forward,
# backward, all-reduce, optimiser; probes and setup excluded), the medians,
# their ratio, and the all-reduce's share of rank 0's step.
#
#   bazel run //bench:data_parallel_bench -- [ROUNDS [STEPS]]
set -euo pipefail
binary=$(realpath "${LAYERWISE:-experiments/layerwise_sparsity}")
rounds=${1:-3}
steps=${2:-60}
cores=$(nproc)
half=$((cores / 2 > 0 ? cores / 2 : 1))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
one_run() {  # one_run NAME FLAGS...: prints "steps/s allreduce_share"
  "$binary" --preset=default --seeds=1 --steps="$steps" --probe_every=100000 \
    --checkpoint_every=0 --quiet --json --out_dir="$out/$1" "${@:2}" >"$out/$1.log" 2>&1 ||
    { echo "$1 failed: $(tail -1 "$out/$1.log")" >&2; exit 1; }
  python3 - "$out/$1/layerwise_sparsity.json" "$steps" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["layerwise_sparsity"]["runs"][0]["timings"]
print(f'{int(sys.argv[2]) / run["train_seconds"]:.3f} {run.get("allreduce_seconds", 0) / run["train_seconds"]:.4f}')
PY
}
declare -a a b share
echo "data_parallel_bench: $rounds rounds of $steps steps, $cores cores"
for ((r = 1; r <= rounds; ++r)); do
  read -r sa _ < <(one_run "one$r" --threads="$cores")
  read -r sb sh < <(one_run "two$r" --nproc=2 --threads="$half")
  a+=("$sa"); b+=("$sb"); share+=("$sh")
  echo "round $r: 1 rank x $cores threads $sa steps/s | 2 ranks x $half threads $sb steps/s (all-reduce $(python3 -c "print(f'{100*$sh:.1f}')")% of the step)"
done
python3 - "${a[*]}" "${b[*]}" "${share[*]}" <<'PY'
import statistics as st, sys
a, b, s = ([float(x) for x in arg.split()] for arg in sys.argv[1:4])
ma, mb = st.median(a), st.median(b)
print(f"median: 1 rank {ma:.3f} steps/s, 2 ranks {mb:.3f} steps/s: "
      f"2 ranks / 1 rank = {mb / ma:.2f}x; all-reduce {100 * st.median(s):.1f}% of the 2-rank step")
PY
