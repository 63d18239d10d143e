"""What the figure scripts of `relusim reproduce` share: `here` (the directory of the CSV files:
the script's own, or the one given as its first argument), `read(name)` (a CSV file as a dict of
numpy columns; text columns stay text), `save(fig, stem)` (STEM.png and STEM.svg beside the
data), and one style. Written beside the
scripts by relusim; the scripts import it from there (or from one folder up, as installed).
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

here = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(sys.argv[0]))


def read(name):
    """A CSV file of `here` as a dict of columns (numbers as float arrays)."""
    with open(os.path.join(here, name)) as f:
        rows = list(csv.DictReader(f))
    cols = {}
    for key in (rows[0].keys() if rows else []):
        values = [r[key] for r in rows]
        try:
            cols[key] = np.array([float(v) if v != "" else np.nan for v in values])
        except ValueError:
            cols[key] = np.array(values)
    return cols


def save(fig, stem):
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(here, stem + "." + ext), dpi=150)
    print("wrote", os.path.join(here, stem + ".png"), "and .svg")


plt.rcParams.update({"font.size": 10, "axes.grid": True, "grid.alpha": 0.3})
