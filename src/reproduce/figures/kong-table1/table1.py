#!/usr/bin/python3
# `relusim reproduce kong-table1`: table1.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import plt, read, save  # noqa: E402

t = read("table1_long.csv")
fig, axes = plt.subplots(3, 3, figsize=(10, 8.5), sharex=True, sharey=True)
styles = {"l2": ("C0", "o", "l2"), "l1sq": ("C3", "s", "l1sq (Kong's l1)"),
          "l1": ("C2", "^", "l1 (lasso)")}
for i, d in enumerate([2, 3, 5]):
    for j, n in enumerate([10, 20, 100]):
        ax = axes[i, j]
        for reg, (colour, marker, label) in styles.items():
            m = (t["d"] == d) & (t["N"] == n) & (t["regularizer"] == reg) & \
                (t["convention"] == "as-printed")
            lam, rate = t["lambda"][m], t["rate"][m]
            err = [rate - t["lo"][m], t["hi"][m] - rate]
            ax.errorbar(lam, rate, yerr=err, color=colour, marker=marker, capsize=3,
                        label=label)
        bound = t["bound"][(t["d"] == d) & (t["N"] == n)][0]
        ax.axhline(bound, color="black", linestyle="--", linewidth=1,
                   label="bound (1-eps)(1-A_d)/2")
        ax.set_xscale("log")
        ax.set_ylim(0, 1.02)
        ax.set_title("d = %d, N = %d" % (d, n))
        if i == 2:
            ax.set_xlabel("lambda")
        if j == 0:
            ax.set_ylabel("convergence rate")
axes[0, 0].legend(fontsize=8, loc="lower left")

save(fig, "table1")
