#!/usr/bin/env bash
# Installs the Debian packages relusim builds and tests with. Idempotent and non-interactive.
# The CUDA toolkit is not installed here: it is optional (found by CMake when present).
set -euo pipefail
packages=(
  cmake g++ make ninja-build git      # build
  libcli11-dev                        # command line
  libtomlplusplus-dev                 # sweep files
  nlohmann-json3-dev                  # summary.json
  bc                                  # bench scripts' arithmetic
  libgtest-dev                        # tests
  libbenchmark-dev                    # bench/
  clang-format                        # formatting check in CI
  clang libclang-rt-dev               # libFuzzer targets in CI (tests/fuzz)
  libopenblas-dev                     # BLAS and LAPACK (Model C, the CPU backend)
  libopenmpi-dev openmpi-bin          # MPI ranks (optional at build time; docs/scale-out.md)
  debootstrap                         # CI's second compiler, in a chroot (scripts/gcc13-check.sh)
  python3-matplotlib                  # figures (relusim field), drawn by Debian's python3
  python3-venv python3-dev            # the Python module's virtual environment (below)
)
# --peers: also the Python peers of the benchmarks (bench/peers: NumPy, PyTorch on the CPU),
# for Debian's own python3, and JAX from PyPI in .venv-peers (below).
peers=0
if [ "${1:-}" = "--peers" ]; then
  peers=1
  packages+=(python3-numpy python3-torch)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present" >&2
fi

# The Python side (the module relusim, its tests, the notebook): a virtual environment in .venv
# with python/requirements.txt from PyPI, made with the first python3 on PATH (or
# $RELUSIM_VENV_PYTHON). scripts/test.sh builds the module against it.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv" >&2
  "${RELUSIM_VENV_PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$root/python/requirements.txt"
# cuobjdump and nvdisasm from PyPI for scripts/sass-figures.py (the CUDA toolkit here lacks them).
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$root/scripts/tools-requirements.txt"

if ((peers)); then
  peers_venv="$root/.venv-peers"
  if [ ! -x "$peers_venv/bin/python" ]; then
    echo "setup: creating $peers_venv" >&2
    "${RELUSIM_VENV_PYTHON:-python3}" -m venv "$peers_venv"
  fi
  "$peers_venv/bin/python" -m pip install -q --disable-pip-version-check \
    -r "$root/bench/peers/requirements.txt"
fi
