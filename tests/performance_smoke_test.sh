#!/usr/bin/env bash
# The performance benchmark runs end to end (tiny settings) and renders:
# C++ and Python (eager and under torch.compile) train the same model (the
# driver checks parameter counts), every table is there. One size only:
# compiling takes about a minute. Args: TRAINER_VS_PYTHON RENDER
set -euo pipefail
bench=$1
render=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
"$bench" --rounds=1 --steps=2 --warmup=0 --probe_every=2 --sizes=default \
  --out_dir="$tmp/results" \
  >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
grep -q "C++ .* steps/s, Python [0-9.]* (.*), compiled [0-9.]* (" "$tmp/log" || { cat "$tmp/log"; exit 1; }
"$render" --results_dir="$tmp/results" --out_dir="$tmp/reports" >/dev/null
md=$tmp/reports/performance.md
for section in "## Targets" "## C++ trainer vs PyTorch in Python" \
  "## Cost of probing" "## Activation-statistics kernel vs LibTorch" "| default |" \
  "## The training step against its matmul floor" "| between ops" \
  "## Fused paths against the paths they replaced" "| optimizer |" \
  "compiled Python steps/s"; do
  grep -qF -- "$section" "$md" || { echo "performance.md lacks '$section'"; exit 1; }
done
echo "performance benchmark ran and rendered"
