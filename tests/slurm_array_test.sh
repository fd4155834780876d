#!/bin/bash
# tools/slurm/sweep_array.sbatch under a faked Slurm job array of 3 tasks
# (no Slurm here: the script runs as each task would, with the array's
# environment): the tasks that finish before the last say so and exit 0,
# the last writes the results file with every run.
#   slurm_array_test.sh LAYERWISE_SPARSITY_BINARY CA01 SWEEP_ARRAY_SCRIPT
set -euo pipefail
binary=$(realpath "$1")
corpus=$(dirname "$(realpath "$2")")
script=$(realpath "$3")
out=$TEST_TMPDIR/array
task() {
  SLURM_ARRAY_TASK_ID=$1 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=3 \
    SLURM_CPUS_PER_TASK=1 SPARSITY_BIN_DIR=$(dirname "$binary") \
    "$script" "$(basename "$binary")" --preset=smoke --quiet \
    --out_dir="$out" --corpus_dir="$corpus"
}
# The smoke preset has 2 runs: task 2 has none, task 0 one, task 1 one.
for i in 2 0; do
  line=$(task "$i")
  if [[ $line != *"shard $i/3 is done"*"not finished yet"* ]]; then
    echo "task $i: unexpected output: $line"
    exit 1
  fi
  if [[ -e $out/layerwise_sparsity.pb ]]; then
    echo "task $i wrote the results before the last task"
    exit 1
  fi
done
task 1 | grep -q "wrote $out/layerwise_sparsity.pb"
[[ -s $out/layerwise_sparsity.pb ]]
echo "3 array tasks: results written by the last"
