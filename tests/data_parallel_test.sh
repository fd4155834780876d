#!/usr/bin/env bash
# Data-parallel training (train/data_parallel.h) end to end:
#  1. every experiment's smoke presets that train, 2 ranks x half the batch
#     (--nproc=2, 1 thread each) against 1 rank x the full batch (1 thread:
#     the same thread partition in every elementwise kernel, the fused AdamW
#     step's included), compared by tools/compare_results.py with the
#     2-thread run as the reference for what reduction order alone moves
#     (norm_growth's
#     head statistics skipped, as in tools/gpu_check.sh); the layerwise
#     smoke's loss and gradient norm at every step within 1e-5 relative;
#  2. a rank killed mid-run (tasks started as srun would, through
#     tools/slurm/srun_data_parallel.sh with a faked Slurm environment): the
#     other rank exits non-zero with one line, no temporary file is left,
#     and --resume (2 ranks) ends with the loss curve of an uninterrupted
#     2-rank run, value for value;
#  3. the --nproc launcher stops every rank when one is killed, in one line;
#  4. bad input: --nproc out of range or with --workers, a batch that does
#     not split into the ranks.
# Args: CA01 SRUN_SCRIPT COMPARE_RESULTS_PY EXPERIMENT_BINARY...
set -uo pipefail
corpus=$(dirname "$(realpath "$1")")
srun_script=$(realpath "$2")
compare=$(realpath "$3")
shift 3
declare -A bin
for b in "$@"; do bin[$(basename "$b")]=$(realpath "$b"); done
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

smoke() {  # smoke EXPERIMENT PRESET OUT [FLAGS...]
  "${bin[$1]}" --preset="$2" --quiet --json --out_dir="$3" \
    --corpus_dir="$corpus" "${@:4}" >"$3.log" 2>&1 ||
    { fail "$1 $2 ${*:4}: $(tail -1 "$3.log")"; return 1; }
}

# 1. Equivalence.
for spec in layerwise_sparsity:smoke layerwise_sparsity:ablation_smoke \
  neuron_death:smoke norm_growth:smoke gradient_sparsity:smoke \
  topk_thresholding:smoke topk_thresholding:memorise_smoke; do
  e=${spec%%:*} p=${spec##*:} d=$tmp/eq_${spec/:/_}
  mkdir -p "$d"
  # neuron_death's and norm_growth's smoke presets with torch's AdamW: with
  # the fused step their 1- and 2-thread single-rank runs came out equal at
  # the aggregates that then differed for 2 ranks (death counts, a fit's
  # slope), leaving no yardstick for reduction order; open question, see
  # README ("Performance"). The others (and layerwise's per-step loss
  # check below) run the fused step.
  opt=()
  [[ $e == neuron_death || $e == norm_growth ]] &&
    opt=(--override='base { optim { fused: false } }')
  smoke "$e" "$p" "$d/one" --threads=1 "${opt[@]}" || continue
  smoke "$e" "$p" "$d/ref" --threads=2 "${opt[@]}" || continue
  smoke "$e" "$p" "$d/two" --nproc=2 --threads=1 "${opt[@]}" || continue
  skip=()
  [[ $e == norm_growth ]] && skip=(--skip /norm_growth/heads)
  if ! python3 "$compare" "${skip[@]}" "$d/one/$e.json" "$d/two/$e.json" \
    "$d/ref/$e.json" >"$d/compare.log" 2>&1; then
    fail "$spec: 2 ranks differ from 1: $(grep differs "$d/compare.log" | head -3)"
  fi
  grep -q '"data_parallel_ranks": 2' "$d/two/$e.json" ||
    fail "$spec: the 2-rank results do not record 2 ranks"
  # TensorBoard: rank 0 alone writes, one event file per run.
  for run_dir in "$d"/two/*.runs/tensorboard/*/; do
    n=$(ls "$run_dir" | wc -l)
    ((n == 1)) || fail "$spec: $n event files in $run_dir"
  done
  echo "$spec: 2 ranks = 1 rank ($(tail -1 "$d/compare.log"))"
done
python3 - "$tmp/eq_layerwise_sparsity_smoke" <<'PY' || fail "layerwise smoke: loss curves differ"
import json, sys
d = sys.argv[1]
runs = [json.load(open(f"{d}/{w}/layerwise_sparsity.json"))["layerwise_sparsity"]["runs"]
        for w in ("one", "two")]
worst = 0.0
for a, b in zip(*runs):
    assert len(a["loss"]) == len(b["loss"]) > 0
    for p, q in zip(a["loss"], b["loss"]):
        for k in ("loss", "grad_norm"):
            worst = max(worst, abs(p[k] - q[k]) / abs(p[k]))
print(f"layerwise smoke: largest relative step difference {worst:.2g} (allowed 1e-5)")
sys.exit(0 if worst <= 1e-5 else 1)
PY

# 2. A rank killed mid-run, tasks started as srun would start them.
long=(--preset=smoke --steps=600 --checkpoint_every=50 --quiet
  --corpus_dir="$corpus" --json)
task() {  # task RANK OUT: one Slurm task in the background
  env SLURM_PROCID="$1" SLURM_NTASKS=2 SLURM_LOCALID="$1" \
    SLURM_JOB_NODELIST=localhost SLURM_JOB_ID=$((RANDOM % 1000)) \
    SLURM_CPUS_PER_TASK=1 SPARSITY_BIN_DIR="$(dirname "${bin[layerwise_sparsity]}")" \
    MASTER_PORT=$2 "$srun_script" layerwise_sparsity "${long[@]}" \
    --out_dir="$tmp/killed" >"$tmp/rank$1.out" 2>"$tmp/rank$1.err" &
}
port=$((20000 + RANDOM % 20000))
task 0 "$port"
p0=$!
task 1 "$port"
p1=$!
ckpt=$tmp/killed/layerwise_sparsity.runs/base__i1-d1.ckpt
for _ in $(seq 600); do [[ -e $ckpt ]] && break; sleep 0.1; done
kill -KILL "$p1"
wait "$p1" 2>/dev/null
if wait "$p0"; then
  fail "rank 0 exited 0 after rank 1 was killed"
elif [[ $(wc -l <"$tmp/rank0.err") != 1 ]] ||
  ! grep -q "another rank stopped" "$tmp/rank0.err"; then
  fail "rank 0 did not end with one line: $(cat "$tmp/rank0.err")"
fi
left=$(find "$tmp/killed" -type f ! -name '*.ckpt' ! -name '*.record.pb' \
  ! -name 'events.out.tfevents.*' | wc -l)
((left == 0)) || fail "$left temporary file(s) left after the kill"
[[ -e $tmp/killed/layerwise_sparsity.pb ]] && fail "a results file after the kill"
"${bin[layerwise_sparsity]}" "${long[@]}" --nproc=2 --threads=1 --resume \
  --out_dir="$tmp/killed" >"$tmp/resume.log" 2>&1 || fail "resume: $(tail -1 "$tmp/resume.log")"
"${bin[layerwise_sparsity]}" "${long[@]}" --nproc=2 --threads=1 \
  --out_dir="$tmp/whole" >"$tmp/whole.log" 2>&1 || fail "uninterrupted: $(tail -1 "$tmp/whole.log")"
python3 - "$tmp" <<'PY' || fail "the resumed 2-rank run differs from the uninterrupted one"
import json, sys
t = sys.argv[1]
load = lambda d: json.load(open(f"{t}/{d}/layerwise_sparsity.json"))["layerwise_sparsity"]["runs"]
a, b = load("killed"), load("whole")
assert a[0]["timings"].get("resumed") == 1, "run 0 was not resumed"
for x, y in zip(a, b):
    for k in ("loss", "grad_norm"):
        assert [p[k] for p in x["loss"]] == [p[k] for p in y["loss"]], (x["name"], k)
print("killed rank: rank 0 stopped with one line; resumed = uninterrupted, value for value")
PY

# 3. The launcher stops the others when one rank dies.
"${bin[layerwise_sparsity]}" "${long[@]}" --nproc=2 --threads=1 \
  --out_dir="$tmp/launched" >"$tmp/launched.out" 2>"$tmp/launched.err" &
launcher=$!
for _ in $(seq 600); do
  [[ -e $tmp/launched/layerwise_sparsity.runs/base__i1-d1.ckpt ]] && break
  sleep 0.1
done
ranks=($(pgrep -P "$launcher"))
((${#ranks[@]} == 2)) || fail "--nproc=2 started ${#ranks[@]} processes"
kill -KILL "${ranks[1]}"
if wait "$launcher"; then
  fail "the launcher exited 0 after a rank was killed"
elif ! grep -q "rank 1 of 2 was killed by signal 9; the other ranks were stopped" \
  "$tmp/launched.err"; then
  fail "launcher: $(cat "$tmp/launched.err")"
fi
sleep 0.5
kill -0 "${ranks[0]}" 2>/dev/null && fail "rank 0 outlived the launcher"

# 4. Bad input: one line, exit 1, no results.
bad() {  # bad WANT FLAGS...
  local want=$1
  shift
  if "${bin[layerwise_sparsity]}" --preset=smoke --quiet --corpus_dir="$corpus" \
    --out_dir="$tmp/bad" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"; then
    fail "$*: exit 0"
  elif ! grep -q "$want" "$tmp/bad.err"; then
    fail "$*: $(cat "$tmp/bad.err")"
  fi
  [[ -e $tmp/bad/layerwise_sparsity.pb ]] && fail "$*: left a results file"
}
bad "nproc must be in" --nproc=0
bad "without --workers" --nproc=2 --workers=2
bad "does not split into 3 equal shards" --nproc=3 --batch_size=8
echo "data_parallel_test: $failures failure(s)"
((failures == 0))
