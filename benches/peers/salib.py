"""Checks cocreate's Sobol indices against SALib's on the same design.

Usage (from the repository root):

    python3 -m venv .venv-peers && .venv-peers/bin/pip install SALib pandas
    cocreate sweep scenarios/sweeps/inhibitors-sobol.toml --out results
    .venv-peers/bin/python benches/peers/salib.py results/inhibitors-sobol [--metric NAME]

The sweep's point means (summary.csv) are put in SALib's order (for each
base sample: A, AB_1 ... AB_k, B) and analysed by `SALib.analyze.sobol`
(first and total order, 500 resamples). Both centre the output on its mean
over the whole design and use the same estimators (Saltelli et al. 2010 for
S1, Jansen 1999 for ST); SALib divides by the population variance of A and
B (ddof 0) and cocreate by the sample variance (ddof 1), so the point
estimates agree up to the factor 2n / (2n - 1). The intervals differ in kind:
SALib's are normal approximations (1.96 times the bootstrap standard
deviation), cocreate's the bootstrap percentiles, so their widths agree
only roughly. The exit status is 1 if a point estimate differs by more than
that factor allows, or an interval's width by more than a third.
"""

import argparse
import csv
import json
import os
import sys

import numpy as np
from SALib.analyze import sobol


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", help="a finished sobol sweep's folder")
    ap.add_argument("--metric", default=None, help="one figure (default: every figure)")
    args = ap.parse_args()

    manifest = json.load(open(os.path.join(args.folder, "manifest.json")))
    sweep = manifest["sweep"]
    if sweep["design"] != "sobol":
        sys.exit(f"{args.folder}: design {sweep['design']!r}, not sobol")
    factors, n = sweep["factors"], sweep["samples"]
    k = len(factors)
    means = {}
    for row in read_csv(os.path.join(args.folder, "summary.csv")):
        means.setdefault(row["metric"], {})[int(row["point"])] = float(row["mean"])
    ours = {}
    for row in read_csv(os.path.join(args.folder, "sensitivity.csv")):
        ours[(row["metric"], row["factor"])] = row

    problem = {"num_vars": k, "names": factors, "bounds": [[0.0, 1.0]] * k}
    metrics = [args.metric] if args.metric else list(means)
    failed = False
    worst = (0.0, 0.0)
    print(f"{'metric':<28} {'factor':<36} {'S1 cocreate':>12} {'S1 SALib':>10} {'ST cocreate':>12} {'ST SALib':>10} {'width S1':>9} {'width ST':>9}")
    for metric in metrics:
        m = means[metric]
        y = np.array([m[p] for p in range(n * (k + 2))])
        a, b = y[:n], y[n : 2 * n]
        ab = [y[(2 + j) * n : (3 + j) * n] for j in range(k)]
        if np.var(np.r_[a, b]) == 0:
            continue  # a constant figure: both give 0 (SALib divides by zero)
        # SALib's order for calc_second_order=False: A, AB_1..AB_k, B per sample
        ordered = np.column_stack([a] + ab + [b]).reshape(-1)
        s = sobol.analyze(problem, ordered, calc_second_order=False,
                          num_resamples=500, conf_level=0.95, seed=1)
        factor = (2 * n) / (2 * n - 1)
        for j, name in enumerate(factors):
            row = ours[(metric, name)]
            s1, st = float(row["s1"]), float(row["st"])
            # cocreate's estimate times 2n / (2n - 1) is SALib's
            d1 = abs(s1 * factor - s["S1"][j])
            dt = abs(st * factor - s["ST"][j])
            worst = (max(worst[0], d1), max(worst[1], dt))
            w1 = (float(row["s1_ci95_high"]) - float(row["s1_ci95_low"])) / (2 * s["S1_conf"][j]) if s["S1_conf"][j] > 0 else 1.0
            wt = (float(row["st_ci95_high"]) - float(row["st_ci95_low"])) / (2 * s["ST_conf"][j]) if s["ST_conf"][j] > 0 else 1.0
            bad = d1 > 1e-9 or dt > 1e-9 or not (2 / 3 < w1 < 3 / 2) or not (2 / 3 < wt < 3 / 2)
            failed |= bad
            print(f"{metric:<28} {name:<36} {s1:>12.4f} {s['S1'][j]:>10.4f} {st:>12.4f} {s['ST'][j]:>10.4f} {w1:>9.2f} {wt:>9.2f}{'  <-- differs' if bad else ''}")
    print(f"largest difference of the point estimates (after the ddof factor): S1 {worst[0]:.2e}, ST {worst[1]:.2e}")
    print("width S1/ST: cocreate's interval width over SALib's (1 = same)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
