#!/usr/bin/env bash
# TensorBoard event files (train/tensorboard.h) read back with the
# `tensorboard` package's own event reader (EventAccumulator, which checks
# the TFRecord checksums), from the project's virtual environment: the
# layerwise smoke preset's two runs, each with a file under the default
# folder, whose scalars are every step's loss, learning rate, gradient norm
# and tokens/s and every probe's loss, per-layer density and dead units,
# equal to the results file's values. Then --tensorboard_dir=off writes
# none, and a resumed run's folder gets a second file.
# Args: VENV_PYTHON LAYERWISE_SPARSITY_BINARY CA01
set -euo pipefail
python=$1
binary=$(realpath "$2")
corpus=$(dirname "$(realpath "$3")")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
if [[ -z $python || ! -x $python ]]; then
  echo "no virtual-environment Python with tensorboard ('$python'): run tools/setup.sh"
  exit 1
fi
"$binary" --preset=smoke --quiet --json --out_dir="$tmp/out" \
  --corpus_dir="$corpus" >"$tmp/run.log" 2>&1
"$python" - "$tmp/out" <<'PY'
import glob, json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
out = sys.argv[1]
runs = json.load(open(f"{out}/layerwise_sparsity.json"))["layerwise_sparsity"]["runs"]
assert len(runs) == 2
for run in runs:
    stem = run["name"].replace("/", "__")
    files = glob.glob(f"{out}/layerwise_sparsity.runs/tensorboard/{stem}/events.out.tfevents.*")
    assert len(files) == 1, (stem, files)
    acc = EventAccumulator(files[0], size_guidance={"scalars": 0})
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    def curve(tag):
        assert tag in tags, (tag, sorted(tags))
        return [(e.step, e.value) for e in acc.Scalars(tag)]
    def close(a, b):
        return abs(a - b) <= 1e-6 * max(1.0, abs(b))
    for tag, key in (("train/loss", "loss"), ("train/lr", "lr"),
                     ("train/grad_norm", "grad_norm")):
        got = curve(tag)
        want = [(p["step"], p[key]) for p in run["loss"]]
        assert [s for s, _ in got] == [s for s, _ in want], (tag, got[:3], want[:3])
        assert all(close(g, w) for (_, g), (_, w) in zip(got, want)), tag
    tps = curve("train/tokens_per_second")
    assert len(tps) == len(run["loss"]) and all(v > 0 for _, v in tps)
    probes = run["probes"]
    assert [s for s, _ in curve("probe/loss")] == [p.get("step", 0) for p in probes]
    for layer in range(len(probes[0]["layers"])):
        dens = curve(f"probe/density/layer_{layer}")
        dead = curve(f"probe/dead_units/layer_{layer}")
        assert all(close(v, p["layers"][layer]["token_density_mean"])
                   for (_, v), p in zip(dens, probes)), layer
        assert all(v == p["layers"][layer].get("dead_units", 0)
                   for (_, v), p in zip(dead, probes)), layer
    print(f"{stem}: {len(tags)} scalar tags, {len(run['loss'])} steps, "
          f"{len(probes)} probes read back equal to the results file")
PY
"$binary" --preset=smoke --quiet --out_dir="$tmp/off" --tensorboard_dir=off \
  --corpus_dir="$corpus" >"$tmp/off.log" 2>&1
if [[ -e $tmp/off/layerwise_sparsity.runs/tensorboard ]]; then
  echo "--tensorboard_dir=off wrote event files"
  exit 1
fi
# A resumed run: its finished record kept, the interrupted one continued
# with a file of its own beside the first session's.
rm "$tmp/out/layerwise_sparsity.runs/base__i2-d2.record.pb"
sleep 1  # the file name holds the second it was opened
"$binary" --preset=smoke --quiet --out_dir="$tmp/out" --resume \
  --corpus_dir="$corpus" >"$tmp/resume.log" 2>&1
n=$(ls "$tmp/out/layerwise_sparsity.runs/tensorboard/base__i2-d2" | wc -l)
if [[ $n != 2 ]]; then
  echo "resumed run: $n event files, want 2"
  exit 1
fi
echo "tensorboard_test: passed"
