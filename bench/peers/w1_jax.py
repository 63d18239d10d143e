"""W1 in JAX, as a researcher who targets a GPU would write it: one trajectory's step as a
function, `jax.vmap` over trajectories, `jax.lax.scan` over steps, all under `jax.jit`.
Model A fixed design, l2, gradient descent (as w1_numpy.py). On the CPU here; the same code
runs on a GPU unchanged (docs/benchmarks.md estimates what it would do on an H100).
Usage: python w1_jax.py TRAJ N D STEPS DTYPE   (prints the wall seconds: setup, compilation
and the run; the interpreter's start and `import jax` excluded)
"""
import sys
import time

import jax

if sys.argv[5] == "double":
    jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402


def main():
    traj, n, d, steps = (int(a) for a in sys.argv[1:5])
    dt = jnp.float64 if sys.argv[5] == "double" else jnp.float32
    eta, lam = 0.05, 0.001
    start = time.perf_counter()
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(1), 3)
    ws = jax.random.normal(k1, (traj, d), dt)
    ws = ws / jnp.linalg.norm(ws, axis=1, keepdims=True)
    w0 = jax.random.normal(k2, (traj, d), dt) / jnp.sqrt(d)
    x = jax.random.normal(k3, (traj, n, d), dt)

    def run(x1, ws1, w1):
        u = jnp.maximum(x1 @ ws1, 0)

        def step(w, _):
            z = x1 @ w
            r = jnp.where(z > 0, u - z, 0)
            g = x1.T @ r / n
            return w + eta * (g - lam * w), None

        w, _ = jax.lax.scan(step, w1, None, length=steps)
        return w

    w = jax.jit(jax.vmap(run))(x, ws, w0)
    w.block_until_ready()
    print(f"{time.perf_counter() - start:.4f}")


if __name__ == "__main__":
    main()
