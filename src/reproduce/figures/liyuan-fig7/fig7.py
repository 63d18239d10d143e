#!/usr/bin/python3
# `relusim reproduce liyuan-fig7`: fig7.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import np, plt, read, save  # noqa: E402

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
for name, colour, label in [("reslink", "C0", "ResLink"), ("vanilla", "C3", "vanilla")]:
    t = read("fig7_%s.csv" % name)
    runs = sorted(set(t["run"].astype(int)))
    for k in runs:
        m = t["run"] == k
        ax1.semilogy(t["step"][m], t["loss"][m], color=colour, alpha=0.3, linewidth=0.8)
        ax2.semilogy(t["step"][m], t["dist_spec"][m], color=colour, alpha=0.3, linewidth=0.8)
    m0 = t["run"] == runs[0]
    steps = t["step"][m0]
    loss = np.mean([t["loss"][t["run"] == k] for k in runs], axis=0)
    dist = np.mean([t["dist_spec"][t["run"] == k] for k in runs], axis=0)
    ax1.semilogy(steps, loss, color=colour, linewidth=2, label=label)
    ax2.semilogy(steps, dist, color=colour, linewidth=2, label=label)
ax1.set_xlabel("SGD step")
ax1.set_ylabel("population loss E[(f(x, W) - f(x, W*))^2]")
ax1.set_title("(a) test loss")
ax2.set_xlabel("SGD step")
ax2.set_ylabel("|W - W*|_2")
ax2.set_title("(b) distance to the teacher")
ax1.legend()
ax2.legend()

save(fig, "fig7")
