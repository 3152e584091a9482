"""A cocreate scenario as a model for the EMA Workbench.

    >>> from ema_workbench import perform_experiments
    >>> from ema_workbench.analysis import prim
    >>> import cocreate, cocreate.ema
    >>> model = cocreate.ema.model(
    ...     "trust", cocreate.load("scenarios/baseline.toml"),
    ...     uncertainties={"inhibitors.low_trust": (0, 1), "population.agencies": (10, 40)},
    ...     outcomes=["total_value_realized", "participation_rate"],
    ...     replications=10, seed=42)
    >>> experiments, outcomes = perform_experiments(model, 100)

Each experiment runs the scenario with its values (as ``--set`` would)
for ``replications`` replications under ``seed`` (the same for every
experiment: common random numbers), and returns each outcome's mean over
the replications. Install the EMA Workbench with
``pip install "./python[ema]"``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Tuple, Union

from . import Scenario, _cocreate, _scenario, parameters, run

__all__ = ["model"]


def model(
    name: str,
    scenario: Union[Scenario, str],
    uncertainties: Mapping[str, Tuple[float, float]],
    outcomes: Sequence[str],
    replications: int = 10,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
):
    """An EMA Workbench ``Model`` running ``scenario``.

    ``uncertainties`` maps cocreate keys (any ``--set`` key) to (low, high)
    ranges: an integer parameter (such as ``population.agencies``) becomes
    an ``IntegerParameter``, any other a ``RealParameter``. ``outcomes``
    names per-replication figures (columns of ``runs.csv``, such as
    ``total_value_realized``); each experiment returns their means over
    its replications. ``seed`` defaults to the scenario's.
    """
    try:
        from ema_workbench import IntegerParameter, Model, RealParameter, ScalarOutcome
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            'cocreate.ema needs the EMA Workbench: pip install "./python[ema]"'
        ) from e
    base = _scenario(scenario)
    integer = parameters().set_index("key")["integer"].to_dict()
    # check every key and range before any experiment runs
    for key, (low, high) in uncertainties.items():
        if not low < high:
            raise ValueError(f"uncertainty {key!r}: low ({low}) must be below high ({high})")
        base.with_values({key: low})
        base.with_values({key: high})
    figures = list(outcomes)
    known = _cocreate.run_figures()
    unknown = [f for f in figures if f not in known]
    if unknown:
        raise ValueError(
            f"outcomes {', '.join(map(repr, unknown))} are not figures of runs.csv; "
            f"allowed: {', '.join(known)}"
        )

    def function(**values: Any) -> dict:
        point = {k: (int(v) if integer.get(k, False) else float(v)) for k, v in values.items()}
        res = run(base.with_values(point), replications=replications, seed=seed, threads=threads)
        means = res.runs[figures].mean()
        return {f: float(means[f]) for f in figures}

    ema = Model(name, function=function)
    ema.uncertainties = [
        IntegerParameter(key, int(low), int(high))
        if integer.get(key, False)
        else RealParameter(key, float(low), float(high))
        for key, (low, high) in uncertainties.items()
    ]
    ema.outcomes = [ScalarOutcome(f) for f in figures]
    return ema
