#!/usr/bin/env bash
# tools/compare_results.py on hand-built results with known answers: equal
# files pass; a loss 20% off, one layer's density 0.07 off, a changed config
# value or a NaN against a number fail; a per-event value that moves (one death's step)
# passes while its run's mean stays within tolerance; a key that moves as
# much between A and the thread-count reference is allowed 3x that.
# Args: COMPARE_RESULTS_PY
set -uo pipefail
compare=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0

write() {  # write NAME LOSS DENSITY STEPS DEATH_STEPS HEAD_STD
  cat >"$tmp/$1.json" <<JSON
{"run": {"git_revision": "$1"}, "e": {"config": {"base": {"train": {"steps": $4, "device": "cpu", "threads": 2}}},
 "runs": [{"loss": [{"step": 1, "loss": $2}, {"step": 2, "loss": $2}],
           "probes": [{"layers": [{"token_density_mean": $3}, {"token_density_mean": 0.2}]}],
           "deaths": [$5], "head_std": $6, "ok": true}]}}
JSON
}
expect() {  # expect RC A B [REF] DESCRIPTION
  local want=$1 desc=${*: -1}
  python3 "$compare" "${@:2:$#-2}" >"$tmp/out" 2>&1
  local got=$?
  if [[ $got == "$want" ]]; then echo "ok   $desc"; else
    echo "FAIL $desc: exit $got, wanted $want"; cat "$tmp/out"; failures=$((failures + 1)); fi
}

write a 2.0 0.30 100 '{"step": 5}, {"step": 9}' 1.0
write same 2.0 0.30 100 '{"step": 5}, {"step": 9}' 1.0
write near 2.04 0.32 100 '{"step": 6}, {"step": 8}' 1.02
write loss 2.4 0.30 100 '{"step": 5}, {"step": 9}' 1.0
write density 2.0 0.40 100 '{"step": 5}, {"step": 9}' 1.0
write config 2.0 0.30 200 '{"step": 5}, {"step": 9}' 1.0
write nan '"NaN"' 0.30 100 '{"step": 5}, {"step": 9}' 1.0
write deaths 2.0 0.30 100 '{"step": 5}, {"step": 9}, {"step": 7}, {"step": 7}, {"step": 7}' 1.0
write std 2.0 0.30 100 '{"step": 5}, {"step": 9}' 1.2
write ref 2.0 0.30 100 '{"step": 5}, {"step": 9}' 1.1
write layer 2.0 0.37 100 '{"step": 5}, {"step": 9}' 1.0

expect 0 "$tmp/a.json" "$tmp/same.json" "identical results pass"
expect 0 "$tmp/a.json" "$tmp/near.json" "2% loss, 0.02 density, death steps swapped: pass"
expect 1 "$tmp/a.json" "$tmp/loss.json" "loss 20% off fails"
expect 1 "$tmp/a.json" "$tmp/density.json" "density 0.1 off fails"
expect 1 "$tmp/a.json" "$tmp/layer.json" "one layer's density 0.07 off fails (layers are not pooled)"
expect 1 "$tmp/a.json" "$tmp/config.json" "a config value that differs fails"
expect 1 "$tmp/a.json" "$tmp/nan.json" "NaN against a number fails"
expect 1 "$tmp/a.json" "$tmp/deaths.json" "3 more deaths (count 2 vs 5) fail"
expect 1 "$tmp/a.json" "$tmp/std.json" "a head spread 20% off fails without a reference"
expect 0 "$tmp/a.json" "$tmp/std.json" "$tmp/ref.json" "...and passes when the reference moves it 10%"
expect 1 "$tmp/a.json" "$tmp/loss.json" "$tmp/ref.json" "the reference does not excuse the loss"
expect 0 --skip head_std "$tmp/a.json" "$tmp/std.json" "--skip leaves out the keys it names"
expect 1 --skip head_std "$tmp/a.json" "$tmp/loss.json" "...and only those"

((failures == 0)) || { echo "$failures case(s) failed"; exit 1; }
echo "all cases passed"
