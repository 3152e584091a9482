"""A result's CSV files become the DataFrames pandas would read from them:
the same columns, the same types, the same numbers to the last bit."""

import pandas as pd
import pytest

import cocreate
from cocreate import _table
from conftest import read_csv

# every kind of column the commands write, and the cases at their edges
TABLE = (
    "point,seed,name,mean,sd,flag,note,big\n"
    '0,18446744073709551615,urban,0.1,,true,"a, quoted ""note""",-9223372036854775808\n'
    "1,1,Zürich,1e-300,NaN,False,,9223372036854775807\n"
    "2,17,rural,-2.5000000000000004,inf,TRUE,plain,0\n"
)


def test_a_table_is_what_pandas_reads(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text(TABLE, encoding="utf-8")
    got = _table(path)
    expected = read_csv(path)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["seed"].dtype == "uint64"
    assert got["big"].dtype == "int64"
    assert got["flag"].dtype == "bool"
    assert got["sd"].isna().tolist() == [True, True, False]
    assert got["note"][0] == 'a, quoted "note"'
    assert pd.isna(got["note"][1])


def test_an_empty_table_keeps_its_columns(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("point,mean\n")
    got = _table(path)
    assert list(got.columns) == ["point", "mean"]
    assert len(got) == 0


def test_a_cell_that_is_not_utf8_is_text(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,n\nZ\xfcrich,1\nBern,2\n".encode("latin-1"))
    got = _table(path)
    assert got["name"].tolist() == ["Z\ufffdrich", "Bern"]
    assert got["n"].tolist() == [1, 2]


def test_a_ragged_table_names_the_file(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(cocreate.CocreateError, match="ragged.csv"):
        _table(path)
