#!/usr/bin/env python3
"""Compares two summary.csv files of the same sweep cell by cell (e.g. CPU against GPU).

A cell is `identical` when every outcome count agrees, `agrees` when each rate lies inside the
other's 95% Wilson interval, and `differs` otherwise. Prints one line per differing cell and a
summary; exits 1 when a cell differs. Standard library only.

    python3 scripts/compare_summaries.py out/cpu/summary.csv out/gpu/summary.csv
"""
import csv
import sys

OUTCOMES = ("converged", "diverged", "dead", "stuck", "saddle", "undecided")


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: compare_summaries.py A.csv B.csv", file=sys.stderr)
        return 2
    a, b = read(argv[1]), read(argv[2])
    if len(a) != len(b):
        print(f"different numbers of cells: {len(a)} and {len(b)}")
        return 1
    identical = agrees = differs = 0
    for ra, rb in zip(a, b):
        counts = [o for o in OUTCOMES if o in ra]
        if all(ra[o] == rb[o] for o in counts):
            identical += 1
            continue
        rate_a, rate_b = float(ra["rate"]), float(rb["rate"])
        inside = (float(rb["ci_low"]) <= rate_a <= float(rb["ci_high"]) and
                  float(ra["ci_low"]) <= rate_b <= float(ra["ci_high"]))
        if inside:
            agrees += 1
        else:
            differs += 1
            detail = " ".join(f"{o} {ra[o]}/{rb[o]}" for o in counts)
            print(f"cell {ra['cell']}: rate {rate_a:.4f} vs {rate_b:.4f} ({detail})")
    print(f"{len(a)} cells: {identical} identical, {agrees} agree within intervals, "
          f"{differs} differ")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
