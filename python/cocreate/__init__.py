"""cocreate from Python: public value co-creation, simulated.

Every function mirrors a ``cocreate`` command and gives exactly that
command's numbers for the same inputs: it runs the command line's own code
in this process (the GIL released while it runs) and hands its files back
as pandas DataFrames, parsed in Rust into numpy columns.

    >>> import cocreate
    >>> sc = cocreate.load("scenarios/baseline.toml")
    >>> sc2 = sc.with_values({"inhibitors.low_trust": 0.8})
    >>> res = cocreate.run(sc2, replications=100, seed=42)
    >>> res.summary.set_index("metric").loc["total_value_realized", "mean"]

Bad input raises :class:`ScenarioError` with the command line's message
(positions included); Ctrl-C stops a run after the replications under
way and raises ``KeyboardInterrupt``.
"""

from __future__ import annotations

import json
import numbers
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _cocreate
from ._cocreate import CocreateError, ScenarioError

__version__ = _cocreate.__version__

__all__ = [
    "Scenario",
    "ScenarioError",
    "CocreateError",
    "Results",
    "RunResult",
    "CompareResult",
    "AttributeResult",
    "SweepResult",
    "CalibrationResult",
    "load",
    "parameters",
    "run",
    "compare",
    "attribute",
    "sweep",
    "calibrate",
]

PathLike = Union[str, "os.PathLike[str]"]


def _value_text(value: Any) -> str:
    """A value as ``--set`` takes it: numbers (numpy's scalars too) in
    their shortest exact form, booleans as ``true``/``false``."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return str(value)


class Scenario:
    """A scenario: what a scenario file describes, checked and resolved.

    Make one with :func:`load`, :meth:`Scenario.from_toml` or
    :meth:`Scenario.from_dict`; a scenario never changes, and
    :meth:`with_values` gives a changed copy.
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_cocreate.NativeScenario") -> None:
        self._native = native

    @classmethod
    def load(cls, path: PathLike) -> "Scenario":
        """Loads a scenario file (TOML), as ``cocreate run`` does."""
        return cls(_cocreate.NativeScenario.load(os.fspath(path)))

    @classmethod
    def from_toml(cls, text: str, name: str = "scenario") -> "Scenario":
        """A scenario from the text of a scenario file; ``name`` is its name
        when the text gives none (as a file's stem is)."""
        return cls(_cocreate.NativeScenario.from_toml(text, "<toml>", name))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str = "scenario") -> "Scenario":
        """A scenario from a dict with the structure of a scenario file
        (``{"run": {"steps": 60}, "inhibitors": {"low_trust": 0.4}, ...}``).
        Errors name the key; their positions are those of the TOML the dict
        makes (see :meth:`to_toml`)."""
        return cls(_cocreate.NativeScenario.from_json(json.dumps(data), name))

    def with_values(self, values: Mapping[str, Any]) -> "Scenario":
        """A copy with each ``key: value`` applied as ``--set key=value``
        would (any key of MODEL.md section 2, ``inhibitors.NAME``,
        ``citizens.groups.NAME.KEY``, ``agencies.kinds.NAME.KEY``,
        ``effects.NAME.KEY``), each checked; the first refused raises
        :class:`ScenarioError`. The copy is named after what changed, as
        ``--set`` names it (``baseline+low_trust=0.8``), and its description
        says so."""
        assignments = [f"{key}={_value_text(value)}" for key, value in values.items()]
        return Scenario(self._native.with_values(assignments))

    def to_toml(self) -> str:
        """The scenario as a file, every value filled in; loading it gives
        the same scenario."""
        return self._native.to_toml()

    def to_dict(self) -> Dict[str, Any]:
        """The scenario as a dict with the structure of its file
        (:meth:`from_dict` of it gives the same scenario)."""
        return json.loads(self._native.to_json())

    @property
    def name(self) -> str:
        """The scenario's name (it names the results)."""
        return self._native.name

    @property
    def description(self) -> str:
        """What the scenario is."""
        return self._native.description

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_toml() == other.to_toml()

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __repr__(self) -> str:
        return f"<cocreate.Scenario {self.name!r}>"


def load(path: PathLike) -> Scenario:
    """Loads a scenario file (TOML), as ``cocreate run`` does."""
    return Scenario.load(path)


def parameters() -> pd.DataFrame:
    """Every parameter of MODEL.md section 2: ``key``, ``section``,
    ``default``, ``allowed``, ``integer`` (whether its values are integers)
    and ``meaning``."""
    rows = _cocreate.parameters()
    return pd.DataFrame(rows, columns=["key", "section", "default", "allowed", "integer", "meaning"])


def _table(path: Path) -> pd.DataFrame:
    header, columns = _cocreate.read_table(os.fspath(path))
    return pd.DataFrame(dict(zip(header, columns)), columns=header)


class Results:
    """The files a command wrote: each CSV file as a DataFrame (an
    attribute named after the file, ``res.summary`` for ``summary.csv``),
    ``manifest`` (``manifest.json`` as a dict), and :meth:`save`, which
    writes the very files the command wrote."""

    def __init__(self, folder: Path) -> None:
        self.name: str = folder.name
        """The name of the results' folder, as the command names it."""
        self._files: Dict[str, bytes] = {}
        self._tables: Dict[str, pd.DataFrame] = {}
        for path in sorted(folder.iterdir()):
            if path.is_file():
                self._files[path.name] = path.read_bytes()
                if path.suffix == ".csv":
                    self._tables[path.stem] = _table(path)
        self.manifest: Dict[str, Any] = json.loads(self._files.get("manifest.json", b"{}"))
        """``manifest.json``: what was run, how, and when."""

    @property
    def tables(self) -> Dict[str, pd.DataFrame]:
        """Every CSV file's DataFrame, by the file's stem."""
        return dict(self._tables)

    @property
    def files(self) -> List[str]:
        """The names of the files the command wrote."""
        return list(self._files)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("_tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(
            f"{type(self).__name__} has no table {name!r}; it has {', '.join(sorted(tables))}"
        )

    def save(self, path: PathLike) -> Path:
        """Writes the files, byte for byte as the command wrote them, into
        ``path/<name>/`` (as the command's ``--out path`` would); returns
        that folder."""
        folder = Path(path) / self.name
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self._files.items():
            temporary = folder / (name + ".part")
            temporary.write_bytes(data)
            os.replace(temporary, folder / name)
        return folder

    def __repr__(self) -> str:
        return f"<cocreate.{type(self).__name__} {self.name!r}: {', '.join(self._tables)}>"


def _table_property(name: str, meaning: str) -> property:
    """A result's table ``name`` (its ``name.csv``) as a typed property."""

    def get(self: "Results") -> pd.DataFrame:
        return self.__getattr__(name)

    return property(get, doc=f"``{name}.csv``: {meaning}")


class RunResult(Results):
    """What :func:`run` returns: the files ``cocreate run`` writes."""

    runs = _table_property("runs", "one row per replication, every figure of the run")
    steps = _table_property("steps", "one row per replication and step")
    summary = _table_property("summary", "each figure over the replications: mean, sd, 95% interval, percentiles")
    groups = _table_property("groups", "one row per replication and citizen group")
    kinds = _table_property("kinds", "one row per replication and agency kind")
    breakdown = _table_property("breakdown", "each group's and kind's figures over the replications")


class CompareResult(Results):
    """What :func:`compare` returns: the files ``cocreate compare`` writes."""

    comparison = _table_property("comparison", "each scenario's figures, and the paired difference from the base with its interval")
    series = _table_property("series", "each scenario's step figures: mean and 95% interval per step")
    breakdown = _table_property("breakdown", "each scenario's groups and kinds, paired with the base's of the same name")
    window = _table_property("window", "the step figures over the window, compared (with window=)")


class AttributeResult(Results):
    """What :func:`attribute` returns: the files ``cocreate attribute`` writes."""

    attribution = _table_property("attribution", "each inhibitor's Shapley value: its share of the value lost")
    waterfall = _table_property("waterfall", "where the value is lost, from the inhibitor-free twin to the scenario")
    attribution_groups = _table_property("attribution_groups", "the attribution per citizen group")
    waterfall_groups = _table_property("waterfall_groups", "the waterfall per citizen group")


class SweepResult(Results):
    """What :func:`sweep` returns: the files ``cocreate sweep`` writes
    (``sensitivity`` and others as the design gives them)."""

    points = _table_property("points", "one row per parameter point: its factors' values")
    runs = _table_property("runs", "one row per point and replication")
    summary = _table_property("summary", "each point's figures over its replications")
    sensitivity = _table_property(
        "sensitivity", "per factor and figure: Sobol indices or Morris effects (sobol and morris designs)"
    )
    convergence = _table_property(
        "convergence", "the Sobol indices on the first N/8, N/4, N/2 and all N base samples (sobol designs)"
    )
    groups = _table_property("groups", "one row per point, replication and citizen group")
    kinds = _table_property("kinds", "one row per point, replication and agency kind")
    breakdown = _table_property("breakdown", "each point's groups' and kinds' figures over its replications")


class CalibrationResult(Results):
    """What :func:`calibrate` returns: the files ``cocreate calibrate``
    writes, and ``scenario``, the scenario at the posterior means."""

    posterior = _table_property("posterior", "the last generation's particles and their weights")
    generations = _table_property("generations", "each generation: tolerance, acceptance, simulations")
    summary = _table_property("summary", "each parameter's posterior mean, sd and credible interval")
    predictive = _table_property("predictive", "each target, observed and as predicted (200 draws)")

    @property
    def scenario(self) -> Scenario:
        """The calibrated scenario (``scenario.toml``: the posterior means)."""
        return Scenario.from_toml(self._files["scenario.toml"].decode(), name=self.name)


def _progress_callback(progress: Union[bool, Callable[[int, int], Any]], label: str):
    """A callback for (done, total): tqdm's bar if tqdm is installed (its
    notebook form in notebooks), otherwise a line of text on stderr."""
    if not progress:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = tqdm(desc=f"cocreate {label}", unit="")

        def update(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh()

        return update, bar.close

    def text(done: int, total: int) -> None:
        sys.stderr.write(f"\rcocreate {label}: {done}/{total}")
        sys.stderr.flush()

    return text, lambda: sys.stderr.write("\n")


def _execute(args: List[str], progress, label: str) -> None:
    callback, close = _progress_callback(progress, label)
    try:
        _cocreate.execute(args, callback)
    finally:
        close()


def _scenario(scenario: Union[Scenario, PathLike]) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    return Scenario.load(scenario)


def _write(folder: Path, scenario: Scenario, index: int) -> str:
    """Writes a scenario as a file for the command, under its own name."""
    path = folder / f"{index:02d}-{scenario.name}.toml"
    path.write_text(scenario.to_toml())
    return os.fspath(path)


def _options(replications, seed, threads) -> List[str]:
    args = ["--quiet"]
    if replications is not None:
        args += ["--replications", str(int(replications))]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    if threads is not None:
        args += ["--threads", str(int(threads))]
    return args


def _folder(out: Path) -> Path:
    folders = [p for p in out.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise CocreateError(f"expected one result folder in {out}, found {len(folders)}")
    return folders[0]


def _command(
    command: str,
    scenarios: Sequence[Scenario],
    files: Sequence[PathLike],
    options: List[str],
    progress,
    result: type,
):
    with tempfile.TemporaryDirectory(prefix="cocreate-") as tmp:
        tmp_path = Path(tmp)
        inputs = tmp_path / "in"
        inputs.mkdir()
        out = tmp_path / "out"
        paths = [_write(inputs, s, k) for k, s in enumerate(scenarios)]
        paths += [os.fspath(Path(f).resolve()) for f in files]
        _execute([command, *paths, "--out", os.fspath(out), *options], progress, command)
        return result(_folder(out))


def run(
    scenario: Union[Scenario, PathLike],
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Union[bool, Callable[[int, int], Any]] = False,
) -> RunResult:
    """Runs a scenario's replications, as ``cocreate run`` does:
    ``replications`` and ``seed`` override the scenario's (``-r``,
    ``--seed``); ``threads`` sets the worker threads (results do not
    depend on it); ``progress`` shows a bar (tqdm if installed) or calls a
    function with (done, total)."""
    sc = _scenario(scenario)
    return _command("run", [sc], [], _options(replications, seed, threads), progress, RunResult)


def compare(
    base: Union[Scenario, PathLike],
    others: Iterable[Union[Scenario, PathLike]],
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[Sequence[int]] = None,
    progress: Union[bool, Callable[[int, int], Any]] = False,
) -> CompareResult:
    """Compares scenarios with ``base`` under common random numbers, as
    ``cocreate compare`` does: paired differences with their intervals.
    ``window=(first, last)`` also compares the step figures over those
    steps."""
    scenarios = [_scenario(base)] + [_scenario(o) for o in others]
    options = _options(replications, seed, threads)
    if window is not None:
        first, last = window
        options += ["--window", f"{int(first)}..{int(last)}"]
    return _command("compare", scenarios, [], options, progress, CompareResult)


def attribute(
    scenario: Union[Scenario, PathLike],
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Union[bool, Callable[[int, int], Any]] = False,
) -> AttributeResult:
    """Each inhibitor's share of the value lost (Shapley values) and the
    waterfall, as ``cocreate attribute`` does."""
    sc = _scenario(scenario)
    return _command(
        "attribute", [sc], [], _options(replications, seed, threads), progress, AttributeResult
    )


def sweep(
    file: PathLike,
    threads: Optional[int] = None,
    progress: Union[bool, Callable[[int, int], Any]] = False,
) -> SweepResult:
    """Runs a sweep file, as ``cocreate sweep`` does: its points, runs,
    summaries and sensitivity indices."""
    return _command("sweep", [], [file], _options(None, None, threads), progress, SweepResult)


def calibrate(
    file: PathLike,
    threads: Optional[int] = None,
    progress: Union[bool, Callable[[int, int], Any]] = False,
) -> CalibrationResult:
    """Fits a scenario to observed figures, as ``cocreate calibrate`` does
    (ABC-SMC): the posterior, its summary and the predictive check."""
    return _command(
        "calibrate", [], [file], _options(None, None, threads), progress, CalibrationResult
    )
