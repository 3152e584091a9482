"""ABC-SMC of `cocreate calibrate` against pyabc's (0.13), on the same model.

Both calibrate the same two parameters of a small scenario against the same
observations, with the same method: uniform priors, the distance
sqrt(sum(((sim - obs) / sd)^2)), each tolerance the (unweighted) median of
the last generation's distances, a Gaussian kernel with twice the weighted
covariance, the same population size and number of tolerances. pyabc runs
the model by calling `cocreate run` once per particle (one replication,
its own seed), so the two differ only in their random numbers.

    pip install pyabc==0.13.0
    cargo build --release
    python3 benches/peers/abc.py [path/to/cocreate]

Prints each side's posterior mean and sd per parameter, and whether they
agree: means within half a posterior sd of each other, sds within a factor
of 1.5.

pyabc's generation 0 already uses a tolerance (the median distance of a
sample of the priors), where cocreate's generation 0 is the priors
themselves: pyabc's generation t matches cocreate's t + 1.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import pyabc

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/cocreate"
BASE = """name = "small"
[population]
citizens = 300
agencies = 10
[run]
steps = 20
"""
TRUTH = {"citizens.trust_mean": 0.45, "participation.intercept": -5.5}
PRIORS = {"citizens.trust_mean": (0.2, 0.9), "participation.intercept": (-8.0, -4.0)}
TARGETS = ["participation_rate", "final_mean_trust"]
PARTICLES = 200
GENERATIONS = 7  # cocreate's, generation 0 (the priors) included


def run(folder, sets, replications, seed, name):
    args = [BINARY, "run", "-q", "-r", str(replications), "--seed", str(seed)]
    args += ["--name", name, "--out", str(folder), str(folder / "base.toml")]
    for k, v in sets.items():
        args += ["--set", f"{k}={v!r}"]
    subprocess.run(args, check=True)
    return pd.read_csv(folder / name / "runs.csv")


def main():
    work = Path(tempfile.mkdtemp())
    (work / "base.toml").write_text(BASE)
    truth = run(work, TRUTH, 30, 1, "truth")
    observed = {t: (float(truth[t].mean()), float(truth[t].std())) for t in TARGETS}

    # cocreate
    text = f'name = "peer"\nscenario = "base.toml"\nparticles = {PARTICLES}\n'
    text += f"generations = {GENERATIONS}\nseed = 5\n[parameters]\n"
    for k, (lo, hi) in PRIORS.items():
        text += f'"{k}" = {{ min = {lo!r}, max = {hi!r} }}\n'
    text += "[targets]\n"
    for t, (v, sd) in observed.items():
        text += f"{t} = {{ value = {v!r}, sd = {sd!r} }}\n"
    (work / "peer.toml").write_text(text)
    subprocess.run(
        [BINARY, "calibrate", "-q", "--out", str(work), str(work / "peer.toml")],
        check=True,
    )
    ours = pd.read_csv(work / "peer" / "summary.csv").set_index("parameter")

    # pyabc, calling the binary for each particle
    counter = [0]

    def model(p):
        counter[0] += 1
        sets = {k: float(p[k.replace(".", "__")]) for k in PRIORS}
        folder = Path(tempfile.mkdtemp(dir=work))
        (folder / "base.toml").write_text(BASE)
        seed = int(np.random.randint(0, 2**62))
        runs = run(folder, sets, 1, seed, "p")
        return {t: float(runs[t].iloc[0]) for t in TARGETS}

    def distance(x, y):
        return float(
            np.sqrt(sum(((x[t] - y[t]) / observed[t][1]) ** 2 for t in TARGETS))
        )

    prior = pyabc.Distribution(
        **{
            k.replace(".", "__"): pyabc.RV("uniform", lo, hi - lo)
            for k, (lo, hi) in PRIORS.items()
        }
    )
    abc = pyabc.ABCSMC(
        model,
        prior,
        distance,
        population_size=PARTICLES,
        transitions=pyabc.MultivariateNormalTransition(
            scaling=2.0, bandwidth_selector=lambda n, d: 1.0
        ),
        eps=pyabc.MedianEpsilon(weighted=False),
        sampler=pyabc.sampler.MulticoreEvalParallelSampler(n_procs=os.cpu_count()),
    )
    abc.new("sqlite:///" + str(work / "abc.db"), {t: v for t, (v, _) in observed.items()})
    history = abc.run(max_nr_populations=GENERATIONS - 1)
    frame, w = history.get_distribution()

    agree = True
    print(f"{'parameter':<26}{'truth':>8}{'cocreate mean':>15}{'sd':>9}{'pyabc mean':>12}{'sd':>9}")
    for k in PRIORS:
        x = frame[k.replace(".", "__")].to_numpy()
        mean = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
        m, s = ours.loc[k, "mean"], ours.loc[k, "sd"]
        print(f"{k:<26}{TRUTH[k]:>8}{m:>15.4f}{s:>9.4f}{mean:>12.4f}{sd:>9.4f}")
        ok = abs(m - mean) <= 0.5 * max(s, sd) and max(s, sd) / min(s, sd) <= 1.5
        agree &= ok
    print("cocreate generations:")
    print(pd.read_csv(work / "peer" / "generations.csv").to_string(index=False))
    pops = history.get_all_populations()
    print("pyabc populations (t, epsilon, samples):")
    print(pops[["t", "epsilon", "samples"]].to_string(index=False))
    print("agree" if agree else "DISAGREE")
    sys.exit(0 if agree else 1)


if __name__ == "__main__":
    main()
