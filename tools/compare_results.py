#!/usr/bin/env python3
"""Compares two results files' JSON exports (e.g. a smoke preset on CPU and
on CUDA) number by number, within tolerances that allow what a different
reduction order does to float32 training, and nothing more.

  tools/compare_results.py A.json B.json

Provenance (run) and timings are skipped; every other value is compared
with the same path in both files. Numbers, by kind (decided from both
values, since the JSON export prints 1.0 as 1):
  - counts (both values whole numbers: dead units, steps):
    |a - b| <= max(2, 0.03 * max(|a|, |b|));
  - fractions (both in [0, 1]: densities, accuracies, rates):
    |a - b| <= 0.03 absolute;
  - every other number (losses, norms, fits):
    |a - b| <= 0.03 * max(|a|, |b|) + 1e-6.
NaN and infinities (exported as the strings "NaN", "Infinity") must match
exactly. Config fields, strings, booleans and list lengths must be equal.
Prints the largest deviation of each kind and its path; exits 1 if any
number is out of tolerance or anything else differs. The tolerances and why
they hold are in docs/architecture.md, "CPU and GPU results".
"""
import json
import math
import sys

FRACTION_ATOL = 0.03
RTOL, ATOL = 0.03, 1e-6
COUNT_ATOL = 2
SKIPPED_KEYS = {"run", "timings", "seconds", "wall_seconds", "tokens_per_second",
                "steps_per_second", "device", "probe_seconds", "train_seconds"}
SPECIAL = {"NaN": float("nan"), "Infinity": float("inf"),
           "-Infinity": float("-inf")}


def as_number(v):
    """v as a float if it is a number or an exported NaN/infinity, else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return SPECIAL.get(v) if isinstance(v, str) else None


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in SKIPPED_KEYS:
                continue
            if key not in a or key not in b:
                out["structure"].append(f"{path}/{key}: only in one file")
                continue
            walk(a[key], b[key], f"{path}/{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out["structure"].append(f"{path}: {len(a)} vs {len(b)} entries")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out)
    elif as_number(a) is not None and as_number(b) is not None:
        compare_number(as_number(a), as_number(b), path, out)
    elif a != b:
        out["structure"].append(f"{path}: {a!r} vs {b!r}")


def kind_and_tolerance(a, b):
    if a.is_integer() and b.is_integer():
        return "count", max(COUNT_ATOL, RTOL * max(abs(a), abs(b)))
    if 0.0 <= a <= 1.0 and 0.0 <= b <= 1.0:
        return "fraction", FRACTION_ATOL
    return "other", RTOL * max(abs(a), abs(b)) + ATOL


def compare_number(a, b, path, out):
    if "/config" in path or not (math.isfinite(a) and math.isfinite(b)):
        if a != b and not (math.isnan(a) and math.isnan(b)):
            out["structure"].append(f"{path}: {a} vs {b}")
        return
    kind, allowed = kind_and_tolerance(a, b)
    deviation = abs(a - b)
    worst = out["worst"].setdefault(kind, (0.0, "", 0.0))
    ratio = deviation / allowed
    if ratio > worst[0]:
        out["worst"][kind] = (ratio, path, deviation)
    out["count"][kind] = out["count"].get(kind, 0) + 1
    if deviation > allowed:
        out["over"].append(f"{path}: {a} vs {b}")


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: compare_results.py A.json B.json")
    with open(argv[1]) as f:
        a = json.load(f)
    with open(argv[2]) as f:
        b = json.load(f)
    out = {"structure": [], "over": [], "worst": {}, "count": {}}
    walk(a, b, "", out)
    for kind, (ratio, path, deviation) in sorted(out["worst"].items()):
        print(f"{kind}: {out['count'][kind]} numbers, largest deviation "
              f"{deviation:.3g} ({100 * ratio:.0f}% of its tolerance) at {path}")
    for line in out["structure"][:10] + out["over"][:10]:
        print("differs:", line)
    bad = len(out["structure"]) + len(out["over"])
    print(f"compare_results: {bad} difference(s) beyond tolerance")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
