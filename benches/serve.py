"""How fast `cocreate serve` answers (issue 12's targets).

Starts `cocreate serve` on a free port, posts the default scenario (the
baseline: 100 replications x 10,000 citizens) to /api/run, and times,
from sending the request:
- the first `partial` event (target: within 300 ms of pressing Run);
- the final `summary` event, and the last event (the waterfall's
  `figures`, after the waterfall against the inhibitor-free twin, which
  runs the replications again without inhibitors): target within 1.5 s on
  2 cores;
- cancellation: with both simulation places taken by long runs, the time
  from one client closing its connection (what Cancel in the page does)
  until the server takes a new simulation, that is until the cancelled
  one has stopped and given its place back (target: within 100 ms).

    cargo build --release
    python3 benches/serve.py [path/to/cocreate] [--runs 5] [--threads 2]

Prints each run's times and their medians.
"""

import argparse
import http.client
import socket
import statistics
import subprocess
import time


def one_run(port, body):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start = time.perf_counter()
    conn.request("POST", "/api/run", body=body)
    response = conn.getresponse()
    assert response.status == 200, response.read()
    first_partial = None
    summary = None
    event = None
    waterfall = False
    while True:
        line = response.fp.readline()
        if not line:
            break
        line = line.decode().strip()
        if line.startswith("event:"):
            event = line[6:].strip()
            now = time.perf_counter() - start
            if event == "partial" and first_partial is None:
                first_partial = now
            if event == "summary":
                summary = now
            if event == "waterfall":
                waterfall = True
            if event == "figures" and waterfall:
                conn.close()
                return first_partial, summary, now
    raise RuntimeError("no figures")


def cancellation(port, body):
    """Seconds from closing a long run's connection until a new run gets a
    place (both places were taken)."""
    long_body = body.encode()
    runs = []
    for _ in range(2):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /api/run?replications=100000 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n\r\n"
            % (port, len(long_body))
            + long_body
        )
        # running: its first progress event came
        seen = b""
        while b"event: progress" not in seen:
            seen += sock.recv(65536)
        assert seen.startswith(b"HTTP/1.1 200"), seen[:100]
        runs.append(sock)
    tiny = "[run]\nreplications = 1\nsteps = 1\n[population]\ncitizens = 10\n"
    probe = http.client.HTTPConnection("127.0.0.1", port)
    probe.request("POST", "/api/run", body=tiny)
    busy = probe.getresponse()
    assert busy.status == 429, busy.status
    busy.read()
    # what a browser does on Cancel: it closes the connection
    start = time.perf_counter()
    runs[0].close()
    while True:
        probe.request("POST", "/api/run", body=tiny)
        answer = probe.getresponse()
        if answer.status == 200:
            elapsed = time.perf_counter() - start
            answer.read()
            break
        answer.read()
        assert answer.status == 429, answer.status
    runs[1].close()
    probe.close()
    # the other long run stops too before the next measurement
    time.sleep(0.5)
    return elapsed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary", nargs="?", default="target/release/cocreate")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    server = subprocess.Popen(
        [a.binary, "serve", "--port", "0", "--threads", str(a.threads)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        port = int(line.split("127.0.0.1:")[1].split("/")[0])
        body = subprocess.run(
            [a.binary, "validate", "scenarios/baseline.toml"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        body = "\n".join(l for l in body.splitlines() if not l.startswith("#"))
        partials, summaries, totals = [], [], []
        for i in range(a.runs):
            partial, summary, total = one_run(port, body)
            partials.append(partial)
            summaries.append(summary)
            totals.append(total)
            print(
                f"run {i + 1}: first partial {partial * 1000:.0f} ms, "
                f"summary {summary:.3f} s, waterfall and figures {total:.3f} s"
            )
        cancels = [cancellation(port, body) for _ in range(a.runs)]
        print(
            "cancellation: "
            + ", ".join(f"{c * 1000:.0f} ms" for c in cancels)
        )
        print(
            f"median: first partial {statistics.median(partials) * 1000:.0f} ms (target 300 ms), "
            f"summary {statistics.median(summaries):.3f} s, everything {statistics.median(totals):.3f} s "
            f"(target 1.5 s), cancellation {statistics.median(cancels) * 1000:.0f} ms (target 100 ms) "
            f"on {a.threads} threads"
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
