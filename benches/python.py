"""What the Python package costs beyond the command line (issue 13's
targets), on a release build of both:

- `cocreate.run` of the default scenario (the baseline: 100 replications
  of 10,000 citizens), DataFrames included, against `cocreate run` of the
  same file (target: at most 5% more);
- `cocreate.sweep` of a 10,000-point Latin hypercube (one replication of
  200 citizens over 12 steps each), DataFrames included, against
  `cocreate sweep` of the same file, and apart the time to read the
  sweep's files into DataFrames, which is what the package adds (target:
  under 1 s beyond the simulation).

    cargo build --release && pip install ./python
    python3 benches/python.py [path/to/cocreate] [--rounds 5] [--run-rounds 15]

The two sides alternate, run by run and then sweep by sweep; prints each
time and the medians.
"""

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import cocreate

ROOT = Path(__file__).resolve().parents[1]

SWEEP = """name = "python-bench"
scenario = "{scenario}"
design = "lhs"
samples = 10000
replications = 1
seed = 5
[factors]
"inhibitors.low_trust" = {{ min = 0.0, max = 1.0 }}
"inhibitors.missing_legal_framework" = {{ min = 0.0, max = 1.0 }}
"governance.feedback" = {{ min = 0.0, max = 1.0 }}
"""


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary", nargs="?", default=str(ROOT / "target" / "release" / "cocreate"))
    p.add_argument("--rounds", type=int, default=5, help="sweeps on each side")
    p.add_argument("--run-rounds", type=int, default=15, help="runs on each side")
    a = p.parse_args()
    baseline = ROOT / "scenarios" / "baseline.toml"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small = tmp / "small.toml"
        small.write_text("[population]\ncitizens = 200\n[run]\nsteps = 12\n")
        sweep = tmp / "sweep.toml"
        sweep.write_text(SWEEP.format(scenario=small.as_posix()))
        cli = lambda *args: subprocess.run(  # noqa: E731
            [a.binary, *map(str, args), "--quiet"], check=True
        )
        scenario = cocreate.load(baseline)
        # warm up both (page cache, first allocation)
        cli("run", baseline, "--out", tmp / "warm")
        cocreate.run(scenario)
        runs = {"cli": [], "python": []}
        sweeps = {"cli": [], "python": []}
        frames = []
        # the runs first, alternating, apart from the sweeps: a sweep's
        # many small files keep the disk busy for a while after it ends
        for k in range(a.run_rounds):
            runs["cli"].append(timed(lambda: cli("run", baseline, "--out", tmp / f"cli{k}")))
            runs["python"].append(timed(lambda: cocreate.run(scenario)))
            print(f"run {k + 1}: cli {runs['cli'][-1]:.3f} s, python {runs['python'][-1]:.3f} s")
        for k in range(a.rounds):
            sweeps["cli"].append(timed(lambda: cli("sweep", sweep, "--out", tmp / f"sweep{k}")))
            sweeps["python"].append(timed(lambda: cocreate.sweep(sweep)))
            # what the package adds to the simulation: the CLI's files read
            # into DataFrames (the sweep times themselves vary by seconds)
            frames.append(timed(lambda: cocreate.SweepResult(tmp / f"sweep{k}" / "python-bench")))
            print(
                f"sweep {k + 1}: cli {sweeps['cli'][-1]:.3f} s, python {sweeps['python'][-1]:.3f} s, "
                f"its files into DataFrames {frames[-1]:.3f} s"
            )
    run_cli, run_py = statistics.median(runs["cli"]), statistics.median(runs["python"])
    sweep_cli, sweep_py = statistics.median(sweeps["cli"]), statistics.median(sweeps["python"])
    print(
        f"median: run cli {run_cli:.3f} s, python {run_py:.3f} s ({100 * (run_py / run_cli - 1):+.1f}%, target +5%); "
        f"sweep of 10,000 points cli {sweep_cli:.3f} s, python {sweep_py:.3f} s "
        f"({sweep_py - sweep_cli:+.3f} s); its files into DataFrames {statistics.median(frames):.3f} s "
        f"(target: under 1 s beyond the simulation)"
    )


if __name__ == "__main__":
    main()
