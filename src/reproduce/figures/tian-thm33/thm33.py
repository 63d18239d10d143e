#!/usr/bin/python3
# `relusim reproduce tian-thm33`: thm33.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import plt, read, save  # noqa: E402

t = read("thm33.csv")
fig, axes = plt.subplots(1, 2, figsize=(11, 4.3), sharey=True)
for ax, eps in zip(axes, [0.1, 0.5]):
    for i, mode in enumerate(["fixed", "online", "expected"]):
        m = (t["eps"] == eps) & (t["mode"] == mode)
        r = t["rate"][m]
        ax.errorbar(t["d"][m] * (1 + 0.04 * (i - 1)), r, yerr=[r - t["lo"][m], t["hi"][m] - r],
                    fmt="o-", capsize=3, color="C%d" % i, label="rate, " + mode)
    m = (t["eps"] == eps) & (t["mode"] == "expected")
    ax.plot(t["d"][m], t["exact_in_omega"][m], "k^:", label="P(start in Omega), exact")
    ax.axhline((1 - eps) / 2, color="black", linestyle="--", linewidth=1,
               label="bound (1 - eps)/2")
    ax.set_xscale("log")
    ax.set_xticks([2, 5, 20])
    ax.set_xticklabels(["2", "5", "20"])
    ax.set_xlabel("input dimension d")
    ax.set_title("eps = %g" % eps)
    ax.set_ylim(0, 1.02)
axes[0].set_ylabel("fraction of trajectories")
axes[0].legend(fontsize=8, loc="lower left")

save(fig, "thm33")
