"""W1/W2 in NumPy, as a researcher would write it: Model A fixed design, l2, gradient descent,
all trajectories batched (einsum over (traj, N, d)).
Usage: python3 w1_numpy.py TRAJ N D STEPS DTYPE   (prints the wall seconds, setup included)
"""
import sys
import time

import numpy as np


def main():
    traj, n, d, steps = (int(a) for a in sys.argv[1:5])
    dt = np.float32 if sys.argv[5] == "float" else np.float64
    eta, lam = dt(0.05), dt(0.001)
    start = time.perf_counter()
    rng = np.random.default_rng(1)
    ws = rng.standard_normal((traj, d)).astype(dt)
    ws /= np.linalg.norm(ws, axis=1, keepdims=True)
    w = (rng.standard_normal((traj, d)) / np.sqrt(d)).astype(dt)
    x = rng.standard_normal((traj, n, d)).astype(dt)
    u = np.maximum(np.einsum("tnd,td->tn", x, ws), 0)
    for _ in range(steps):
        z = np.einsum("tnd,td->tn", x, w)
        r = np.where(z > 0, u - z, 0).astype(dt)
        g = np.einsum("tnd,tn->td", x, r) / dt(n)
        w += eta * (g - lam * w)
    print(f"{time.perf_counter() - start:.4f}")


if __name__ == "__main__":
    main()
