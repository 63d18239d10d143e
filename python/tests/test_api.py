"""relusim from Python against the command line (byte for byte), against closed forms, and the
behaviour a Python user relies on (errors, Ctrl-C, the GIL, no output of its own)."""

import _thread
import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import relusim

QUICK_CELL = dict(model="A", N=20, d=3, mode="fixed", trials=300, seed=7)


def read(path):
    return Path(path).read_bytes()


def flags(cell):
    """The command line's flags for a cell's keys."""
    return [a for k, v in cell.items() for a in (f"--{k}", str(v))]


def bad_input_message(cli, *args):
    p = cli(*args, check=False)
    assert p.returncode == 2, p.stderr
    line = p.stderr.strip().splitlines()[-1]
    prefix = "relusim: bad input: "
    assert line.startswith(prefix), line
    return line[len(prefix):]


# ---- the same numbers as the command line ---------------------------------------------------


def test_sweep_file_summary_is_byte_identical_to_the_cli(cli, root, tmp_path):
    toml = root / "examples" / "kong-table1.toml"
    r = relusim.sweep(toml, trials=8, backend="cpu", out=tmp_path / "py", progress=False)
    cli("sweep", toml, "--trials", "8", "--backend", "cpu", "--out", tmp_path / "cli", "--progress", "never")
    assert read(tmp_path / "py" / "summary.csv") == read(tmp_path / "cli" / "summary.csv")
    assert r._core.summary_csv().encode() == read(tmp_path / "cli" / "summary.csv")
    py_json = json.loads(read(tmp_path / "py" / "summary.json"))
    cli_json = json.loads(read(tmp_path / "cli" / "summary.json"))
    for k in ("cells", "sweep", "job", "fingerprint", "relusim_version", "git_revision"):
        assert py_json[k] == cli_json[k], k
    assert py_json["command_line"].startswith("relusim.sweep(")


def test_run_and_its_trajectories_are_byte_identical_to_the_cli(cli, tmp_path):
    cell = dict(model="B", K=3, d=5, N=60, mode="fixed", trials=64, seed=11, steps=400)
    r = relusim.run(**cell, backend="cpu", trajectories=True, out=tmp_path / "py", progress=False)
    cli("run", *flags(cell), "--backend", "cpu", "--trajectories", "--out", tmp_path / "cli", "--progress", "never")
    for name in ("summary.csv", "trajectories.csv"):
        assert read(tmp_path / "py" / name) == read(tmp_path / "cli" / name), name
    # Result.save writes the same files again.
    r.save(tmp_path / "saved")
    assert sorted(os.listdir(tmp_path / "saved")) == ["summary.csv", "summary.json", "trajectories.csv"]
    for name in ("summary.csv", "trajectories.csv"):
        assert read(tmp_path / "saved" / name) == read(tmp_path / "cli" / name), name
    assert r.table == cli("run", *flags(cell), "--backend", "cpu", "--progress", "never").stdout


def test_base_and_grid_run_the_cells_of_the_equivalent_sweep_file(cli, tmp_path):
    base = {"N": 15, "trials": 200, "mode": "fixed", "regularizer": "l2", "convention": "as-printed"}
    grid = {"d": [2, 4], "lambda_": [0.01, 0.1]}
    r = relusim.sweep(base=base, grid=grid, backend="cpu", progress=False)
    text = relusim.sweep_toml(base, grid)
    assert "lambda = [0.01, 0.1]" in text
    (tmp_path / "s.toml").write_text(text)
    cli("sweep", tmp_path / "s.toml", "--backend", "cpu", "--out", tmp_path / "cli", "--progress", "never")
    assert r._core.summary_csv().encode() == read(tmp_path / "cli" / "summary.csv")
    assert len(r.summary) == 4
    assert sorted(r.summary["lambda"].unique()) == [0.01, 0.1]


def test_threads_and_batches_do_not_change_the_numbers():
    a = relusim.run(**QUICK_CELL, backend="cpu", threads=1, progress=False)
    b = relusim.run(**QUICK_CELL, backend="cpu", threads=2, batch_trajectories=37, progress=False)
    assert a._core.summary_csv() == b._core.summary_csv()


def test_numpy_values_read_as_python_ones():
    a = relusim.run(**QUICK_CELL, backend="cpu", progress=False)
    b = relusim.run(
        **dict(QUICK_CELL, N=np.int64(20), d=np.int32(3), trials=np.int64(300), eps=np.float64(0.1)),
        backend="cpu",
        progress=False,
    )
    assert a._core.summary_csv() == b._core.summary_csv()
    c = relusim.run(**QUICK_CELL, teacher=np.ones(3), backend="cpu", progress=False)
    assert c.config["teacher"] == [1.0, 1.0, 1.0]
    assert (c.summary["converged"] == a.summary["converged"]).all()


# ---- DataFrames and arrays ------------------------------------------------------------------


def test_summary_columns_and_dtypes(tmp_path):
    r = relusim.run(**QUICK_CELL, backend="cpu", out=tmp_path, progress=False)
    header = (tmp_path / "summary.csv").read_text().splitlines()[0].split(",")
    s = r.summary
    assert list(s.columns) == header
    assert s["trials"].dtype == np.int64 and s["converged"].dtype == np.int64
    assert s["rate"].dtype == np.float64 and s["ci_low"].dtype == np.float64
    row = s.iloc[0]
    assert row["converged"] + row["diverged"] + row["dead"] + row["stuck"] + row["undecided"] == 300
    assert math.isclose(row["rate"], row["converged"] / 300, rel_tol=1e-15)
    assert row["ci_low"] <= row["rate"] <= row["ci_high"]
    assert row["mode"] == "fixed" and row["model"] == "A"
    # "nan" in the CSV is NaN; words such as "n/a" stay values.
    b = relusim.run(model="B", K=2, d=4, N=40, trials=32, backend="cpu", progress=False).summary
    assert b["verdict"].iloc[0] == "n/a"
    assert np.isnan(b["bound"].iloc[0])
    assert r.config["N"] == 20 and r.config["d"] == 3
    assert r.git_revision == relusim.git_revision and r.version == relusim.__version__


def test_final_weights_without_a_copy_agree_with_the_trajectories():
    d = 3
    r = relusim.run(**QUICK_CELL, backend="cpu", trajectories=True, weights=True, progress=False)
    w = r.weights(0)
    assert w.shape == (300, d)
    assert not w.flags.owndata and not w.flags.writeable
    assert w.base is not None
    # Model A, teacher ones, lambda 0: the target is w* = (1, ..., 1); final_distance is
    # |w - w*| / |w*| of the same weights.
    dist = np.linalg.norm(w - 1.0, axis=1) / math.sqrt(d)
    t = r.trajectories
    assert len(t) == 300 and list(t["trajectory"]) == list(range(300))
    np.testing.assert_allclose(dist, t["final_distance"].to_numpy(), rtol=1e-12, atol=1e-15)
    del r  # the array keeps the result's memory alive
    assert np.isfinite(w).all()


def test_auto_trials_stop_as_the_cli_stops_and_keep_only_what_they_used(cli, tmp_path):
    cell = dict(model="A", N=20, d=3, mode="fixed", seed=7, trials="auto", trials_step=40,
                max_trials=2000, until="halfwidth", ci_halfwidth=0.04)
    r = relusim.run(**cell, backend="cpu", trajectories=True, weights=True, out=tmp_path / "py",
                    progress=False)
    cli("run", *flags(cell), "--backend", "cpu", "--trajectories", "--out", tmp_path / "cli",
        "--progress", "never")
    assert read(tmp_path / "py" / "summary.csv") == read(tmp_path / "cli" / "summary.csv")
    assert read(tmp_path / "py" / "trajectories.csv") == read(tmp_path / "cli" / "trajectories.csv")
    s = r.summary.iloc[0]
    used = int(s["trials_used"])
    assert s["trials"] == "auto" and s["stopped_by"] == "halfwidth"
    assert 40 < used < 2000 and used % 40 == 0
    t = r.trajectories
    assert len(t) == used and r.weights(0).shape == (used, 3)

    def wilson_halfwidth(k, n, z=1.959963984540054):
        return z * math.sqrt(k / n * (1 - k / n) / n + z * z / (4 * n * n)) / (1 + z * z / n)

    # The interval is narrow enough at the end, and was not one step before.
    conv = (t["outcome"] == "converged").to_numpy()
    assert math.isclose((s["ci_high"] - s["ci_low"]) / 2, wilson_halfwidth(conv.sum(), used),
                        rel_tol=1e-12)
    assert wilson_halfwidth(conv.sum(), used) <= 0.04
    assert wilson_halfwidth(conv[: used - 40].sum(), used - 40) > 0.04
    # The same trajectories with a fixed count: the same counts.
    fixed = relusim.run(**{**cell, "trials": used}, backend="cpu", progress=False).summary.iloc[0]
    assert fixed["converged"] == s["converged"] and fixed["stopped_by"] == "trials"


def test_students_of_another_width_and_zipped_sweeps_match_the_cli(cli, tmp_path):
    base = dict(model="B", mode="expected", criterion="loss", tol=1e-6, eta=0.2, steps=20000,
                trials=30, seed=2, init="xavier")
    zipped = dict(K_teacher=[3, 3], d=[3, 3], K=[3, 4])
    toml = tmp_path / "widths.toml"
    toml.write_text(relusim.sweep_toml(base, zip=zipped))
    assert "[zip]" in toml.read_text()
    r = relusim.sweep(base=base, zip=zipped, backend="cpu", trajectories=True,
                      out=tmp_path / "py", progress=False)
    cli("sweep", toml, "--backend", "cpu", "--trajectories", "--out", tmp_path / "cli",
        "--progress", "never")
    assert read(tmp_path / "py" / "summary.csv") == read(tmp_path / "cli" / "summary.csv")
    assert read(tmp_path / "py" / "trajectories.csv") == read(tmp_path / "cli" / "trajectories.csv")
    s = r.summary
    assert list(s["K"]) == [3, 4] and list(s["K_teacher"]) == [3, 3]
    # Units by fate: never more than the student has; the x, y projection only at equal widths.
    t = r.trajectories
    assert ((t["units_matched"] + t["units_split"] + t["dead_units"]) <= t["cell"].map({0: 3, 1: 4})).all()
    assert not np.isnan(s["mean_x"].iloc[0]) and np.isnan(s["mean_x"].iloc[1])
    assert r.summary_json["sweep"]["zip"]["K"] == [3, 4]
    # trace follows the wider student's trajectory 0 to the run's end.
    tr = relusim.trace(**{k: v for k, v in base.items() if k != "trials"}, K=4, K_teacher=3, d=3,
                       trajectory=0, every=1000000)
    end = t[(t["cell"] == 1) & (t["trajectory"] == 0)].iloc[0]
    assert tr["step"].iloc[-1] == end["steps"]
    assert tr["loss"].iloc[-1] == end["final_loss"]
    assert tr["units_matched"].iloc[-1] == end["units_matched"]
    with pytest.raises(relusim.ConfigError, match="criterion"):
        relusim.run(model="B", K=3, K_teacher=2, d=3, criterion="distance", trials=2)


def test_stuck_points_are_classified_by_curvature_as_the_cli_classifies_them(cli, tmp_path):
    # Tian Thm 4.1: symmetric starts x = y end at the saddle (x*, x*), a strict saddle; Gaussian
    # starts of K = 8 include spurious minima (local-min, positive smallest eigenvalue).
    cell = dict(model="B", K=3, d=3, mode="expected", init="symmetric", init_x=0.3, init_y=0.3,
                eta=0.1, steps=100000, trials=4)
    r = relusim.run(**cell, backend="cpu", trajectories=True, out=tmp_path / "py", progress=False)
    s = r.summary.iloc[0]
    assert s["saddle"] == 4 and s["frac_strict_saddle"] == 1.0
    assert s["frac_local_min"] == 0.0 and s["frac_flat"] == 0.0 and s["mean_min_eigenvalue"] < 0
    assert list(r.trajectories["curvature"]) == ["strict-saddle"] * 4
    cli("run", *flags(cell), "--backend", "cpu", "--trajectories", "--out", tmp_path / "cli", "--progress", "never")
    for name in ("summary.csv", "trajectories.csv"):
        assert read(tmp_path / "py" / name) == read(tmp_path / "cli" / name), name
    g = relusim.run(model="B", K=8, d=8, mode="expected", eta=0.5, stuck_tol=1e-7, trials=20,
                    backend="cpu", trajectories=True, weights=True, progress=False)
    t = g.trajectories
    minima = t[t["curvature"] == "local-min"]
    assert len(minima) >= 1 and (minima["min_eigenvalue"] > 0).all()
    assert (minima["final_loss"] > 1e-3).all()  # spurious: the teacher's loss is 0
    assert (t[t["outcome"] == "converged"]["curvature"].isna()).all()  # only stuck points
    # In other modes nothing is classified: the columns are NaN, not 0.
    f = relusim.run(model="B", K=2, d=4, N=40, trials=8, backend="cpu", progress=False).summary
    assert np.isnan(f["frac_local_min"].iloc[0])


# ---- bad input and the environment ----------------------------------------------------------


def test_bad_input_raises_value_error_with_the_cli_message(cli):
    cases = [
        (dict(K=3), ["run", "--K", "3"]),
        (dict(d=0), ["run", "--d", "0"]),
        (dict(mode="sometimes"), ["run", "--mode", "sometimes"]),
        (dict(model="B", K=3, d=2), ["run", "--model", "B", "--K", "3", "--d", "2"]),
    ]
    for kwargs, args in cases:
        with pytest.raises(relusim.ConfigError) as e:
            relusim.run(**kwargs, progress=False)
        assert isinstance(e.value, ValueError)
        assert str(e.value) == bad_input_message(cli, *args), kwargs
    with pytest.raises(ValueError) as e:
        relusim.run(nosuchkey=1)
    assert "unknown key" in str(e.value)
    with pytest.raises(ValueError) as e:
        relusim.sweep("/nonexistent/never.toml")
    assert str(e.value) == bad_input_message(cli, "sweep", "/nonexistent/never.toml")
    with pytest.raises(ValueError):
        relusim.run(N="many")
    with pytest.raises(ValueError):
        relusim.run(backend="tpu")


def test_environment_failures_raise_runtime_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises((RuntimeError, OSError)) as e:
        relusim.run(**QUICK_CELL, backend="cpu", out=blocker / "sub", progress=False)
    assert not isinstance(e.value, ValueError)


def test_nothing_is_printed_uninvited(capfd, tmp_path):
    r = relusim.run(**QUICK_CELL, out=tmp_path, progress=False)  # auto: says which backend
    relusim.trace(**QUICK_CELL, every=50)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert "summary.csv" in r.log


# ---- Ctrl-C, the GIL, progress --------------------------------------------------------------

LONG_CELL = dict(model="A", d=5, mode="expected", trials=200_000, seed=3)  # ~3 s on 2 cores


def test_keyboard_interrupt_stops_the_run_and_it_resumes(cli, tmp_path):
    out = tmp_path / "run"
    # A timer thread sends the interrupt 0.2 s after the first batch is in (on one thread the
    # run takes seconds, whatever the machine's core count).
    timer = threading.Timer(0.2, _thread.interrupt_main)
    fired = {}

    def arm(done, total):
        if done > 0 and not fired:
            fired["at"] = time.monotonic()
            timer.start()

    with pytest.raises(KeyboardInterrupt):
        relusim.run(**LONG_CELL, backend="cpu", threads=1, out=out, batch_trajectories=2048, progress=arm)
    t0 = fired["at"] + 0.2
    stopped_after = time.monotonic() - t0
    timer.join()
    assert stopped_after < 1.0, stopped_after  # "within about a second"
    # Nothing that looks complete: no summary, the journal of what ran.
    assert not (out / "summary.csv").exists() and not (out / "summary.json").exists()
    assert (out / "journal.rsj").exists()
    r = relusim.run(**LONG_CELL, backend="cpu", out=out, batch_trajectories=2048, resume=True, progress=False)
    assert "resuming" in r.log
    assert not (out / "journal.rsj").exists()
    cli("run", *flags(LONG_CELL), "--backend", "cpu", "--batch-trajectories", "2048", "--out", tmp_path / "cli", "--progress", "never")
    assert read(out / "summary.csv") == read(tmp_path / "cli" / "summary.csv")


def test_the_gil_is_released_while_trajectories_run():
    done = threading.Event()
    result = {}

    def work():
        result["r"] = relusim.run(**dict(LONG_CELL, trials=100_000), backend="cpu", threads=1, progress=False)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    time.sleep(0.05)
    count = 0
    t0 = time.monotonic()
    while not done.is_set():
        count += 1  # pure Python: runs only while this thread holds the GIL
    elapsed = time.monotonic() - t0
    t.join()
    assert result["r"].status == "complete"
    assert elapsed > 0.2, "the run was too short to tell"
    # Holding the GIL for the run would leave this loop a handful of iterations per switch
    # interval of the progress callback; released, it spins freely.
    assert count > 100_000 * elapsed, (count, elapsed)


def test_progress_callback_sees_every_trajectory():
    seen = []
    relusim.run(**QUICK_CELL, backend="cpu", batch_trajectories=50, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 300) and seen[-1] == (300, 300)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))


def test_progress_true_draws_a_tqdm_bar_on_stderr(capfd):
    pytest.importorskip("tqdm")
    relusim.run(**QUICK_CELL, backend="cpu", batch_trajectories=50, progress=True)
    out, err = capfd.readouterr()
    assert out == ""
    assert "run:" in err and "300/300" in err


def test_an_exception_in_the_progress_callback_stops_the_run():
    def boom(done, total):
        if done > 0:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        relusim.run(**LONG_CELL, backend="cpu", batch_trajectories=1000, progress=boom)


# ---- trace, theory, field, keys, reproduce --------------------------------------------------


def test_trace_matches_the_cli_and_ends_at_tians_saddle(cli):
    cell = dict(model="B", K=3, d=3, mode="expected", init="symmetric", init_x=0.3, init_y=0.3)
    df = relusim.trace(**cell, every=20)
    text = cli("trace", *flags(cell), "--every", "20").stdout
    expected = pd.read_csv(__import__("io").StringIO(text))
    pd.testing.assert_frame_equal(df, expected)
    assert df.attrs["end"]["outcome"] == "saddle"
    x_star = relusim.theory("B", K=3)["x_star"]
    k = 3
    assert math.isclose(x_star, (math.sqrt(k - 1) - math.acos(1 / math.sqrt(k)) + math.pi) / (math.pi * k), rel_tol=1e-15)
    assert abs(df["x"].iloc[-1] - x_star) < 1e-6 and abs(df["y"].iloc[-1] - x_star) < 1e-6


def test_theory_matches_the_cli_and_its_closed_forms(cli):
    t = relusim.theory("A", N=10, d=2, eps=0.1)
    # A_2 for N = 10: P(rank D* <= 2) = P(at most 2 active of 10 fair coins) = 56/1024.
    assert t["A_d"] == 56 / 1024
    assert math.isclose(t["kong_bound"], 0.9 * (1 - 56 / 1024) / 2, rel_tol=1e-15)
    assert t["tian_bound"] == 0.45 and t["N"] == 10 and isinstance(t["N"], int)
    text = cli("theory", "--N", "10", "--d", "2", "--eps", "0.1").stdout
    assert f"A_d = P(rank D* <= d)      {t['A_d']!r}" in text
    b = relusim.theory("B", K=3, x=0.4, y=0.2)
    assert b["xy"] == (0.4, 0.2)
    text = cli("theory", "--model", "B", "--K", "3", "--x", "0.4", "--y", "0.2").stdout
    assert f"({b['field'][0]!r}, {b['field'][1]!r})" in text
    assert math.isclose(b["field"][0], b["field_projected"][0], rel_tol=1e-12)
    with pytest.raises(ValueError):
        relusim.theory("C")


def test_theory_gives_the_exact_probability_of_a_start_in_omega(cli):
    # d = 2: the lens of the disc |w| < r and the disc |w - w*| < 1 (|w*| = 1) over the disc's
    # area; the lens by the circle-circle intersection formula at centre distance 1.
    eps = 0.1
    t = relusim.theory("A", N=10, d=2, eps=eps)
    r = t["ball_radius"]
    lens = r * r * math.acos(r / 2) + math.acos(1 - r * r / 2) - 0.5 * r * math.sqrt(4 - r * r)
    assert math.isclose(t["p_in_omega"], lens / (math.pi * r * r), rel_tol=1e-12)
    # Tian Thm 3.3's proof: the ball of radius eps sqrt(2 pi / (d + 1)) puts at least
    # (1 - eps) / 2 of its mass in Omega, and the tight ball is the larger one (lower probability).
    for d in (1, 2, 5, 20, 100):
        td = relusim.theory("A", N=10, d=d, eps=eps)
        assert td["p_in_omega"] >= td["tian_bound"] and td["p_in_omega"] < 0.5 + 1e-15
        assert td["p_in_omega_tight"] <= td["p_in_omega"] + 1e-15
    assert relusim.theory("A", d=1, eps=eps)["p_in_omega"] == pytest.approx(0.5, abs=1e-15)
    text = cli("theory", "--N", "10", "--d", "2", "--eps", "0.1").stdout
    assert f"{t['p_in_omega']!r}" in text and "P(start in Omega)" in text


def test_field_matches_the_cli(cli):
    f = relusim.field(model="B", K=4, points=7)
    assert f["dx"].shape == (7, 7)
    text = cli("field", "--model", "B", "--K", "4", "--points", "7").stdout
    assert f["csv"] == text
    cli_df = pd.read_csv(__import__("io").StringIO(text))
    np.testing.assert_array_equal(f["dx"].ravel(), cli_df.iloc[:, 2].to_numpy())
    assert "x*" in " ".join(f["marks"]) or len(f["marks"]) > 0


def test_keys_come_from_the_registry(cli):
    help_text = cli("run", "--help").stdout
    for m in relusim.models():
        ks = relusim.keys(m)
        names = [k["key"] for k in ks]
        assert names[0] == "model" and len(set(names)) == len(names)
        for k in names:
            assert f"--{k}" in help_text
    a = {k["key"]: k for k in relusim.keys("A")}
    assert a["N"]["default"] == 10 and a["d"]["default"] == 2 and a["trials"]["default"] == 1000
    assert "fixed" in a["mode"]["choices"]
    r = relusim.run(model="A", trials=3, backend="cpu", progress=False)
    for key, k in a.items():
        if key != "trials":
            assert r.config[key] == k["default"], key
    assert "regularizer" in relusim.run.__doc__ and "Model B" in relusim.run.__doc__


def test_reproduce_writes_what_the_cli_writes(cli, tmp_path):
    r = relusim.reproduce("tian-thm41", tmp_path / "py", quick=True, backend="cpu", draw=False)
    cli("reproduce", "tian-thm41", "--quick", "--backend", "cpu", "--out", tmp_path / "cli", "--progress", "never")
    assert set(r["claims"]["verdict"]) <= {"reproduced", "partly", "not reproduced"}
    cli_verdicts = json.loads(read(tmp_path / "cli" / "verdicts.json"))
    claims = cli_verdicts["claims"] if isinstance(cli_verdicts, dict) else cli_verdicts
    assert [c["verdict"] for c in claims] == list(r["claims"]["verdict"])
    for f in sorted(os.listdir(tmp_path / "cli")):
        if f.endswith(".csv"):
            assert read(tmp_path / "py" / f) == read(tmp_path / "cli" / f), f


# ---- start-up and packaging -----------------------------------------------------------------


def test_import_is_light_and_starts_no_mpi():
    code = "import sys, relusim; print(sorted(m for m in ('pandas', 'numpy', 'mpi4py') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


def test_the_type_stubs_are_current():
    here = Path(relusim.__file__).resolve().parent
    stub = here / "__init__.pyi"
    assert stub.exists()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    try:
        import gen_stubs
    finally:
        sys.path.pop(0)
    assert stub.read_text() == gen_stubs.render(), "run python/tools/gen_stubs.py and commit the stub"
