"""Measures cocreate end to end at 10^3 to 10^7 citizens, on one thread and
on all cores: citizen-steps per second and peak memory. Writes
docs/performance.csv and, if matplotlib is installed, docs/performance.png.

Usage (from the repository root, after `cargo build --release`):

    python3 benches/scaling.py [--binary target/release/cocreate] [--quick]

Each measurement is one `cocreate run` of the default scenario (60 steps)
with the population set by `--set population.citizens=N`, timed from
process start to exit, so it includes setup and writing the CSV files: the
throughput a user gets. Peak memory is the process's maximum resident set.
"""

import argparse
import csv
import os
import subprocess
import tempfile
import time

SIZES = [(1_000, 400), (10_000, 200), (100_000, 20), (1_000_000, 4), (10_000_000, 1)]


def measure(binary, citizens, replications, threads):
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", "-q", "-r", str(replications), "-j", str(threads),
               "--set", f"population.citizens={citizens}", "--out", out]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"{' '.join(cmd)} failed")
    steps = 60
    return {
        "citizens": citizens,
        "threads": threads,
        "replications": replications,
        "seconds": round(seconds, 3),
        "citizen_steps_per_second": round(citizens * steps * replications / seconds),
        "peak_memory_mb": round(usage.ru_maxrss / 1024, 1),
        "bytes_per_citizen": round(usage.ru_maxrss * 1024 / citizens, 1),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default="target/release/cocreate")
    ap.add_argument("--quick", action="store_true", help="fewer replications")
    ap.add_argument("--out", default="docs")
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    for citizens, replications in SIZES:
        if a.quick:
            replications = max(1, replications // 4)
        for threads in sorted({1, cores}):
            row = measure(a.binary, citizens, replications, threads)
            rows.append(row)
            print(f"{citizens:>10} citizens, {threads:>2} threads: "
                  f"{row['citizen_steps_per_second'] / 1e6:7.1f} million citizen-steps/s, "
                  f"peak {row['peak_memory_mb']:7.1f} MB", flush=True)
    path = os.path.join(a.out, "performance.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {path}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=150)
    colours = {1: "#0072B2", cores: "#D55E00"}
    markers = {1: "o", cores: "s"}
    for threads in sorted({1, cores}):
        pts = [r for r in rows if r["threads"] == threads]
        ax.plot([r["citizens"] for r in pts], [r["citizen_steps_per_second"] / 1e6 for r in pts],
                marker=markers[threads], color=colours[threads],
                label=f"{threads} thread{'s' if threads > 1 else ''}")
    ax.set_xscale("log")
    ax.set_xlabel("citizens per replication")
    ax.set_ylabel("million citizen-steps per second")
    ax.set_title("cocreate run, default scenario, 60 steps (end to end)")
    ax.set_ylim(bottom=0)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    png = os.path.join(a.out, "performance.png")
    fig.savefig(png)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
