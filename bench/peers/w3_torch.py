"""W3 in PyTorch on the CPU, as a researcher would write it: ResLink online SGD with autograd,
all trajectories batched with bmm, every CPU thread in use.

Usage: python3 w3_torch.py TRAJ D B STEPS DTYPE   (prints the wall seconds of the dynamics)
"""
import os
import sys
import time

import torch


def spectral_scaled(t, d, norm, dtype):
    m = torch.randn(t, d, d, dtype=torch.float64)
    s = torch.linalg.matrix_norm(m, ord=2)
    return (m * (norm / s)[:, None, None]).to(dtype)


def main():
    traj, d, b, steps = (int(a) for a in sys.argv[1:5])
    dtype = torch.float32 if sys.argv[5] == "float" else torch.float64
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(1)
    eta = 1e-3
    w_star = spectral_scaled(traj, d, 0.6, dtype)
    w = spectral_scaled(traj, d, 0.1, dtype).requires_grad_()
    eye = torch.eye(d, dtype=dtype)
    start = time.perf_counter()
    for _ in range(steps):
        x = torch.randn(traj, b, d, dtype=dtype)
        f = torch.relu(torch.bmm(x, eye + w)).sum(-1)
        with torch.no_grad():
            fs = torch.relu(torch.bmm(x, eye + w_star)).sum(-1)
        loss = ((f - fs) ** 2).mean(1).sum()   # each trajectory's minibatch loss
        loss.backward()
        with torch.no_grad():
            w -= eta * w.grad
            w.grad.zero_()
    seconds = time.perf_counter() - start
    dist = (w.detach() - w_star).flatten(1).norm(dim=1).mean().item()
    print(f"{seconds:.3f} {dist:.6f}")


if __name__ == "__main__":
    main()
