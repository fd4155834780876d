#!/bin/bash
# One data-parallel run over Slurm tasks: srun starts this script once per
# task, and each task becomes one rank of the run (train/data_parallel.h):
# SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID become torchrun's RANK,
# WORLD_SIZE and LOCAL_RANK; MASTER_ADDR is the first node of the job
# (scontrol, else the first name of SLURM_JOB_NODELIST) and MASTER_PORT
# 29500 + the job id modulo 1000, unless they are set already.
#
#   bazel build //experiments:layerwise_sparsity   # on a login node, once
#   sbatch --nodes=4 --ntasks-per-node=1 --cpus-per-task=16 --wrap \
#     "srun tools/slurm/srun_data_parallel.sh layerwise_sparsity \
#        --preset=paper --out_dir=/shared/runs/paper"
#
# CPU tasks use Gloo, GPU tasks (--device=cuda, one GPU per task) NCCL.
# The output folder must be on a file system every node sees: rank 0
# writes it, the other ranks read its checkpoints when resuming. Each task
# trains with --threads=$SLURM_CPUS_PER_TASK. A task that dies makes the
# others fail at their next collective; resubmit with --resume.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: srun $0 EXPERIMENT [FLAGS...]" >&2
  exit 2
fi
experiment=$1
shift
for v in SLURM_PROCID SLURM_NTASKS; do
  if [[ -z ${!v:-} ]]; then
    echo "$0: $v is not set: run this script under srun" >&2
    exit 2
  fi
done
if [[ -z ${MASTER_ADDR:-} ]]; then
  first=$(scontrol show hostnames "${SLURM_JOB_NODELIST:-}" 2>/dev/null |
    head -n 1 || true)
  # Without scontrol: the first name of a plain list ("a,b" or "a").
  [[ -n $first ]] || first=${SLURM_JOB_NODELIST%%,*}
  MASTER_ADDR=${first:-127.0.0.1}
fi
export MASTER_ADDR
export MASTER_PORT=${MASTER_PORT:-$((29500 + ${SLURM_JOB_ID:-0} % 1000))}
export RANK=$SLURM_PROCID WORLD_SIZE=$SLURM_NTASKS
export LOCAL_RANK=${SLURM_LOCALID:-0}
bin_dir=${SPARSITY_BIN_DIR:-bazel-bin/experiments}
exec "$bin_dir/$experiment" --threads="${SLURM_CPUS_PER_TASK:-0}" "$@"
