#!/usr/bin/python3
# `relusim reproduce kong-fig1`: fig1.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import plt, read, save  # noqa: E402

idx = read("fig1_paths.csv")
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
for k, ax in enumerate(axes):
    reg, lam, tid = idx["regularizer"][k], idx["lambda"][k], int(idx["trajectory"][k])
    name = "l1sq (Kong's l1)" if reg == "l1sq" else reg
    ax.set_title("%s, lambda = %g\n%s after %d steps" % (name, lam, idx["outcome"][k],
                                                        int(idx["steps"][k])), fontsize=9)
    ax.plot(1, 1, "*", color="gold", markersize=15, markeredgecolor="black",
            label="teacher w* = (1, 1)")
    if tid >= 0:
        p = read("fig1_%s_%.2f.csv" % (reg, lam))
        ax.plot(p["w0"], p["w1"], "-", color="C0", linewidth=1.5, label="path")
        ax.plot(p["w0"][0], p["w1"][0], "o", color="C2", label="start")
        ax.plot(p["w0"][-1], p["w1"][-1], "s", color="C3", label="end")
    ax.set_xlabel("w_1")
    ax.set_ylabel("w_2")
    ax.set_aspect("equal", adjustable="datalim")
axes[0].legend(fontsize=7, loc="lower right")

save(fig, "fig1")
