#!/usr/bin/python3
# `relusim reproduce kong-fig2`: fig2.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import np, plt, read, save  # noqa: E402

from matplotlib.colors import LogNorm
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, reg, name in zip(axes, ["l1sq", "l2"], ["l1sq (Kong's l1)", "l2"]):
    f = read("fig2_%s.csv" % reg)
    ok = np.isfinite(f["speed"]) & (f["speed"] > 0)
    s = f["speed"][ok]
    q = ax.quiver(f["x"][ok], f["y"][ok], f["dx"][ok] / s, f["dy"][ok] / s, s,
                  cmap="viridis", norm=LogNorm(vmin=s.min(), vmax=s.max()), angles="xy",
                  pivot="mid", width=0.004)
    fig.colorbar(q, ax=ax, shrink=0.8, label="speed |Delta(w)|")
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(1 + np.sqrt(2) * np.cos(t), 1 + np.sqrt(2) * np.sin(t), "k:", linewidth=1,
            label="|w - w*| = |w*|")
    m = read("fig2_%s_marks.csv" % reg)
    ax.plot(m["x"][0], m["y"][0], "*", color="gold", markersize=15, markeredgecolor="black",
            label="teacher w*", linestyle="none")
    ax.plot(m["x"][1], m["y"][1], "X", color="C3", markersize=11, markeredgecolor="black",
            label="target w_hat", linestyle="none")
    ax.set_title(name + ", lambda = 0.01")
    ax.set_xlabel("w_1")
    ax.set_ylabel("w_2")
    ax.set_xlim(-0.6, 2.1)
    ax.set_ylim(-0.6, 2.1)
    ax.set_aspect("equal")
axes[0].legend(fontsize=8, loc="lower right")

save(fig, "fig2")
