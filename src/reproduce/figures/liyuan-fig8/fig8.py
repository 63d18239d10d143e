#!/usr/bin/python3
# `relusim reproduce liyuan-fig8`: fig8.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import plt, read, save  # noqa: E402

t = read("fig8_trace.csv")
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for ax, upto, title in [(axes[0], 100, "(a) first 100 steps"), (axes[1], None, "(b) whole run")]:
    m = t["step"] <= (upto if upto is not None else t["step"].max())
    ax.plot(t["step"][m], t["inner"][m], color="C0", label="inner product")
    ax.plot(t["step"][m], t["g"][m], color="C1", label="potential g")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("SGD step")
    ax.set_ylabel("inner product, g")
    ax.set_title(title)
    ax2 = ax.twinx()
    ax2.plot(t["step"][m], t["dist_fro"][m], color="C2", label="|W - W*|_F")
    ax2.set_ylabel("|W - W*|_F", color="C2")
    ax2.grid(False)
    lines = ax.get_lines()[:2] + ax2.get_lines()
    ax.legend(lines, [l.get_label() for l in lines], fontsize=8, loc="center right")

save(fig, "fig8")
