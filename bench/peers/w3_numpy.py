"""W3 in NumPy, as a researcher would write it: ResLink online SGD, all trajectories batched.

f(x, W) = sum_i relu(<e_i + w_i, x>), teacher I + W*, fresh Gaussian minibatch every step,
W <- W - eta G with the minibatch gradient written out by hand (no autograd in NumPy).
Usage: python3 w3_numpy.py TRAJ D B STEPS DTYPE   (prints the wall seconds of the dynamics)
"""
import sys
import time

import numpy as np


def spectral_scaled(rng, t, d, norm):
    m = rng.standard_normal((t, d, d))
    return m * (norm / np.linalg.norm(m, ord=2, axis=(1, 2)))[:, None, None]


def main():
    traj, d, b, steps = (int(a) for a in sys.argv[1:5])
    dtype = np.float32 if sys.argv[5] == "float" else np.float64
    eta = 1e-3
    rng = np.random.default_rng(1)
    w_star = spectral_scaled(rng, traj, d, 0.6).astype(dtype)
    w = spectral_scaled(rng, traj, d, 0.1).astype(dtype)
    eye = np.eye(d, dtype=dtype)
    start = time.perf_counter()
    for _ in range(steps):
        x = rng.standard_normal((traj, b, d), dtype=dtype)
        z = x @ (eye + w)                      # (traj, B, d): z[b, j] = <e_j + w_j, x_b>
        zs = x @ (eye + w_star)
        r = np.maximum(z, 0).sum(-1) - np.maximum(zs, 0).sum(-1)   # (traj, B)
        m = (2.0 / b) * r[:, :, None] * (z > 0)                     # (traj, B, d)
        g = np.swapaxes(x, 1, 2) @ m                                # (traj, d, d)
        w -= dtype(eta) * g
    seconds = time.perf_counter() - start
    dist = np.linalg.norm(w - w_star, axis=(1, 2)).mean()
    print(f"{seconds:.3f} {dist:.6f}")


if __name__ == "__main__":
    main()
