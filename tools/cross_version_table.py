#!/usr/bin/env python3
"""The layerwise_sparsity headline figures of two results files side by side
(e.g. the committed LibTorch 1.13 run and its LibTorch 2.x re-run), as a
Markdown table: per layer, the final token density, batch-union density and
dead units, and the final training and held-out losses; each as the mean
over seeds with the min-max range, and whether it moved beyond its seed
spread (the two runs' seed ranges do not overlap).

  tools/cross_version_table.py OLD.pb NEW.pb

Reads the binary results with `protoc --decode` (Debian's protobuf-compiler,
installed by tools/setup.sh) against proto/results.proto.
"""
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
        add = lambda k, v: out.setdefault(k, []).append(float(v))
        add("final training loss", run["loss"][-1]["loss"][0])
        add("held-out loss", final["probe_loss"][0])
        for layer in final["layers"]:
            n = layer.get("layer", ["0"])[0]
            add(f"layer {n} token density", layer["token_density_mean"][0])
            add(f"layer {n} batch union", layer["batch_union_density"][0])
            add(f"layer {n} dead units", layer.get("dead_units", ["0"])[0])
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
    moved = 0
    for name in a:
        x, y = a[name], b[name]
        beyond = max(x) < min(y) or max(y) < min(x)
        moved += beyond
        print(f"| {name} | {cell(x, name)} | {cell(y, name)} | "
              f"{'**yes**' if beyond else 'no'} |")
    print(f"\n{moved} of {len(a)} figures moved beyond their seed spread "
          f"({len(x)} seeds each).")


if __name__ == "__main__":
    main(sys.argv)
