"""The package's results equal the command line's files, bit for bit."""

import math
from pathlib import Path

import pandas as pd
import pytest

import cocreate
from conftest import same_tables

RUN_TABLES = ["runs", "steps", "summary", "groups", "kinds", "breakdown"]


def test_run_equals_the_cli(cli, small, tmp_path):
    res = cocreate.run(cocreate.load(small), replications=7, seed=11)
    cli("run", small, "-r", 7, "--seed", 11, "--out", tmp_path)
    same_tables(res, tmp_path / "small", RUN_TABLES)
    assert res.manifest["master_seed"] == 11
    assert res.manifest["replications"] == 7
    # the numbers are the file's exactly, as float64
    assert res.runs["total_value_realized"].dtype == "float64"
    # the figures the EMA adapter offers as outcomes are runs.csv's
    assert list(res.runs.columns) == ["scenario", "replication", "seed", *cocreate._cocreate.run_figures()]
    # saved, the CSV files are the CLI's byte for byte
    saved = res.save(tmp_path / "saved")
    for name in RUN_TABLES:
        assert (saved / f"{name}.csv").read_bytes() == (tmp_path / "small" / f"{name}.csv").read_bytes()


def test_with_values_is_set(cli, small, tmp_path):
    sc = cocreate.load(small).with_values({"inhibitors.low_trust": 0.8, "governance.legal_level": 0.5})
    assert sc.name == "small+low_trust=0.8+legal_level=0.5"
    res = cocreate.run(sc, replications=5, seed=3)
    cli(
        "run", small, "-r", 5, "--seed", 3, "--out", tmp_path,
        "--set", "inhibitors.low_trust=0.8", "--set", "governance.legal_level=0.5",
    )
    same_tables(res, tmp_path / sc.name, RUN_TABLES)


def test_compare_equals_the_cli(cli, small, tmp_path):
    base = cocreate.load(small)
    reform = base.with_values({"governance.legal_level": 1.0})
    res = cocreate.compare(base, [reform], replications=6, seed=5, window=(3, 8))
    reform_file = tmp_path / "reform.toml"
    reform_file.write_text(reform.to_toml())
    cli("compare", small, reform_file, "-r", 6, "--seed", 5, "--window", "3..8", "--out", tmp_path)
    same_tables(res, tmp_path / "small-compare", ["comparison", "series", "breakdown", "window"])


def test_attribute_equals_the_cli(cli, small, tmp_path):
    res = cocreate.attribute(small, replications=4, seed=2)
    cli("attribute", small, "-r", 4, "--seed", 2, "--out", tmp_path)
    folder = tmp_path / "small-attribution"
    names = [p.stem for p in folder.glob("*.csv")]
    assert "attribution" in names and "waterfall" in names
    same_tables(res, folder, names)


def test_sweep_equals_the_cli(cli, small, tmp_path):
    sweep = tmp_path / "grid.toml"
    sweep.write_text(
        'name = "grid"\nscenario = "small.toml"\ndesign = "grid"\nreplications = 3\nseed = 7\n'
        '[factors]\n"governance.legal_level" = { min = 0.3, max = 0.9, steps = 3 }\n'
        '"population.citizens" = { values = [300, 600] }\n'
    )
    res = cocreate.sweep(sweep)
    cli("sweep", sweep, "--out", tmp_path / "cli")
    folder = tmp_path / "cli" / "grid"
    names = [p.stem for p in folder.glob("*.csv")]
    assert {"points", "runs", "summary"} <= set(names)
    same_tables(res, folder, names)
    assert len(res.points) == 6


def test_threads_do_not_change_the_numbers(small):
    one = cocreate.run(small, replications=6, seed=9, threads=1)
    two = cocreate.run(small, replications=6, seed=9, threads=2)
    for name in RUN_TABLES:
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), check_exact=True)


def test_progress_reaches_the_total(small):
    seen = []
    cocreate.run(small, replications=8, seed=1, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (8, 8)


def test_an_exception_in_the_callback_stops_the_run_and_is_raised(small):
    class Enough(Exception):
        pass

    def stop(done, total):
        raise Enough(f"{done} of {total}")

    with pytest.raises(Enough):
        cocreate.run(small, replications=400, seed=1, progress=stop)
    # nothing is left running: the next run works and is the usual one
    again = cocreate.run(small, replications=3, seed=1)
    assert len(again.runs) == 3


def test_calibrate_equals_the_cli(cli, tmp_path):
    (tmp_path / "base.toml").write_text("[population]\ncitizens = 300\n[run]\nsteps = 12\n")
    file = tmp_path / "fit.toml"
    file.write_text(
        'name = "fit"\nscenario = "base.toml"\nparticles = 30\ngenerations = 2\nreplications = 1\nseed = 3\n'
        '[parameters]\n"citizens.trust_mean" = { min = 0.3, max = 0.8 }\n'
        "[targets]\nfinal_mean_trust = { value = 0.55, sd = 0.02 }\n"
    )
    res = cocreate.calibrate(file)
    cli("calibrate", file, "--out", tmp_path / "cli")
    folder = tmp_path / "cli" / res.name
    same_tables(res, folder, ["posterior", "generations", "summary", "predictive"])
    # the scenario at the posterior means, as the file beside them says
    assert res.scenario == cocreate.load(folder / "scenario.toml")


def test_progress_true_draws_a_bar_or_a_line(small, capsys, monkeypatch):
    pytest.importorskip("tqdm")
    cocreate.run(small, replications=5, seed=1, progress=True)
    assert "5/5" in capsys.readouterr().err
    # without tqdm: a line of text
    monkeypatch.setitem(__import__("sys").modules, "tqdm.auto", None)
    cocreate.run(small, replications=4, seed=1, progress=True)
    assert "cocreate run: 4/4" in capsys.readouterr().err
