#!/usr/bin/env bash
# The test suite under a second compiler: GCC 13.3 (the GPU machine's host compiler) from Debian
# trixie, in a chroot made by debootstrap, building for Sapphire Rapids (that machine's CPU).
# Results must not depend on the compiler: the wave runner equals the CPU backend bit for bit
# (Conformance.*), so a compiler that fuses or vectorises one copy of the step differently from
# another fails here. Before host code was compiled with -ffp-contract=off,
# Conformance.AGroupRunInWavesOfAnySizeGivesWhatTheCpuBackendGives<ModelA> failed in exactly
# this setting and passed under GCC 12 (docs/gpu.md).
#
#   sudo bash scripts/gcc13-check.sh [ARCH] [GTEST_FILTER]
#     ARCH          -march for host code (default sapphirerapids; the machine must run it)
#     GTEST_FILTER  the tests to run (default: all of them, through ctest)
#
# Needs root (debootstrap, chroot, mount), the debootstrap package and Debian's registry. The
# chroot is kept in $RELUSIM_CHROOT (default /tmp/relusim-trixie) and reused; the CUDA toolkit's
# headers, when present in /usr/local/cuda, are bind-mounted so cuRAND's Philox is used as in a
# CUDA build. Trixie's packages were built by GCC 14, so three things are worked around: its
# OpenBLAS CMake file points at /usr/lib/lib (a local one replaces it), toml++ is used header-only
# and the link names GCC 14's libstdc++ runtime (the trixie system's own).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-sapphirerapids}"
filter="${2:-}"
chroot_dir="${RELUSIM_CHROOT:-/tmp/relusim-trixie}"
[ "$(id -u)" -eq 0 ] || { echo "gcc13-check: needs root (debootstrap, chroot)" >&2; exit 2; }
if ! command -v debootstrap >/dev/null 2>&1; then  # scripts/setup.sh installs it
  apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap
fi
packages=g++-13,cmake,ninja-build,pkg-config,libcli11-dev,libtomlplusplus-dev,nlohmann-json3-dev
packages+=,libopenblas-dev,liblapacke-dev,libgtest-dev,libgmock-dev,bc,python3
if [ ! -x "$chroot_dir/usr/bin/g++-13" ]; then
  echo "== debootstrap trixie into $chroot_dir (about a minute)"
  debootstrap --variant=minbase --include="$packages" trixie "$chroot_dir" \
    http://deb.debian.org/debian >"$chroot_dir.debootstrap.log" 2>&1 ||
    { tail -20 "$chroot_dir.debootstrap.log"; exit 1; }
else  # a chroot made before: the packages above, if it lacks any
  cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
  chroot "$chroot_dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends ${packages//,/ } >/dev/null
fi
cleanup() {
  for m in "$chroot_dir/src/relusim" "$chroot_dir/usr/local/cuda" "$chroot_dir/proc"; do
    mountpoint -q "$m" && umount "$m"
  done
  return 0
}
trap cleanup EXIT
mkdir -p "$chroot_dir/src/relusim" "$chroot_dir/src/cmake-fixes"
mountpoint -q "$chroot_dir/proc" || mount -t proc proc "$chroot_dir/proc"
mountpoint -q "$chroot_dir/src/relusim" || mount --bind "$root" "$chroot_dir/src/relusim"
if [ -d /usr/local/cuda/include ]; then
  mkdir -p "$chroot_dir/usr/local/cuda"
  mountpoint -q "$chroot_dir/usr/local/cuda" ||
    mount --bind "$(readlink -f /usr/local/cuda)" "$chroot_dir/usr/local/cuda"
fi
cat >"$chroot_dir/src/cmake-fixes/OpenBLASConfig.cmake" <<'EOF'
set(OpenBLAS_INCLUDE_DIRS /usr/include/x86_64-linux-gnu/openblas-pthread/)
set(OpenBLAS_LIBRARIES /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so)
EOF
cat >"$chroot_dir/src/cmake-fixes/tomlplusplusConfig.cmake" <<'EOF'
add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
set_target_properties(tomlplusplus::tomlplusplus PROPERTIES
  INTERFACE_COMPILE_DEFINITIONS "TOML_HEADER_ONLY=1")
EOF
build="/src/build-gcc13-$arch"
echo "== build (g++-13, -march=$arch, no CUDA backend or MPI) in $chroot_dir$build"
chroot "$chroot_dir" cmake -S /src/relusim -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=g++-13 -DRELUSIM_HOST_ARCH="$arch" -DRELUSIM_ENABLE_CUDA=OFF \
  -DRELUSIM_ENABLE_MPI=OFF -DRELUSIM_BUILD_BENCH=OFF -DOpenBLAS_DIR=/src/cmake-fixes \
  -Dtomlplusplus_DIR=/src/cmake-fixes \
  -DCMAKE_CXX_STANDARD_LIBRARIES=/usr/lib/x86_64-linux-gnu/libstdc++.so.6 >/dev/null
chroot "$chroot_dir" cmake --build "$build" --parallel "$(nproc)"
echo "== tests"
if [ -n "$filter" ]; then
  chroot "$chroot_dir" "$build/tests/relusim_tests" --gtest_filter="$filter"
else
  chroot "$chroot_dir" bash -c "cd $build && ctest --output-on-failure --parallel $(nproc)"
fi
