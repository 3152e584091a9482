"""Scenarios: loading, changing, writing back, and the errors on the way."""

import numpy as np
import pytest

import cocreate


def test_errors_carry_the_cli_s_message(tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text("[citizens]\ntrust_men = 0.3\n")
    with pytest.raises(cocreate.ScenarioError) as raised:
        cocreate.load(bad)
    done = cli("validate", bad, check=False, quiet=False)
    assert done.returncode == 2
    assert str(raised.value) in done.stderr
    assert f"{bad}:2:1" in str(raised.value) and "did you mean `trust_mean`?" in str(raised.value)
    with pytest.raises(cocreate.ScenarioError, match="out of range"):
        cocreate.Scenario.from_toml("").with_values({"governance.legal_level": 1.5})
    with pytest.raises(cocreate.ScenarioError, match="unknown key"):
        cocreate.Scenario.from_dict({"citizens": {"trust_men": 0.3}})
    with pytest.raises(cocreate.ScenarioError, match="governance.legal_level"):
        cocreate.Scenario.from_toml("").with_values({"governance.legal_level": "high"})
    with pytest.raises(cocreate.ScenarioError, match="population.citizens"):
        cocreate.Scenario.from_toml("").with_values({"population.citizens": 2.5})


def test_too_large_is_refused_up_front():
    huge = cocreate.Scenario.from_toml("[population]\ncitizens = 3000000000\n")
    with pytest.raises(cocreate.ScenarioError, match="memory"):
        cocreate.run(huge, replications=1)


def test_round_trips(small):
    sc = cocreate.load(small)
    assert cocreate.Scenario.from_toml(sc.to_toml()) == sc
    assert cocreate.Scenario.from_dict(sc.to_dict()) == sc
    changed = sc.with_values({"inhibitors.low_trust": 0.25})
    assert changed.to_dict()["inhibitors"]["low_trust"] == {"intensity": 0.25, "groups": ["rural"]}
    assert changed != sc
    built = cocreate.Scenario.from_dict({"name": "mine", "run": {"steps": 24}, "inhibitors": {"no_feedback": 0.5}})
    assert built.name == "mine"
    assert built.to_dict()["run"]["steps"] == 24


def test_parameters_list_every_key():
    table = cocreate.parameters()
    assert "governance.legal_level" in set(table["key"])
    assert bool(table.set_index("key").loc["population.citizens", "integer"])


def test_numpy_values_are_set_as_python_ones():
    sc = cocreate.Scenario.from_toml("")
    plain = sc.with_values({"inhibitors.low_trust": 0.1, "population.agencies": 12})
    numpy = sc.with_values({"inhibitors.low_trust": np.float64(0.1), "population.agencies": np.int64(12)})
    assert numpy == plain
    assert numpy.name == plain.name == "scenario+low_trust=0.1+agencies=12"
    # a float32 is set at its exact value, as float() gives it
    assert sc.with_values({"inhibitors.low_trust": np.float32(0.1)}).name == f"scenario+low_trust={float(np.float32(0.1))!r}"
