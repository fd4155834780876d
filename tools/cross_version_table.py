#!/usr/bin/env python3
"""The layerwise_sparsity headline figures of two results files side by side
(e.g. the committed LibTorch 1.13 run and its LibTorch 2.x re-run), as a
Markdown table: per layer, the final token density, batch-union density and
dead units, and the final training and held-out losses; each as the mean
over seeds with the min-max range, and whether it moved beyond its seed
spread (the two runs' seed ranges do not overlap; a figure that is the same
in every run of both is "not testable").

  tools/cross_version_table.py OLD.pb NEW.pb

Reads the binary results with `protoc --decode` (Debian's protobuf-compiler,
installed by tools/setup.sh) against proto/results.proto.
"""
import math
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_text(text):
    """Protobuf text format -> nested dicts; every field is a list."""
    stack = [{}]
    for raw in text.splitlines():
        line = raw.strip()
        if line.endswith("{"):
            child = {}
            stack[-1].setdefault(line[:-1].strip(), []).append(child)
            stack.append(child)
        elif line == "}":
            stack.pop()
        elif ":" in line:
            key, value = line.split(":", 1)
            stack[-1].setdefault(key.strip(), []).append(value.strip().strip('"'))
    return stack[0]


def load(path):
    with open(path, "rb") as f:
        text = subprocess.run(
            ["protoc", "-I", ROOT, "--decode=sparsity.Results", "proto/results.proto"],
            stdin=f, capture_output=True, check=True, cwd=ROOT).stdout.decode()
    results = parse_text(text)
    return results["run"][0], results["layerwise_sparsity"][0]["runs"]


def figures(runs):
    """name -> per-seed values of each headline figure."""
    out = {}
    for run in runs:
        final = run["probes"][-1]
        # The text format leaves out fields that are zero.
        get = lambda message, key: float(message.get(key, ["0"])[0])
        add = lambda k, v: out.setdefault(k, []).append(v)
        add("final training loss", get(run["loss"][-1], "loss"))
        add("held-out loss", get(final, "probe_loss"))
        for layer in final["layers"]:
            n = int(get(layer, "layer"))
            add(f"layer {n} token density", get(layer, "token_density_mean"))
            add(f"layer {n} batch union", get(layer, "batch_union_density"))
            add(f"layer {n} dead units", get(layer, "dead_units"))
    return out


def cell(values, name):
    mean = sum(values) / len(values)
    if "density" in name or "union" in name:
        return f"{100 * mean:.1f}% ({100 * min(values):.1f}–{100 * max(values):.1f})"
    if "dead" in name:
        return f"{mean:.0f} ({min(values):.0f}–{max(values):.0f})"
    return f"{mean:.3f} ({min(values):.3f}–{max(values):.3f})"


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: cross_version_table.py OLD.pb NEW.pb")
    (old_run, old), (new_run, new) = load(argv[1]), load(argv[2])
    a, b = figures(old), figures(new)
    print(f"| figure | LibTorch {old_run['torch_version'][0]} | "
          f"LibTorch {new_run['torch_version'][0]} | beyond the seed spread? |")
    print("|---|---|---|---|")
    moved = constant = 0
    for name in a:
        x, y = a[name], b[name]
        if len(set(x + y)) == 1:  # the same value in every run: cannot move
            constant += 1
            verdict = "not testable (the same in every run)"
        elif max(x) < min(y) or max(y) < min(x):
            moved += 1
            verdict = "**yes**"
        else:
            verdict = "no"
        print(f"| {name} | {cell(x, name)} | {cell(y, name)} | {verdict} |")
    n = len(x)
    chance = 2 / math.comb(2 * n, n)
    print(f"\n{moved} of {len(a) - constant} figures that can move moved beyond "
          f"their seed spread ({n} seeds each; {constant} are the same in every "
          f"run). Were the two versions' runs independent draws from one "
          f"distribution, disjoint ranges would happen by chance with "
          f"probability {chance:.2f} per figure; the runs are paired by seed "
          f"(same seeds, same data order), so this is a screen for large "
          f"shifts, not a test.")

if __name__ == "__main__":
    main(sys.argv)
