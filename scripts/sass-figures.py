#!/usr/bin/env python3
"""Static figures of the built CUDA kernels, read from their SASS (docs/gpu.md, "SASS figures").

    python3 scripts/sass-figures.py [--arch sm_90] [--csv OUT.csv] OBJECT_OR_LIBRARY...

Runs `cuobjdump -sass` (nvdisasm beside it; both from PyPI's nvidia-cuda-cuobjdump and
nvidia-cuda-nvdisasm when the toolkit lacks them: scripts/setup.sh --sass puts them in .venv)
on each file and prints, for every trajectory and design kernel: its instructions, block
barriers (BAR.SYNC), warp barriers (WARPSYNC), shuffles (SHFL), shared loads and stores
(LDS, STS), generic ones (LD, ST: the workspace), local (stack) ones (LDL, STL), and the same
counts inside the step loop: the widest backward branch whose body holds a shuffle
(SHFL), i.e. the loop around the team reductions. Static counts: each instruction once,
however often it runs. Exit 1 when no kernel was found (nothing to report is an error in CI).
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys

INSTR = re.compile(r"/\*([0-9a-f]{4,})\*/\s+(@!?U?P\w+\s+)?([A-Z][A-Z0-9_.]*)([^;]*);")
FUNC = re.compile(r"Function : (\S+)")
BRANCH_TARGET = re.compile(r"0x([0-9a-f]+)")

COUNTED = {
    "bar_sync": lambda op, args: op.startswith("BAR.SYNC") or op == "BAR",
    "warpsync": lambda op, args: op.startswith("WARPSYNC"),
    "shfl": lambda op, args: op.startswith("SHFL"),
    "lds": lambda op, args: op.startswith("LDS"),
    "sts": lambda op, args: op.startswith("STS"),
    "local": lambda op, args: op.startswith("LDL") or op.startswith("STL"),
    # Generic loads and stores: the workspace pointer is shared or global memory, chosen at run
    # time, so its accesses compile to LD/ST, not LDS/STS.
    "generic": lambda op, args: op == "LD" or op.startswith("LD.") or op == "ST" or
    op.startswith("ST."),
}


def find_tool(name):
    found = shutil.which(name)
    if found:
        return found
    here = os.path.dirname(os.path.abspath(__file__))
    venv = os.path.join(here, "..", ".venv", "lib")
    for root, _, files in os.walk(venv):
        if name in files and root.endswith(os.path.join("bin")):
            return os.path.join(root, name)
    return None


def demangled_name(mangled):
    m = re.search(r"(trajectory_kernel|model_a_design_kernel)I(?:NS_\d+)?(\w*?)E([df])Li(\d+)E",
                  mangled)
    if "trajectory_kernel" in mangled:
        mm = re.search(r"trajectory_kernelINS_\d+(Model\w)E([df])Li(\d+)E", mangled)
        if mm:
            prec = "double" if mm.group(2) == "d" else "float"
            return f"trajectory_kernel<{mm.group(1)}, {prec}, {mm.group(3)}>"
    if "model_a_design_kernel" in mangled:
        mm = re.search(r"model_a_design_kernelI([df])Li(\d+)E", mangled)
        if mm:
            prec = "double" if mm.group(1) == "d" else "float"
            return f"model_a_design_kernel<{prec}, {mm.group(2)}>"
    return None if m is None else mangled


def parse(sass):
    """{function: [(address, opcode, args)]}"""
    funcs, current = {}, None
    for line in sass.splitlines():
        f = FUNC.search(line)
        if f:
            current = f.group(1)
            funcs[current] = []
            continue
        if current is None:
            continue
        m = INSTR.search(line)
        if m:
            funcs[current].append((int(m.group(1), 16), m.group(3), m.group(4)))
    return funcs


def step_loop(instrs):
    """(first, last) addresses of the widest backward branch around a shuffle, or None."""
    bfly = [a for a, op, _ in instrs if op.startswith("SHFL")]
    best = None
    for a, op, args in instrs:
        if not op.startswith("BRA"):
            continue
        t = BRANCH_TARGET.search(args)
        if not t:
            continue
        target = int(t.group(1), 16)
        if target >= a or not any(target <= b <= a for b in bfly):
            continue
        if best is None or a - target > best[1] - best[0]:
            best = (target, a)
    return best


def figures(instrs):
    row = {"instructions": len(instrs)}
    for key, test in COUNTED.items():
        row[key] = sum(1 for _, op, args in instrs if test(op, args))
    loop = step_loop(instrs)
    inside = [x for x in instrs if loop and loop[0] <= x[0] <= loop[1]]
    row["loop_instructions"] = len(inside)
    for key in ("bar_sync", "warpsync", "shfl", "lds", "sts", "generic"):
        row["loop_" + key] = sum(1 for _, op, args in inside if COUNTED[key](op, args))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--arch", default="sm_90")
    ap.add_argument("--csv", help="also write the table as CSV")
    a = ap.parse_args()
    cuobjdump = find_tool("cuobjdump")
    nvdisasm = find_tool("nvdisasm")
    if cuobjdump is None or nvdisasm is None:
        sys.exit("sass-figures: cuobjdump and nvdisasm not found (scripts/setup.sh --sass "
                 "installs them from PyPI into .venv)")
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(nvdisasm) + os.pathsep + env.get("PATH", "")
    rows = []
    for path in a.files:
        out = subprocess.run([cuobjdump, "-sass", "-arch", a.arch, path], env=env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"sass-figures: cuobjdump failed on {path}: {out.stderr.strip()}")
        for mangled, instrs in parse(out.stdout).items():
            name = demangled_name(mangled)
            if name is None or not instrs:
                continue
            rows.append({"file": os.path.basename(path), "arch": a.arch, "kernel": name,
                         **figures(instrs)})
    if not rows:
        sys.exit("sass-figures: no trajectory or design kernel in " + " ".join(a.files))
    rows.sort(key=lambda r: (r["file"], r["kernel"]))
    cols = ["kernel", "instructions", "bar_sync", "warpsync", "shfl", "lds", "sts", "generic",
            "local", "loop_instructions", "loop_bar_sync", "loop_warpsync", "loop_shfl",
            "loop_lds", "loop_sts", "loop_generic"]
    head = ["kernel", "instr", "BAR", "WSYNC", "SHFL", "LDS", "STS", "LD/ST", "LDL/STL",
            "loop instr", "loop BAR", "loop WSYNC", "loop SHFL", "loop LDS", "loop STS",
            "loop LD/ST"]
    print(f"SASS figures ({a.arch}; static counts; the step loop: the widest backward branch "
          "around a shuffle)")
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["file", "arch"] + cols)
            w.writeheader()
            for r in rows:
                w.writerow({k: r[k] for k in ["file", "arch"] + cols})


if __name__ == "__main__":
    main()
