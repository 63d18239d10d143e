#!/usr/bin/env bash
# One command for a fresh machine: installs the dependencies, builds relusim (warnings are
# errors; the CUDA backend too when nvcc is present) and runs the test suite with ctest.
# GPU tests skip without a device; RELUSIM_REQUIRE_GPU=1 turns the skip into a failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" "$@"
cd "${RELUSIM_BUILD_DIR:-$root/build}"
ctest --output-on-failure --parallel "$(nproc)"
