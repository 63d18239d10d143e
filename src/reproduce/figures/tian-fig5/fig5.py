#!/usr/bin/python3
# `relusim reproduce tian-fig5`: fig5.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import np, plt, read, save  # noqa: E402

t = read("fig5_noise.csv")
b = read("fig5_top_weights.csv")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
r = t["rate"]
ax1.errorbar(t["noise_level"], r, yerr=[r - t["lo"], t["hi"] - r], fmt="o-", capsize=3)
ax1.axhline(0.5, color="black", linestyle=":", linewidth=1)
ax1.set_xscale("log")
ax1.set_xlabel("noise level (noise variance = 1e-3 x level)")
ax1.set_ylabel("fraction reaching the teacher")
ax1.set_ylim(-0.02, 1.02)
x = np.arange(len(b["pattern"]))
r = b["rate"]
ax2.bar(x, r, yerr=[r - b["lo"], b["hi"] - r], capsize=4, color="C1")
ax2.set_xticks(x)
ax2.set_xticklabels(["a = " + p for p in b["pattern"]], rotation=20, fontsize=8)
ax2.set_ylabel("fraction reaching the teacher")
ax2.set_ylim(0, 1.05)
for xi, s in zip(x, b["mean_steps"]):
    if np.isfinite(s):
        ax2.text(xi, 0.02, "%d steps" % s, ha="center", fontsize=7, rotation=90, color="white")

save(fig, "fig5")
