#!/usr/bin/python3
# `relusim reproduce identity-zero-init`: zero_init.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import np, plt, read, save  # noqa: E402

t = read("zero_init_traces.csv")
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
for ax, ident, title in [(axes[0], 1, "with identity (ResLink)"), (axes[1], 0, "without identity")]:
    for i, act in enumerate(["relu", "prelu"]):
        for init, style in [("zero", "-"), ("small", "--")]:
            m = (t["identity"] == ident) & (t["activation"] == act) & (t["init"] == init)
            ax.semilogy(t["step"][m], np.maximum(t["loss"][m], 1e-16), style, color="C%d" % i,
                        label="%s, %s start" % (act, init))
    ax.set_title(title)
    ax.set_xlabel("SGD step")
axes[0].set_ylabel("population loss")
axes[0].legend(fontsize=8)

save(fig, "zero_init")
