#!/usr/bin/env bash
# The project's check on a GPU machine, run from a bundle made by
# tools/gpu_bundle.sh (binaries built elsewhere; this machine needs only its
# PyTorch 2.11 with CUDA and a GPU). Meant to take under 8 minutes on one GPU
# (not yet timed on one):
#   1. every CUDA kernel test against its CPU twin (a skip is a failure here);
#   2. every experiment's smoke preset with --device=cuda and with
#      --device=cpu (and on the CPU at 1 thread, the reference for how much
#      each figure moves by reduction order alone), compared by
#      tools/compare_results.py (see docs/architecture.md, "CPU and GPU
#      results");
#   2b. the layerwise smoke preset data-parallel over NCCL at world size 1,
#      against the plain CUDA run;
#   3. one default-LM training step, C++ against PyTorch eager in Python, on
#      this GPU (median of 3 rounds of 50 timed steps), and against its
#      matrix products alone (the floor), with the fused paths' rows.
#
#   DIR/gpu_check.sh [OUT]      # OUT default: DIR/gpu_check_out
# Ends with one line: "gpu_check: N passed, N failed".
set -uo pipefail
shopt -s nullglob
here=$(dirname "$(readlink -f "$0")")
cd "$here"
out=$(readlink -f "${1:-gpu_check_out}")
mkdir -p "$out"
py=${PYTHON:-python3}
export PYTHON=$py
run=bin/run.sh
passed=0 failed=0
declare -a summary

step() {  # step NAME COMMAND...: runs, logs to $out/NAME.log, counts
  local name=$1; shift
  local t0=$SECONDS
  if "$@" >"$out/$name.log" 2>&1; then
    passed=$((passed + 1)); summary+=("PASS  $name ($((SECONDS - t0)) s)")
  else
    failed=$((failed + 1)); summary+=("FAIL  $name ($((SECONDS - t0)) s): $(tail -1 "$out/$name.log")")
  fi
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
  >"$out/gpu.txt" 2>&1 || echo "nvidia-smi failed" >"$out/gpu.txt"
echo "gpu_check: $(cat "$out/gpu.txt"); torch $("$py" -c 'import torch; print(torch.__version__, torch.version.cuda)')"

# 1. CUDA kernel tests: each compares its kernel with the CPU twin.
cuda_test() {
  "$run" "$1" && ! grep -q "SKIPPED: no CUDA device" "$out/$1.log"
}
tests=(bin/*_cuda_test)
((${#tests[@]} > 0)) || { failed=$((failed + 1)); summary+=("FAIL  no CUDA kernel tests in bin/"); }
for t in "${tests[@]}"; do
  name=$(basename "$t")
  step "$name" cuda_test "$name"
done
# Unit tests with CUDA cases (fused AdamW on the GPU against torch's AdamW on
# the CPU; the attention policy on CUDA): none may be skipped here.
unit_cuda_test() {
  "$run" "$1" && ! grep -q "SKIPPED" "$out/$1.log"
}
for name in fused_adamw_test attention_test; do
  step "$name" unit_cuda_test "$name"
done

# 2. Smoke presets on the GPU and on the CPU, compared.
images="base { data { images_dir: \"$here/data/fashion-mnist\" } }"
smoke() {  # smoke EXPERIMENT DEVICE OUT [ARGS]
  local extra=()
  [[ $1 == topk_thresholding || $1 == gradient_sparsity ]] &&
    extra=(--override="$images")
  "$run" "$1" --preset=smoke --device="$2" --quiet --json \
    --out_dir="$out/$3" "${extra[@]}" "${@:4}"
}
compare() {  # compare EXPERIMENT: CUDA against the CPU, the CPU at 1 thread
  # as the reference for how much each aggregate moves on its own.
  # norm_growth's head statistics at c = 1000 flip with near-ties (the CPU's
  # thread count alone moved one run's mean head spread from 0.14 to 0.24):
  # not comparable, skipped.
  local skip=()
  [[ $1 == norm_growth ]] && skip=(--skip /norm_growth/heads)
  smoke "$1" cuda cuda && smoke "$1" cpu cpu && smoke "$1" cpu cpu1 --threads=1 &&
    "$py" tools/compare_results.py "${skip[@]}" "$out/cpu/$1.json" \
      "$out/cuda/$1.json" "$out/cpu1/$1.json"
}
for e in layerwise_sparsity neuron_death norm_growth topk_thresholding gradient_sparsity; do
  step "smoke_$e" compare "$e"
done

# 2b. Data-parallel over NCCL, world size 1 (the code path: rendezvous,
# broadcast, bucketed all-reduce, replica check), against the plain CUDA run.
nccl() {
  env RANK=0 WORLD_SIZE=1 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29531 \
    "$run" layerwise_sparsity --preset=smoke --device=cuda --quiet --json \
    --out_dir="$out/nccl" &&
    grep -q '"data_parallel_backend": "nccl"' "$out/nccl/layerwise_sparsity.json" &&
    "$py" tools/compare_results.py "$out/cuda/layerwise_sparsity.json" \
      "$out/nccl/layerwise_sparsity.json" "$out/cpu1/layerwise_sparsity.json"
}
step nccl_world_size_1 nccl

# 3. One default-LM step: C++ vs PyTorch eager on this GPU. The Python child
# must not inherit run.sh's LD_LIBRARY_PATH (the bundle's libstdc++ and
# protobuf would load into the machine's Python).
# The H100/H200's float32 peak (no TF32: LibTorch's default for matmuls)
# gives the report's model FLOP utilisation.
peak=0
case "$(cat "$out/gpu.txt")" in
  *H100*PCIe*) peak=51 ;;
  *H100*|*H200*) peak=67 ;;
esac
step trainer_vs_python "$run" trainer_vs_python --device=cuda --sizes=default \
  --rounds=3 --steps=50 --warmup=10 --nocompile --peak_tflops=$peak \
  --python="env -u LD_LIBRARY_PATH $py" \
  --out_dir="$out/performance"

printf '%s\n' "${summary[@]}"
grep -h "default  C++" "$out/trainer_vs_python.log" 2>/dev/null
echo "gpu_check: $passed passed, $failed failed"
((failed == 0))
