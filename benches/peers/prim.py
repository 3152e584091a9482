"""PRIM of `cocreate discover` against the EMA Workbench's (2.5.3).

Runs both on the same finished sweep and compares the chosen box: the box
of highest coverage whose density is at least the threshold, on the
peeling trajectory, with the original objective and the same alphas.

    pip install "ema_workbench==2.5.3"
    cocreate sweep SWEEP.toml --out DIR
    python3 benches/peers/prim.py DIR/<sweep> total_value_realized below 30

Prints each side's chosen box (restricted factors, coverage, density) and
whether they agree: the same restricted factors, coverage and density
within 0.05 (issue 11's criterion).
"""

import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from ema_workbench.analysis import prim


def ema_box(x, cases, threshold, alpha, mass_min):
    p = prim.Prim(
        x,
        cases,
        threshold=threshold,
        peel_alpha=alpha,
        paste_alpha=alpha,
        mass_min=mass_min,
        threshold_type=prim.ABOVE,
        obj_function=prim.PRIMObjectiveFunctions.ORIGINAL,
    )
    box = p.find_box()
    t = box.peeling_trajectory
    dense = t[t.density >= threshold]
    if dense.empty:
        return None, float("nan"), float("nan")
    i = int(dense.coverage.idxmax())
    lims = box.box_lims[i]
    init = box.box_lims[0]
    restricted = sorted(c for c in x.columns if (lims[c] != init[c]).any())
    # the limits and quasi-p-values of the chosen box, by factor
    table = box.inspect(i, style="data")[0][1]
    details = {
        f: (table.iloc[k, 0], table.iloc[k, 1], table.iloc[k, 2], table.iloc[k, 3])
        for k, f in enumerate(table.index)
    }
    ema_box.details = details
    return restricted, float(t.coverage[i]), float(t.density[i])


def main():
    folder, metric, side, value = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    threshold, alpha, mass_min = 0.8, 0.05, 0.05
    # integer factors are peeled like real ones, by both (the EMA
    # Workbench 2.5.3's integer pasting fails under pandas 3: it writes a
    # quantile such as 9.5 into an int64 column)
    points = pd.read_csv(Path(folder) / "points.csv").set_index("point").astype(float)
    summary = pd.read_csv(Path(folder) / "summary.csv")
    means = summary[summary.metric == metric].set_index("point")["mean"].sort_index()
    cases = (means < value) if side == "below" else (means > value)
    restricted, coverage, density = ema_box(points, cases.values.astype(int), threshold, alpha, mass_min)
    print(f"EMA Workbench: {restricted}, coverage {coverage:.3f}, density {density:.3f}")

    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["cocreate", "discover", folder, "--metric", metric, f"--{side}", str(value),
             "--out", out, "--quiet"],
            check=True,
        )
        d = Path(tempfile.mkdtemp())
        found = next(Path(out).glob("*-discovery"))
        for name in ("trajectory.csv", "boxes.csv"):
            (d / name).write_bytes((found / name).read_bytes())
        rows = list(csv.DictReader(open(d / "trajectory.csv")))
        chosen = next((r for r in rows if r["box"] == "1" and r["chosen"] == "true"), None)
    if chosen is None or restricted is None:
        print(f"cocreate: {'no box' if chosen is None else 'a box'}; EMA Workbench: {'no box' if restricted is None else 'a box'}")
        sys.exit(0 if chosen is None and restricted is None else 1)
    ours = sorted(chosen["restricted"].split()), float(chosen["coverage"]), float(chosen["density"])
    print(f"cocreate:      {ours[0]}, coverage {ours[1]:.3f}, density {ours[2]:.3f}")
    agree = ours[0] == restricted and abs(ours[1] - coverage) <= 0.05 and abs(ours[2] - density) <= 0.05
    # the limits and quasi-p-values, factor by factor (NaN where a side is
    # not restricted)
    with open(d / "boxes.csv") as f:
        for r in csv.DictReader(f):
            if r["box"] != "1":
                continue
            mine = [float(r[k]) for k in ("low", "high", "qp_low", "qp_high")]
            theirs = [float(v) for v in ema_box.details.get(r["factor"], [np.nan] * 4)]
            same = all((np.isnan(a) and np.isnan(b)) or abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(mine, theirs))
            print(f"  {r['factor']}: limits and quasi-p-values {'equal' if same else 'DIFFER'} {mine} {theirs}")
    print("agree" if agree else "DIFFER")
    sys.exit(0 if agree else 1)


if __name__ == "__main__":
    main()
