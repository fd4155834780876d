#!/usr/bin/env python3
"""Compares two results files' JSON exports (e.g. a smoke preset on CPU and
on CUDA) number by number, within tolerances that allow what a different
reduction order does to float32 training, and nothing more.

  tools/compare_results.py A.json B.json

Provenance (run) and timings are skipped; every other number is compared
with the same path in both files, by kind:
  - fractions (densities, accuracies, rates: values in [0, 1]):
    |a - b| <= 0.03 absolute;
  - every other number (losses, norms, counts, fits):
    |a - b| <= 0.03 * max(|a|, |b|) + 1e-6.
Strings, booleans, list lengths and config fields must be equal. Prints the
largest deviation of each kind and its path; exits 1 if any number is out of
tolerance or the structure differs. The tolerances and why they hold are in
docs/architecture.md, "CPU and GPU results".
"""
import json
import sys

FRACTION_ATOL = 0.03
RTOL, ATOL = 0.03, 1e-6
SKIPPED_KEYS = {"run", "timings", "seconds", "wall_seconds", "tokens_per_second",
                "steps_per_second", "device", "probe_seconds", "train_seconds"}


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
    elif isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str):
        if a != b and "/config" in path:
            out["structure"].append(f"{path}: {a!r} vs {b!r}")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        compare_number(float(a), float(b), path, out)
    elif a != b:
        out["structure"].append(f"{path}: {a!r} vs {b!r}")


def compare_number(a, b, path, out):
    if "/config" in path:
        if a != b:
            out["structure"].append(f"{path}: config {a} vs {b}")
        return
    fraction = 0.0 <= a <= 1.0 and 0.0 <= b <= 1.0 and not float(a).is_integer()
    kind = "fraction" if fraction else "other"
    deviation = abs(a - b)
    allowed = FRACTION_ATOL if fraction else RTOL * max(abs(a), abs(b)) + ATOL
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
