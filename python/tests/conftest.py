"""The pytest suite runs against the package on sys.path (PYTHONPATH=build/python under ctest,
or an installed wheel) and the command line in RELUSIM_CLI (else `relusim` on PATH)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    exe = os.environ.get("RELUSIM_CLI") or shutil.which("relusim")
    if not exe:
        pytest.fail("set RELUSIM_CLI to the relusim binary (or put it on PATH)")

    def call(*args, check=True, cwd=None):
        p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT)
        if check and p.returncode != 0:
            raise AssertionError(f"relusim {' '.join(map(str, args))}: {p.returncode}\n{p.stderr}")
        return p

    call.exe = exe
    return call


@pytest.fixture(scope="session")
def root():
    return ROOT
