#!/usr/bin/python3
# `relusim reproduce prelu-fig4`: fig4.png and .svg from the CSV files beside this script, or
# from the directory given as its argument (written there by relusim; restyle freely and run
# again). relusim_plot.py is beside it, or one folder up where the install put them.
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from relusim_plot import np, plt, read, save  # noqa: E402

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
names = [("identity_bound", "identity, |W*|_2 = 0.1"),
         ("noidentity_bound", "no identity, |W*|_2 = 0.1"),
         ("identity_nobound", "identity, |W*|_2 = 3"),
         ("noidentity_nobound", "no identity, |W*|_2 = 3")]
for i, (name, label) in enumerate(names):
    t = read("fig4_%s.csv" % name)
    for k in sorted(set(t["run"].astype(int))):
        m = t["run"] == k
        kw = dict(color="C%d" % i, linewidth=1, alpha=0.7, label=label if k == 0 else None)
        ax1.semilogy(t["step"][m], np.maximum(t["loss"][m], 1e-16), **kw)
        ax2.semilogy(t["step"][m], t["dist_spec"][m], **kw)
ax1.set_xlabel("SGD step (100 steps = one epoch)")
ax1.set_ylabel("population loss")
ax2.set_xlabel("SGD step (100 steps = one epoch)")
ax2.set_ylabel("|W - W*|_2")
ax1.legend(fontsize=8)

save(fig, "fig4")
