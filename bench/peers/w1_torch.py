"""W1/W2 in PyTorch on the CPU, as a researcher would write it: Model A fixed design, l2,
all trajectories batched, the gradient from autograd, every thread.
Usage: python3 w1_torch.py TRAJ N D STEPS DTYPE   (prints the wall seconds, setup included)
"""
import sys
import time

import torch


def main():
    traj, n, d, steps = (int(a) for a in sys.argv[1:5])
    dt = torch.float32 if sys.argv[5] == "float" else torch.float64
    eta, lam = 0.05, 0.001
    start = time.perf_counter()
    g = torch.Generator().manual_seed(1)
    ws = torch.randn(traj, d, generator=g, dtype=dt)
    ws /= ws.norm(dim=1, keepdim=True)
    w = (torch.randn(traj, d, generator=g, dtype=dt) / d ** 0.5).requires_grad_()
    x = torch.randn(traj, n, d, generator=g, dtype=dt)
    u = torch.relu(torch.bmm(x, ws.unsqueeze(2)).squeeze(2))
    for _ in range(steps):
        z = torch.relu(torch.bmm(x, w.unsqueeze(2)).squeeze(2))
        loss = ((u - z) ** 2).sum() / (2 * n) + lam / 2 * (w ** 2).sum()
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= eta * grad
    print(f"{time.perf_counter() - start:.4f}")


if __name__ == "__main__":
    main()
