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
)
# --peers: also the Python peers of the benchmarks (bench/peers: NumPy, PyTorch on the CPU),
# for Debian's own python3.
if [ "${1:-}" = "--peers" ]; then
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
