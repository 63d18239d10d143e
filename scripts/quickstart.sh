#!/usr/bin/env bash
# One command for a fresh machine: installs the dependencies, builds relusim and runs the
# quickstart experiment (examples/quickstart.toml), writing out/quickstart/summary.{csv,json}.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
"${RELUSIM_BUILD_DIR:-$root/build}/relusim" sweep "$root/examples/quickstart.toml" --out "$root/out/quickstart"
