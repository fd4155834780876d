#!/usr/bin/env python3
"""Compares two results files' JSON exports of the same preset (e.g. a smoke
preset on the CPU and on CUDA) within tolerances that allow what a different
reduction order does to float32 training, and catch what a device bug does.

  tools/compare_results.py [--skip REGEX] A.json B.json [REFERENCE.json]

Training amplifies a last-bit difference: with only the CPU thread count
changed, single events (which unit dies at which step, one step's gradient
norm, one attention head) already differ in some smoke presets, while
aggregates agree to a fraction of a percent. So values are compared as
aggregates: a leaf's key is its path with the indices of lists of messages
kept (runs[3]/probes[2]/layers[1]/...) and the indices of per-unit lists
of numbers and of event lists (deaths, loss, heads) pooled; each key's
values are reduced to their count and mean (booleans: the fraction true).
Then, per key, by kind (decided from both values, since the JSON export
prints 1.0 as 1), with s = max(|a|, |b|):
  - counts (how many values; means that are whole numbers on both sides):
    |a - b| <= max(2, 0.05 s);
  - fractions (both means in [0, 1]: densities, accuracies, ranks):
    |a - b| <= 0.02 + 0.05 s;
  - every other mean (losses, norms, fits): |a - b| <= 0.05 s + 1e-6.
REFERENCE, when given, is the same preset as A on the same device with only
the thread count changed: it measures how chaotic each aggregate is on its
own (in some smoke presets a unit's death step or a head's spread moves by
10-25% with the thread count alone). Each key's allowance is then the
larger of its tolerance above and 3 times its deviation between A and
REFERENCE: max(tolerance, 3 d).
--skip leaves out the keys that REGEX matches (counted in the output): for
figures that are discontinuous in the weights, such as norm_growth's head
statistics at c = 1000, where a near-tie between keys flips with the last
bit of a score (one run's mean head spread moved from 0.14 to 0.24 with
the thread count alone).
Provenance (run), timings and execution settings (device, threads) are
skipped; config values and strings must be equal; NaN and infinities
(exported as "NaN", "Infinity") must match exactly. Prints the largest
deviation of each kind and its key; exits 1 if anything is out of
tolerance. The tolerances and their calibration are in
docs/architecture.md, "CPU and GPU results".
"""
import json
import math
import re
import sys

FRACTION_ATOL = 0.02
RTOL, ATOL = 0.05, 1e-6
COUNT_ATOL = 2
CHAOS_FACTOR = 3
SKIPPED_KEYS = {"run", "timings", "seconds", "wall_seconds", "tokens_per_second",
                "steps_per_second", "device", "threads", "probe_seconds",
                "train_seconds"}
SPECIAL = {"NaN": float("nan"), "Infinity": float("inf"),
           "-Infinity": float("-inf")}
# Lists of single events, whose members differ between devices one by one
# (which unit dies when, one step's loss and gradient norm, one head):
# compared by their count and means, pooled.
EVENT_LISTS = {"deaths", "loss", "heads"}


def as_number(v):
    """v as a float if it is a number, a boolean or an exported NaN/infinity."""
    if isinstance(v, (bool, int, float)):
        return float(v)
    return SPECIAL.get(v) if isinstance(v, str) else None


def leaves(value, path, out, name=""):
    """Appends (key, leaf) for every leaf of `value`. A key keeps the index of
    each list of messages (runs, probes, layers, variants, ...) but not of
    per-unit lists of numbers or of the event lists in EVENT_LISTS."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key not in SKIPPED_KEYS:
                leaves(child, f"{path}/{key}", out, key)
    elif isinstance(value, list):
        pooled = name in EVENT_LISTS or not any(
            isinstance(child, (dict, list)) for child in value)
        for i, child in enumerate(value):
            leaves(child, f"{path}[{'' if pooled else i}]", out, name)
    else:
        out.append((path, value))


def aggregate(results):
    """key -> the list of leaf values under it."""
    pairs = []
    leaves(results, "", pairs)
    grouped = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def tolerance(a, b):
    scale = max(abs(a), abs(b))
    if a.is_integer() and b.is_integer():
        return "count", max(COUNT_ATOL, RTOL * scale)
    if 0.0 <= a <= 1.0 and 0.0 <= b <= 1.0:
        return "fraction", FRACTION_ATOL + RTOL * scale
    return "other", RTOL * scale + ATOL


def mean_of(values):
    """The mean of numeric values, or None when any value is not a number."""
    numbers = [as_number(v) for v in values]
    if any(x is None for x in numbers):
        return None
    return sum(numbers) / len(numbers) if numbers else 0.0


def compare_key(key, xs, ys, out, chaos=None):
    if "/config" in key or any(isinstance(v, str) and v not in SPECIAL
                               for v in xs + ys):
        if xs != ys:
            out["differs"].append(f"{key}: {xs[:3]} vs {ys[:3]}")
        return
    chaos = chaos or {}
    check(key + " (count)", float(len(xs)), float(len(ys)), out,
          chaos.get(key + " (count)", 0.0))
    a, b = mean_of(xs), mean_of(ys)
    if not (math.isfinite(a) and math.isfinite(b)):
        if a != b and not (math.isnan(a) and math.isnan(b)):
            out["differs"].append(f"{key}: mean {a} vs {b}")
        return
    check(key, a, b, out, chaos.get(key, 0.0))


def deviations(a, r):
    """key -> |A - REFERENCE| of each aggregate (count and mean)."""
    out = {}
    for key in set(a) & set(r):
        out[key + " (count)"] = abs(len(a[key]) - len(r[key]))
        x, y = mean_of(a[key]), mean_of(r[key])
        if x is not None and y is not None and math.isfinite(x) and math.isfinite(y):
            out[key] = abs(x - y)
    return out


def check(key, a, b, out, chaos=0.0):
    kind, allowed = tolerance(a, b)
    if CHAOS_FACTOR * chaos > allowed:
        allowed = CHAOS_FACTOR * chaos
        out["widened"] += 1
    deviation = abs(a - b)
    ratio = deviation / allowed
    worst = out["worst"].setdefault(kind, (-1.0, "", 0.0))
    if ratio > worst[0]:
        out["worst"][kind] = (ratio, key, deviation)
    out["count"][kind] = out["count"].get(kind, 0) + 1
    if deviation > allowed:
        out["differs"].append(f"{key}: {a:.6g} vs {b:.6g}")


def load(path):
    with open(path) as f:
        return aggregate(json.load(f))


def main(argv):
    skip = None
    if len(argv) > 2 and argv[1] == "--skip":
        skip = re.compile(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) not in (3, 4):
        sys.exit("usage: compare_results.py [--skip REGEX] A.json B.json "
                 "[REFERENCE.json]")
    a, b = load(argv[1]), load(argv[2])
    chaos = deviations(a, load(argv[3])) if len(argv) == 4 else {}
    skipped = 0
    if skip is not None:
        for grouped in (a, b):
            for key in [k for k in grouped if skip.search(k)]:
                del grouped[key]
                skipped += grouped is a
    out = {"differs": [], "worst": {}, "count": {}, "widened": 0}
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            out["differs"].append(f"{key}: only in one file")
        else:
            compare_key(key, a[key], b[key], out, chaos)
    for kind, (ratio, key, deviation) in sorted(out["worst"].items()):
        print(f"{kind}: {out['count'][kind]} aggregates, largest deviation "
              f"{deviation:.3g} ({100 * ratio:.0f}% of its allowance) at {key}")
    if skip is not None:
        print(f"{skipped} key(s) skipped (--skip {skip.pattern})")
    if chaos:
        print(f"{out['widened']} allowance(s) widened to {CHAOS_FACTOR}x the "
              f"deviation between {argv[1]} and the reference")
    for line in out["differs"][:15]:
        print("differs:", line)
    print(f"compare_results: {len(out['differs'])} difference(s) beyond "
          f"tolerance")
    return 1 if out["differs"] else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
