"""relusim from Python: the simulator's engine in this process, results as pandas and NumPy.

    import relusim
    r = relusim.run(model="A", N=100, d=5, trials=10_000)
    r.summary                      # pandas DataFrame: the columns and values of summary.csv
    relusim.sweep("examples/kong-table1.toml").summary
    relusim.sweep(base={"N": 20}, grid={"d": [2, 5], "lambda": [0.01, 0.1]})

Every key of the command line is a keyword argument (``relusim.keys(model)`` lists them with
their help, default and choices; ``lambda`` is also accepted as ``lambda_``), checked by the
same registry: bad input raises ``relusim.ConfigError`` (a ValueError) with the command line's
one-line message. Trajectories run with the GIL released; Ctrl-C stops a run after the batches
in flight and raises KeyboardInterrupt (with ``out=`` the run resumes with ``resume=True``).
The same cells give the same numbers as ``relusim run`` and ``relusim sweep``, byte for byte.

(One module of about 560 lines on purpose: the whole public API, which the stub mirrors.)
"""

from __future__ import annotations

import keyword
import math
import os
import sys
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _core
from ._core import ConfigError

__all__ = [
    "ConfigError",
    "Result",
    "run",
    "sweep",
    "sweep_toml",
    "trace",
    "theory",
    "field",
    "reproduce",
    "experiments",
    "keys",
    "models",
    "__version__",
    "git_revision",
]

__version__: str = _core.version()
#: The git revision the engine was built from (summary.json records it too).
git_revision: str = _core.git_revision()

Progress = Union[None, bool, Callable[[int, int], Any]]


def models() -> List[str]:
    """The models' names (``model=``)."""
    return list(_core.model_names())


def keys(model: str = "A") -> List[Dict[str, Any]]:
    """Every key of ``model``: name, type, help text, choices and default, from the registry."""
    import json

    out = []
    for k in _core.keys(model):
        out.append(
            {
                "key": k["key"],
                "type": k["type"],
                "help": k["help"],
                "choices": list(k["choices"]),
                "default": json.loads(k["default_json"]),
            }
        )
    return out


# ---- values ---------------------------------------------------------------------------------


def _key(name: str) -> str:
    """``lambda_`` (a Python keyword with an underscore) is the key ``lambda``."""
    if name.endswith("_") and keyword.iskeyword(name[:-1]):
        return name[:-1]
    return name


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as Python numbers and lists (what the registry reads)."""
    if isinstance(value, (str, bytes, bool, int, float)) or value is None:
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def _values(given: Mapping[str, Any]) -> List[Tuple[str, Any]]:
    return [(_key(k), _plain(v)) for k, v in given.items()]


def _call_text(name: str, *parts: Any, **given: Any) -> str:
    args = [repr(p) for p in parts] + [f"{k}={v!r}" for k, v in given.items()]
    return f"relusim.{name}({', '.join(args)})"


# ---- progress -------------------------------------------------------------------------------


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except Exception:
        return False
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


class _Bar:
    """tqdm over trajectories, created at the first report (when the total is known)."""

    def __init__(self, desc: str):
        self.desc = desc
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            tqdm = None
            if _in_notebook():
                try:  # a widget where ipywidgets is installed, else text (no warning)
                    import ipywidgets  # noqa: F401
                    from tqdm.notebook import tqdm
                except ImportError:
                    pass
            if tqdm is None:
                from tqdm.std import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit="traj", unit_scale=True, leave=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress(progress: Progress, desc: str):
    """The callback for ``progress``: None shows tqdm when it is installed and stderr is a
    terminal or a notebook runs the code; True always (tqdm needed); False never; a callable
    gets (trajectories done, total) after each batch."""
    if progress is False:
        return None
    if callable(progress) and progress is not True:
        return progress
    if progress is None:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            return None
        interactive = _in_notebook() or (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
        if not interactive:
            return None
    return _Bar(desc)


def _job_args(
    backend: str,
    threads: int,
    out: Optional[Union[str, os.PathLike]],
    resume: bool,
    force: bool,
    trajectories: bool,
    weights: bool,
    batch_trajectories: int,
    command: str,
    callback,
) -> "_core.JobArgs":
    a = _core.JobArgs()
    a.backend = str(backend)
    a.threads = int(threads)
    a.out = os.fspath(out) if out is not None else ""
    a.resume = bool(resume)
    a.force = bool(force)
    a.trajectories = bool(trajectories)
    a.weights = bool(weights)
    a.batch_trajectories = int(batch_trajectories)
    a.command = command
    a.resume_hint = command[:-1] + (", " if not command.endswith("()") else "") + "resume=True)"
    if callback is not None:
        a.progress = callback
    return a


def _run(kind: str, call: Callable[["_core.JobArgs"], Any], progress: Progress, **options) -> "Result":
    callback = _progress(progress, kind)
    try:
        core = call(_job_args(callback=callback, **options))
    finally:
        if isinstance(callback, _Bar):
            callback.close()
    return Result(core)


# ---- results --------------------------------------------------------------------------------


_DTYPES = {"i": "int64", "f": "float64", "b": "bool", "s": "str"}


def _read_csv(text: str, schema=None):
    import io

    import pandas as pd

    # summary.csv writes "nan" for a statistic without a value and "" for an empty field; words
    # such as "n/a" or "none" are values (a verdict, a theorem), not missing. With a schema each
    # column gets its kind's dtype (lambda = 0 is a float, an empty reason is text).
    dtype = {name: _DTYPES[kind] for name, kind in schema} if schema else None
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=["", "nan"], dtype=dtype)


class Result:
    """A completed run or sweep: its summary, trajectories and final weights, its cells."""

    def __init__(self, core: "_core.JobResult"):
        self._core = core
        self._summary = None
        self._trajectories = None

    @property
    def status(self) -> str:
        """``complete``, or ``shard_complete`` for one part of a sharded sweep."""
        return self._core.status

    @property
    def summary(self):
        """One row per cell: the columns and values of summary.csv (pandas DataFrame)."""
        if self._summary is None:
            self._summary = _read_csv(self._core.summary_csv(), self._core.summary_schema())
        return self._summary

    @property
    def trajectories(self):
        """One row per trajectory (trajectories.csv), or None unless run with trajectories=True."""
        if not self._core.keeps_trajectories:
            return None
        if self._trajectories is None:
            self._trajectories = _read_csv(self._core.trajectories_csv())
        return self._trajectories

    def weights(self, cell: int = 0):
        """Cell ``cell``'s final weights, one row per trajectory (trials x weights; Model B's
        rows are the K x d matrix row by row), as a read-only NumPy array over the result's own
        memory (no copy). Needs weights=True."""
        return self._core.final_weights(cell)

    @property
    def cells(self) -> List[Dict[str, Any]]:
        """Each cell's resolved configuration (every key), as summary.json lists them."""
        import json

        return [json.loads(c) for c in self._core.cells()]

    @property
    def config(self) -> Union[Dict[str, Any], List[Dict[str, Any]]]:
        """The cell's configuration (one cell), or the list of them (a sweep)."""
        cells = self.cells
        return cells[0] if len(cells) == 1 else cells

    @property
    def table(self) -> str:
        """The table the command line prints."""
        return self._core.table()

    @property
    def summary_json(self) -> Dict[str, Any]:
        """summary.json's contents."""
        import json

        return json.loads(self._core.summary_json())

    @property
    def git_revision(self) -> str:
        return self.summary_json["git_revision"]

    @property
    def version(self) -> str:
        return self.summary_json["relusim_version"]

    @property
    def seconds(self) -> float:
        return self._core.seconds

    @property
    def backend(self) -> str:
        return self._core.backend

    @property
    def log(self) -> str:
        """The messages the command line would print on stderr."""
        return self._core.log

    def save(self, dir: Union[str, os.PathLike]) -> None:
        """Writes the files the command line writes with --out: summary.csv, summary.json and,
        with trajectories=True, trajectories.csv."""
        self._core.save(os.fspath(dir))

    def __repr__(self) -> str:
        if self.status != "complete":
            return f"<relusim.Result {self.status}>"
        return self.table

    def _repr_html_(self) -> Optional[str]:
        if self.status != "complete":
            return None
        return self.summary._repr_html_()


# ---- commands -------------------------------------------------------------------------------


def run(
    *,
    backend: str = "auto",
    threads: int = 0,
    out: Optional[Union[str, os.PathLike]] = None,
    resume: bool = False,
    force: bool = False,
    trajectories: bool = False,
    weights: bool = False,
    batch_trajectories: int = 0,
    progress: Progress = None,
    **keys: Any,
) -> Result:
    values = _values(keys)
    shown = {k: v for k, v in values}
    if out is not None:
        shown["out"] = os.fspath(out)
    command = _call_text("run", **shown)
    return _run(
        "run",
        lambda a: _core.run_cell(values, a),
        progress,
        backend=backend,
        threads=threads,
        out=out,
        resume=resume,
        force=force,
        trajectories=trajectories,
        weights=weights,
        batch_trajectories=batch_trajectories,
        command=command,
    )


def _toml_value(key: str, value: Any) -> str:
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        import json

        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(key, v) for v in value) + "]"
    raise ConfigError(f"'{key}': cannot read a value of Python type {type(value).__name__}")


def sweep_toml(
    base: Optional[Mapping[str, Any]] = None,
    grid: Optional[Mapping[str, Any]] = None,
    zip: Optional[Mapping[str, Any]] = None,
) -> str:
    """The sweep file that ``sweep(base=..., grid=..., zip=...)`` runs (``relusim sweep FILE``
    runs the same cells)."""
    lines = []
    base = dict(base or {})
    for k, v in base.items():
        lines.append(f"{_key(k)} = {_toml_value(_key(k), v)}")
    for table, axes in (("grid", grid), ("zip", zip)):
        if not axes:
            continue
        lines.append("")
        lines.append(f"[{table}]")
        for k, v in axes.items():
            v = _plain(v)
            if not isinstance(v, list):
                raise ConfigError(f"'{_key(k)}': a {table} axis must be a list of values")
            lines.append(f"{_key(k)} = {_toml_value(_key(k), v)}")
    return "\n".join(lines) + "\n"


def sweep(
    file: Optional[Union[str, os.PathLike]] = None,
    *,
    base: Optional[Mapping[str, Any]] = None,
    grid: Optional[Mapping[str, Any]] = None,
    zip: Optional[Mapping[str, Any]] = None,
    trials: Union[None, int, float, str] = None,
    backend: str = "auto",
    threads: int = 0,
    out: Optional[Union[str, os.PathLike]] = None,
    resume: bool = False,
    force: bool = False,
    trajectories: bool = False,
    weights: bool = False,
    batch_trajectories: int = 0,
    progress: Progress = None,
) -> Result:
    """A grid of cells: a sweep file (``relusim sweep FILE``), or ``base`` (keys every cell
    shares) and ``grid`` (key -> list of values; every combination is a cell) and/or ``zip``
    (key -> list, all of one length, varied together: entry i of each list is one point).
    ``trials`` replaces every cell's trials (as ``--trials``); ``"auto"`` too."""
    trials_text = "" if trials is None else str(_plain(trials))
    if file is not None:
        if base is not None or grid is not None or zip is not None:
            raise ConfigError("a sweep is a file or base=, grid= and zip=, not both")
        path = os.fspath(file)
        shown: Dict[str, Any] = {"trials": trials} if trials is not None else {}
        if out is not None:
            shown["out"] = os.fspath(out)
        command = _call_text("sweep", path, **shown)
        call = lambda a: _core.run_sweep(path, "", "", trials_text, a)  # noqa: E731
    else:
        text = sweep_toml(base, grid, zip)
        given = {"base": dict(base or {}), "grid": dict(grid or {})}
        if zip:
            given["zip"] = dict(zip)
        if trials is not None:
            given["trials"] = trials
        if out is not None:
            given["out"] = os.fspath(out)
        command = _call_text("sweep", **given)
        call = lambda a: _core.run_sweep("", text, "<relusim.sweep>", trials_text, a)  # noqa: E731
    return _run(
        "sweep",
        call,
        progress,
        backend=backend,
        threads=threads,
        out=out,
        resume=resume,
        force=force,
        trajectories=trajectories,
        weights=weights,
        batch_trajectories=batch_trajectories,
        command=command,
    )


def trace(*, trajectory: int = 0, every: int = 100, **keys: Any):
    """One trajectory's path (``relusim trace``): a DataFrame with a row every ``every`` steps
    and at the last; ``.attrs["end"]`` holds how it ended (outcome, steps, ...)."""
    csv, end = _core.trace(_values(keys), int(trajectory), int(every))
    df = _read_csv(csv)
    df.attrs["end"] = dict(end)
    return df


def theory(
    model: str = "A",
    *,
    N: int = 10,
    d: int = 2,
    K: int = 2,
    eps: float = 0.1,
    x: Optional[float] = None,
    y: Optional[float] = None,
) -> Dict[str, Any]:
    """The closed forms ``relusim theory`` prints, by name: Model A's A_d, bounds and radii for
    N, d, eps; Model B's x*(K) and, given x and y, the reduced field and loss there. A pair is a
    tuple."""
    have_xy = x is not None or y is not None
    out: Dict[str, Any] = {}
    for key, values, integer, _label, _note in _core.theory(
        model, int(N), int(d), int(K), float(eps), have_xy, float(x or 0.0), float(y or 0.0)
    ):
        vals = [int(v) for v in values] if integer else list(values)
        out[key] = vals[0] if len(vals) == 1 else tuple(vals)
    return out


def field(
    *,
    trajectory: int = 0,
    x: Optional[Sequence[float]] = None,
    y: Optional[Sequence[float]] = None,
    points: int = 21,
    **keys: Any,
) -> Dict[str, Any]:
    """The 2-D vector field of ``relusim field``: arrays ``x``, ``y``, ``dx``, ``dy``, ``loss``
    of shape (points, points) (rows follow y), ``marks`` (name -> (x, y)) and the labels; ready
    for ``plt.quiver(f["x"], f["y"], f["dx"], f["dy"])``."""
    import numpy as np

    f = _core.field(
        _values(keys), int(trajectory), [float(v) for v in (x or [])], [float(v) for v in (y or [])], int(points)
    )
    n = f["points"]
    out: Dict[str, Any] = {k: np.asarray(f[k], dtype=float).reshape(n, n) for k in ("x", "y", "dx", "dy", "loss")}
    out["marks"] = {name: (mx, my) for name, mx, my in f["marks"]}
    for k in ("x_label", "y_label", "title", "csv", "marks_csv"):
        out[k] = f[k]
    return out


def experiments() -> Dict[str, str]:
    """The experiments ``reproduce`` runs: name -> what it reproduces."""
    return dict(_core.experiments())


def reproduce(
    name: str,
    out: Union[str, os.PathLike],
    *,
    quick: bool = False,
    backend: str = "auto",
    threads: int = 0,
    draw: bool = True,
) -> Dict[str, Any]:
    """One experiment of the papers (``relusim reproduce NAME --out DIR``): its data, figures
    (drawn with this interpreter's matplotlib), report.md and verdicts.json in ``out``. Returns
    the claims as a DataFrame (paper, measured, verdict, reason, value, interval) and the rest
    of the report."""
    import pandas as pd

    outdir = os.fspath(out)
    r = dict(
        _core.reproduce(
            name,
            outdir,
            bool(quick),
            str(backend),
            int(threads),
            bool(draw),
            sys.executable or "",
            _call_text("reproduce", name, outdir, **({"quick": True} if quick else {})),
        )
    )
    r["claims"] = pd.DataFrame(list(r["claims"]), columns=["id", "paper", "measured", "verdict", "reason", "value", "lo", "hi"])
    r["figures"] = list(r["figures"])
    r["out"] = outdir
    return r


def _key_doc() -> str:
    lines = ["", "Keys (relusim.keys(model) has them as data):", ""]
    for m in models():
        lines.append(f"Model {m}:")
        for k in _core.keys(m):
            choices = f" {{{', '.join(k['choices'])}}}" if k["choices"] else ""
            lines.append(f"  {k['key']} = {k['default_text']}: {k['help']}{choices}")
        lines.append("")
    return "\n".join(lines)


run.__doc__ = (
    """One cell given by keys (``relusim run``), e.g. ``run(model="A", N=100, d=5, trials=10_000)``.

    Options as on the command line: ``backend`` (auto, cpu, cuda), ``threads`` (0: all),
    ``out`` (a directory for summary.csv and summary.json, written when the run completes; its
    journal lets ``resume=True`` continue a stopped run; ``force`` replaces another run's),
    ``trajectories`` (one row per trajectory), ``weights`` (final weights, Result.weights()),
    ``batch_trajectories``, ``progress`` (None: tqdm in a terminal or notebook; False: off; a
    callable gets (done, total)). ``seed`` is a key.
"""
    + _key_doc()
)
