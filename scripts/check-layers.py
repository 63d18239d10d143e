#!/usr/bin/env python3
"""Checks that #include lines point one way through relusim's layers (README "Layout").

    core <- config <- engine <- models <- registry <- io <- app <- reproduce <- cli, python

A file may include its own layer and the layers to its left. Every file under include/relusim,
src and kernels belongs to one layer (the Python module's sources, python/src, to `python`) (LAYER_OF below, first match wins); a file that matches no
rule is an error too, so a new folder has to be placed. KNOWN lists the arrows that still run
the wrong way, each with what removes it: an arrow not listed fails, and so does a listed arrow
that no longer exists (remove it from the list). Standard library only; exit 1 on a violation.

    python3 scripts/check-layers.py [REPO_ROOT]
"""
import pathlib
import re
import sys

LAYERS = ["core", "config", "engine", "models", "registry", "io", "app", "reproduce", "cli",
          "python"]  # the two front ends; neither includes the other (cli's headers are not public)

# (path prefix relative to include/relusim/, src/ or kernels/, layer); first match wins.
LAYER_OF = [
    ("core/", "core"),
    # The key registry's implementation looks models up by name (a model's keys, its defaults,
    # its checks), and a cell's summary takes the model's columns: these .cpp files sit in the
    # registry layer while their headers stay below it.
    ("io/config.cpp", "registry"),
    ("io/config_registry.", "registry"),
    ("engine/stats.cpp", "registry"),
    ("io/config.", "config"),
    ("io/choices.", "config"),
    ("io/param_parsing.", "config"),
    ("io/sweep_file.", "config"),
    ("engine/cpu_backend.", "registry"),     # the backends instantiate every model
    ("engine/backend_select.", "registry"),
    ("engine/cuda_backend.cu", "registry"),
    ("engine/", "engine"),
    ("models/registry.", "registry"),
    ("models/field.", "registry"),
    ("models/trace.", "registry"),
    ("models/census.", "registry"),
    ("models/finish.", "registry"),
    ("models/", "models"),
    ("io/", "io"),
    ("app/", "app"),
    ("reproduce/", "reproduce"),
    ("cli/", "cli"),
]

# Wrong-way arrows that remain, as (file, included header), each with what removes it. None
# today; the list stays so that an arrow kept on purpose is written down, not hidden.
KNOWN = set()

INCLUDE = re.compile(r'^\s*#\s*include\s+"(relusim/[^"]+)"', re.M)
SOURCES = (".hpp", ".cpp", ".cu", ".cuh", ".h")


def layer_of(rel):
    for prefix, layer in LAYER_OF:
        if rel.startswith(prefix):
            return layer
    return None


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).parent.parent)
    problems, seen_known = [], set()
    files = 0
    for top, strip, forced in (("include/relusim", "include/relusim/", None), ("src", "src/", None),
                               ("kernels", "kernels/", None), ("python/src", "python/src/", "python")):
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in SOURCES or not path.is_file():
                continue
            files += 1
            name = path.relative_to(root).as_posix()
            rel = name[len(strip):]
            mine = forced or layer_of(rel)
            if mine is None:
                if "/" in rel:
                    problems.append(f"{name}: in no layer (add its folder to LAYER_OF)")
                continue  # kernels/CMakeLists-level files, e.g. none today
            for header in INCLUDE.findall(path.read_text(errors="replace")):
                theirs = layer_of(header[len("relusim/"):])
                if theirs is None:
                    problems.append(f"{name}: includes {header}, which is in no layer")
                    continue
                if LAYERS.index(theirs) <= LAYERS.index(mine):
                    continue
                if (name, header) in KNOWN:
                    seen_known.add((name, header))
                    continue
                problems.append(f"{name} ({mine}) includes {header} ({theirs}): "
                                "an include may only point to its own layer or one to its left")
    for stale in sorted(KNOWN - seen_known):
        problems.append(f"{stale[0]} no longer includes {stale[1]}: remove it from KNOWN")
    for p in problems:
        print(p)
    print(f"check-layers: {files} files, {len(seen_known)} known wrong-way include(s) left, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
