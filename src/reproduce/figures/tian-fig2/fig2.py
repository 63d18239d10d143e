#!/usr/bin/python3
# `relusim reproduce tian-fig2`: fig2.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import plt, read, save  # noqa: E402

e = read("fig2_exact.csv")
s = read("fig2_sampled.csv")
fig, ax = plt.subplots(figsize=(7, 4.8))
for i, d in enumerate([2, 5, 20]):
    m = e["d"] == d
    ax.plot(e["r"][m], e["exact"][m], color="C%d" % i, label="exact, d = %d" % d)
    ax.plot(e["r"][m], e["bound"][m], "--", color="C%d" % i, linewidth=1,
            label="(1 - eps)/2, d = %d" % d)
    k = s["d"] == d
    ax.errorbar(s["r"][k], s["sampled"][k], yerr=[s["sampled"][k] - s["lo"][k],
                s["hi"][k] - s["sampled"][k]], fmt="o", color="C%d" % i, markersize=4,
                capsize=2)
ax.set_xlabel("ball radius r / |w*|  (r = eps sqrt(2 pi / (d + 1)))")
ax.set_ylabel("P(start in Omega)")
ax.set_ylim(0, 0.55)
ax.legend(fontsize=8, ncol=2)

save(fig, "fig2")
