"""Shared fixtures: the command line to compare with, and small scenarios."""

import os
import subprocess
import warnings
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary() -> str:
    given = os.environ.get("COCREATE_BIN")
    if given:
        return given
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "cocreate"
        if path.is_file():
            return str(path)
    pytest.skip("no cocreate binary: run `cargo build --release` or set COCREATE_BIN")


@pytest.fixture(scope="session")
def cli():
    """Runs the command line; returns its completed process."""
    binary = _binary()

    def call(*args, check=True, quiet=True):
        done = subprocess.run(
            [binary, *map(str, args), *(["--quiet"] if quiet else [])],
            capture_output=True,
            text=True,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"cocreate {' '.join(map(str, args))}: {done.stderr}")
        return done

    return call


@pytest.fixture
def small(tmp_path):
    """A small scenario file with groups, kinds and a targeted inhibitor."""
    text = """name = "small"
[run]
steps = 12
[population]
citizens = 900
[[citizens.groups]]
name = "urban"
share = 0.7
[[citizens.groups]]
name = "rural"
share = 0.3
excluded_share = 0.3
[[agencies.kinds]]
name = "local"
count = 15
legal_level = 0.4
[[agencies.kinds]]
name = "national"
count = 5
[inhibitors]
low_trust = { intensity = 0.5, groups = ["rural"] }
missing_legal_framework = 0.3
"""
    path = tmp_path / "small.toml"
    path.write_text(text)
    return path


def read_csv(path) -> pd.DataFrame:
    """A CSV file as pandas reads it, numbers exactly (pandas 3 reads
    them exactly by default and deprecates the argument)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.read_csv(path, float_precision="round_trip")


def same_tables(result, folder: Path, names) -> None:
    """Each named table of a result equals the CLI's file, value for value."""
    for name in names:
        expected = read_csv(folder / f"{name}.csv")
        got = getattr(result, name)
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), expected, check_dtype=False, check_exact=True, obj=name
        )
