"""Runs PVC-1 in Mesa and in cocreate on the same scenario, prints the speed
ratio, and checks that the two agree statistically on the key figures.

Usage (from the repository root):

    python3 -m venv .venv-peers && .venv-peers/bin/pip install -r benches/peers/requirements.txt
    cargo build --release
    .venv-peers/bin/python benches/peers/compare.py [SCENARIO.toml] [--citizens N]
        [--replications R] [--mesa-replications R] [--seed S]

The scenario defaults to scenarios/baseline.toml. cocreate resolves it
(`cocreate validate`), so both implementations run exactly the same
parameters. Both run on one thread. The exit status is 1 if a key figure
disagrees (Welch z beyond 4), so the script can guard against divergence.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesa_pvc1  # noqa: E402

KEY_FIGURES = [
    "participation_rate",
    "service_rate",
    "total_value_realized",
    "realization_ratio",
    "public_value",
    "final_mean_trust",
    "trust_change",
    "gini",
]


def resolved(binary, scenario, citizens):
    out = subprocess.run([binary, "validate", scenario], check=True, capture_output=True, text=True)
    doc = tomllib.loads(out.stdout)
    doc["population"]["citizens"] = citizens
    params = {k: v for k, v in doc.items() if isinstance(v, dict) and k != "inhibitors"}
    return params, doc.get("inhibitors", {}), doc.get("interventions", [])


def run_cocreate(binary, scenario, citizens, replications, seed):
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", scenario, "-q", "-j", "1", "-r", str(replications), "--seed", str(seed),
               "--set", f"population.citizens={citizens}", "--out", out]
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        seconds = time.perf_counter() - start
        name = os.listdir(out)[0]
        with open(os.path.join(out, name, "runs.csv")) as f:
            header = f.readline().strip().split(",")
            rows = [dict(zip(header, line.strip().split(","))) for line in f]
    return seconds, [{k: float(r[k]) for k in KEY_FIGURES} for r in rows]


def mean_sd(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", nargs="?", default="scenarios/baseline.toml")
    ap.add_argument("--citizens", type=int, default=2000)
    ap.add_argument("--replications", type=int, default=200, help="cocreate replications")
    ap.add_argument("--mesa-replications", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default="target/release/cocreate")
    a = ap.parse_args()

    params, inhibitors, interventions = resolved(a.binary, a.scenario, a.citizens)
    steps = params["run"]["steps"]
    print(f"scenario {a.scenario}: {a.citizens} citizens, {steps} steps")

    start = time.perf_counter()
    mesa_runs = [mesa_pvc1.run(params, inhibitors, interventions, a.seed * 1000 + r)
                 for r in range(a.mesa_replications)]
    mesa_seconds = time.perf_counter() - start
    co_seconds, co_runs = run_cocreate(a.binary, a.scenario, a.citizens, a.replications, a.seed)

    work_mesa = a.citizens * steps * a.mesa_replications
    work_co = a.citizens * steps * a.replications
    mesa_rate = work_mesa / mesa_seconds
    co_rate = work_co / co_seconds
    print(f"Mesa {mesa_pvc1.mesa.__version__}: {a.mesa_replications} replications in {mesa_seconds:.1f} s, "
          f"{mesa_rate / 1e6:.3f} million citizen-steps/s")
    print(f"cocreate: {a.replications} replications in {co_seconds:.2f} s (process start and CSV output included), "
          f"{co_rate / 1e6:.1f} million citizen-steps/s")
    print(f"ratio: cocreate is {co_rate / mesa_rate:,.0f} times faster on one thread\n")

    print(f"{'figure':<22} {'Mesa mean':>12} {'cocreate mean':>14} {'z':>7}  agree")
    failed = False
    for f in KEY_FIGURES:
        m1, s1 = mean_sd([r[f] for r in mesa_runs])
        m2, s2 = mean_sd([r[f] for r in co_runs])
        se = math.sqrt(s1 ** 2 / len(mesa_runs) + s2 ** 2 / len(co_runs))
        z = (m1 - m2) / se if se > 0 else (0.0 if m1 == m2 else math.inf)
        ok = abs(z) < 4
        failed |= not ok
        print(f"{f:<22} {m1:>12.5g} {m2:>14.5g} {z:>7.2f}  {'yes' if ok else 'NO'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
