"""Nothing outlives gen-traces, however it ends: SIGKILL, SIGTERM or SIGINT of the parent.

A real `gen-traces --domain code --workers 2` runs under a small harness that makes itself
the child subreaper (PR_SET_CHILD_SUBREAPER), so every process gen-traces started is
re-parented to the harness when its parent dies instead of vanishing into init: the
harness waits until both pipeline workers and their four sandbox workers are up, sends
the signal to gen-traces only, and then lists what is left of its descendants. Temp dirs:
the run gets a TMPDIR of its own, which the sandbox pools hand on to their workers (the
only place a blueberry-sandbox-* dir can be made, when no private /tmp can be mounted),
and it must be empty afterwards; /tmp itself is shared with other runs on the machine.
Docker: the containers seen during the run must be gone too. Docker tests never skip.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETTLE_S = 5.0  # "a few seconds" after the signal
# The docker pool's reaper looks up to three times over 3 s after its pool's process dies,
# each look a docker client import or call: on a loaded machine (CI saw it) that passes 5 s.
DOCKER_SETTLE_S = 10.0

HARNESS = r"""
import ctypes, json, os, signal, subprocess, sys, time

ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
argv, sig, backend, settle, log = json.loads(sys.argv[1])
me = os.getpid()
old = set()
if backend == 'docker':
    import docker
    client = docker.from_env()

def containers():
    if backend != 'docker':
        return set()
    # The low-level list: the high-level one inspects each container and races removals.
    found = client.api.containers(all=True, filters={'label': 'blueberry.sandbox=1'})
    return {c['Id'] for c in found} - old

old = containers()  # other runs' containers, if any, are not this run's

def descendants():
    parents = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                stat = open(f'/proc/{name}/stat').read()
                cmd = open(f'/proc/{name}/cmdline', 'rb').read().replace(b'\0', b' ').decode()
            except OSError:
                continue
            fields = stat[stat.rindex(')') + 2:].split()
            if fields[0] != 'Z':
                parents[int(name)] = (int(fields[1]), cmd)
    found, frontier = {}, {me}
    while frontier:
        frontier = {p for p, (pp, _) in parents.items() if pp in frontier and p not in found}
        found.update({p: parents[p][1] for p in frontier})
    return found

def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return

# A shell's background job starts with SIGINT ignored, and a child keeps that: give the
# command the default, as a terminal's Ctrl-C would find it.
signal.signal(signal.SIGINT, signal.SIG_DFL)
with open(log, 'w') as err:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
started, before, boxes = time.monotonic(), {}, set()
while time.monotonic() - started < 120 and proc.poll() is None:
    before, boxes = descendants(), containers()
    workers = len(boxes) if backend == 'docker' else sum(
        'tracer.sandbox.worker' in c for c in before.values())
    if workers >= 4:  # two pipeline workers, each with a pool of two sandbox workers
        break
    time.sleep(0.2)
ready = proc.poll() is None
os.kill(proc.pid, sig)
returncode = proc.wait()
left, boxes_left, deadline = {}, set(boxes), time.monotonic() + settle
while time.monotonic() < deadline:
    reap()
    left, boxes_left = descendants(), boxes_left & containers()
    if not left and not boxes_left:
        break
    time.sleep(0.1)
for pid in left:  # do not leave them to the next test
    os.kill(pid, signal.SIGKILL)
reap()
print(json.dumps({'ready': ready, 'before': before, 'left': left, 'returncode': returncode,
                  'containers': sorted(boxes), 'containers_left': sorted(boxes_left)}))
"""


def _run_and_signal(tmp_path: Path, sig: int, backend: str) -> dict:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    argv = [sys.executable, "-m", "cli.gen_traces", "--domain", "code", "--level", "middle",
            "-n", "50000", "--workers", "2", "--sandbox", backend, "-o", str(tmp_path / "out"),
            "-q"]  # fmt: skip
    log = tmp_path / "stderr.txt"
    env = dict(os.environ, TMPDIR=str(tmpdir))
    proc = subprocess.run(
        [sys.executable, "-c", HARNESS, json.dumps([argv, sig, backend, DOCKER_SETTLE_S if backend == "docker" else SETTLE_S, str(log)])],
        capture_output=True, text=True, timeout=300, cwd=REPO, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ready"], f"gen-traces ended before its workers were up: {log.read_text()[-2000:]}"
    assert list(tmpdir.iterdir()) == [], "gen-traces left temp files or dirs behind"
    report["stderr"] = log.read_text()
    return report


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGKILL", "SIGTERM", "SIGINT"])  # fmt: skip
def test_no_process_or_temp_dir_outlives_gen_traces(tmp_path, sig):
    report = _run_and_signal(tmp_path, sig, "process")
    workers = [c for c in report["before"].values() if "tracer.sandbox.worker" in c]
    assert len(report["before"]) >= 7 and len(workers) >= 4, report["before"]  # 1 + 2 + 2*2
    assert report["left"] == {}, f"still running {SETTLE_S} s after {sig.name}: {report['left']}"
    if sig == signal.SIGINT:  # an interrupt ends the run at once, with one line
        assert report["returncode"] == 130 and "interrupted" in report["stderr"], report
    else:
        assert report["returncode"] == -sig


@pytest.mark.docker
def test_no_container_outlives_a_killed_gen_traces(tmp_path, docker_engine):
    report = _run_and_signal(tmp_path, signal.SIGKILL, "docker")
    assert len(report["containers"]) >= 4, report
    assert report["left"] == {}, report["left"]
    assert report["containers_left"] == [], f"containers left after SIGKILL: {report}"
