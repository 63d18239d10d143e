#!/usr/bin/python3
# `relusim reproduce tian-fig3`: fig3.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import np, plt, read, save  # noqa: E402

a = read("fig3_angle.csv")
b = read("fig3_samples.csv")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.3))
ax1.semilogy(a["theta"], a["rel_error"], ".", markersize=4, color="C0")
ax1.set_xlabel("theta(e, w)  [rad]")
ax1.set_ylabel("relative error")
ax1.set_title("(a) Gaussian inputs, one sample size")
ax1.set_xticks([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi])
ax1.set_xticklabels(["0", "pi/4", "pi/2", "3pi/4", "pi"])
for i, name in enumerate(["gaussian", "uniform"]):
    m = b["inputs"] == name
    n, e = b["n"][m], b["rms_rel_error"][m]
    ax2.loglog(n, e, "o-", color="C%d" % i, label=name + (" in [-1/2, 1/2]" if
               name == "uniform" else ""))
    ax2.loglog(n, e[0] * (n / n[0]) ** -0.5, ":", color="C%d" % i, linewidth=1)
ax2.set_xlabel("number of samples n")
ax2.set_ylabel("RMS relative error")
ax2.set_title("(b, c) dotted: slope -1/2")
ax2.legend(fontsize=8)

save(fig, "fig3")
