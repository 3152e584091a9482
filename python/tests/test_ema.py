"""The EMA Workbench adapter: perform_experiments and PRIM work unchanged."""

import numpy as np
import pytest

import cocreate

ema_workbench = pytest.importorskip("ema_workbench")


def test_experiments_are_cocreate_runs_at_their_points():
    from cocreate.ema import model

    sc = cocreate.Scenario.from_toml("[population]\ncitizens = 500\n[run]\nsteps = 12\n")
    figures = ["total_value_realized", "participation_rate"]
    m = model(
        "trust",
        sc,
        {"inhibitors.low_trust": (0.0, 1.0), "population.agencies": (10, 40)},
        figures,
        replications=3,
        seed=4,
    )
    np.random.seed(3)  # the EMA Workbench samples with numpy's global generator
    experiments, outcomes = ema_workbench.perform_experiments(m, 20)
    assert len(experiments) == 20
    assert all(len(outcomes[f]) == 20 for f in figures)
    # integer keys stay integer
    assert experiments["population.agencies"].dtype.kind == "i"
    for row in (0, 7, 19):
        point = {
            "inhibitors.low_trust": float(experiments["inhibitors.low_trust"][row]),
            "population.agencies": int(experiments["population.agencies"][row]),
        }
        runs = cocreate.run(sc.with_values(point), replications=3, seed=4).runs
        for f in figures:
            assert outcomes[f][row] == runs[f].mean()
    # PRIM on them, unchanged
    from ema_workbench.analysis import prim

    y = outcomes["total_value_realized"] > np.median(outcomes["total_value_realized"])
    # as floats: PRIM's pasting of integer columns fails under pandas 3
    # (EMA Workbench 2.5.3)
    x = experiments[list(m.uncertainties.keys())].astype(float)
    box = prim.Prim(x, y, threshold=0.6).find_box()
    assert len(box.peeling_trajectory) > 1


def test_bad_uncertainties_are_refused_before_any_experiment():
    from cocreate.ema import model

    sc = cocreate.Scenario.from_toml("")
    with pytest.raises(cocreate.ScenarioError, match="unknown"):
        model("x", sc, {"inhibitors.low_trus": (0, 1)}, ["gini"])
    with pytest.raises(cocreate.ScenarioError, match="out of range"):
        model("x", sc, {"governance.legal_level": (0, 2)}, ["gini"])
    with pytest.raises(ValueError, match="low .* must be below high"):
        model("x", sc, {"governance.legal_level": (0.5, 0.5)}, ["gini"])
    with pytest.raises(ValueError, match="'ginni' are not figures of runs.csv; allowed: total_value_realized"):
        model("x", sc, {"governance.legal_level": (0, 1)}, ["ginni"])
