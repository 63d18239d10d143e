#!/usr/bin/env bash
# One command for a fresh machine: installs the dependencies (Debian's packages, and PyPI's in
# .venv), builds relusim and its Python module (warnings are errors; the CUDA backend too when
# nvcc is present) and runs every test with ctest: the C++ suites and the pytest suite
# (python/tests, the ctest test Python.pytest). GPU tests skip without a device;
# RELUSIM_REQUIRE_GPU=1 turns the skip into a failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" -DRELUSIM_BUILD_PYTHON=ON -DPython_EXECUTABLE="$root/.venv/bin/python" "$@"
cd "${RELUSIM_BUILD_DIR:-$root/build}"
ctest --output-on-failure --parallel "$(nproc)"
