#!/usr/bin/python3
# `relusim reproduce tian-thm41`: thm41.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import plt, read, save  # noqa: E402

t = read("thm41.csv")
Ks = sorted(set(t["K"].astype(int)))
fig, axes = plt.subplots(1, len(Ks), figsize=(4.5 * len(Ks), 4.2), squeeze=False)
for ax, K in zip(axes[0], Ks):
    m = t["K"] == K
    for x0, y0, out, fx, fy in zip(t["init_x"][m], t["init_y"][m], t["outcome"][m],
                                   t["final_x"][m], t["final_y"][m]):
        colour = "C2" if out == "converged" else "C3" if out == "saddle" else "C7"
        ax.annotate("", xy=(fx, fy), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="->", color=colour, alpha=0.6))
        ax.plot(x0, y0, "o", color=colour, markersize=5)
    xs = t["x_star"][m][0]
    ax.plot(xs, xs, "X", color="C3", markersize=11, markeredgecolor="black",
            label="saddle x* = %.4f" % xs)
    ax.plot(1, 0, "*", color="gold", markersize=15, markeredgecolor="black",
            label="teacher (1, 0)")
    ax.plot([0, 1.05], [0, 1.05], "k:", linewidth=1)
    ax.plot([], [], "o", color="C2", label="start -> teacher")
    ax.plot([], [], "o", color="C3", label="start -> saddle")
    ax.set_title("K = %d" % K)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=7, loc="upper left")

save(fig, "thm41")
