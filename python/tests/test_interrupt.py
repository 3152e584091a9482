"""Ctrl-C raises KeyboardInterrupt within a fraction of a second and leaves
nothing running."""

import signal
import subprocess
import sys
import time

SCRIPT = r"""
import signal, sys, time, cocreate
# as in a terminal: Python raises KeyboardInterrupt on SIGINT. (A process
# started in the background by a shell without job control, such as a CI
# script's `cmd &`, inherits SIGINT ignored, and Python then keeps it so.)
signal.signal(signal.SIGINT, signal.default_int_handler)
sc = cocreate.Scenario.from_toml("[population]\ncitizens = 20000\n")
print("running", flush=True)
try:
    cocreate.run(sc, replications=100000)
except KeyboardInterrupt:
    stopped = time.time()
    # nothing keeps running: no CPU time is spent after the exception
    cpu = time.process_time()
    time.sleep(0.5)
    print("interrupted", stopped, time.process_time() - cpu, flush=True)
    # and the next run works
    res = cocreate.run(cocreate.Scenario.from_toml("[population]\ncitizens = 200\n"), replications=2)
    print("again", len(res.runs), flush=True)
    sys.exit(0)
sys.exit(3)
"""


def test_ctrl_c_raises_keyboard_interrupt_and_stops_the_run():
    child = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "running"
        time.sleep(1.0)
        sent = time.time()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        # a failure here must not leave the 100,000-replication run going
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    stopped, cpu = map(float, lines["interrupted"].split())
    assert stopped - sent < 1.0, f"KeyboardInterrupt came {stopped - sent:.3f} s after Ctrl-C"
    assert cpu < 0.1, f"{cpu:.3f} s of CPU after the interrupt"
    assert lines["again"] == "2"
