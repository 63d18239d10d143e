#!/usr/bin/python3
# `relusim reproduce tian-fig4`: fig4.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import np, plt, read, save  # noqa: E402

from matplotlib.colors import LogNorm
idx = read("fig4_paths.csv")
fig, axes = plt.subplots(1, 4, figsize=(16, 4))
for ax, K in zip(axes[:2], [2, 5]):
    f = read("fig4_field_K%d.csv" % K)
    ok = f["speed"] > 0
    s = f["speed"][ok]
    q = ax.quiver(f["x"][ok], f["y"][ok], f["dx"][ok] / s, f["dy"][ok] / s, s, cmap="viridis",
                  norm=LogNorm(vmin=s.min(), vmax=s.max()), angles="xy", pivot="mid",
                  width=0.005)
    fig.colorbar(q, ax=ax, shrink=0.8, label="speed")
    xs = idx["x_star"][idx["K"] == K][0]
    ax.plot(xs, xs, "X", color="C3", markersize=11, markeredgecolor="black",
            label="saddle (x*, x*)")
    ax.plot(1, 0, "*", color="gold", markersize=15, markeredgecolor="black",
            label="teacher (1, 0)")
    ax.set_title("(%s) field, K = %d" % ("a" if K == 2 else "b", K))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=7, loc="upper right")
for i, K in enumerate([2, 5, 10]):
    p = read("fig4_path_K%d.csv" % K)
    axes[2].plot(p["x"], p["y"], color="C%d" % i, label="K = %d" % K)
    axes[3].semilogy(p["step"], np.maximum(p["loss"], 1e-16), color="C%d" % i,
                     label="K = %d" % K)
axes[2].plot(1, 0, "*", color="gold", markersize=15, markeredgecolor="black")
axes[2].set_title("(c) paths from (1e-3, 0)")
axes[2].set_xlabel("x")
axes[2].set_ylabel("y")
axes[2].legend(fontsize=8)
axes[3].set_title("(d) training curve, eta = 0.1")
axes[3].set_xlabel("iteration")
axes[3].set_ylabel("population loss")
axes[3].legend(fontsize=8)

save(fig, "fig4")
