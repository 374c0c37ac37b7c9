"""Run many programs under CPython: batches of jobs, one child process per batch.

A subprocess per program is slow, so jobs go to `cpython_batch.py` in chunks; each job
has its own time limit inside the child (an interval timer), and a chunk whose child
dies is re-run one job at a time so that one bad program cannot hide the others.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHILD = Path(__file__).with_name("cpython_batch.py")
CHUNK = 150


def _run_chunk(jobs: list[dict], timeout_s: float) -> list[dict]:
    env = {"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    try:
        proc = subprocess.run([sys.executable, "-S", "-B", str(CHILD), str(timeout_s)],
                              input=json.dumps(jobs), capture_output=True, text=True, env=env,
                              timeout=timeout_s * len(jobs) + 30)
        if proc.returncode == 0:
            return json.loads(proc.stdout)
    except (subprocess.TimeoutExpired, json.JSONDecodeError):
        pass
    if len(jobs) == 1:
        return [{"status": "error", "value": "child died", "stdout": ""}]
    return [r for job in jobs for r in _run_chunk([job], timeout_s)]


def run_jobs(jobs: list[dict], workers: int = 2, timeout_s: float = 2.0) -> list[dict]:
    """Results of `jobs` (see cpython_batch.py), in order."""
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with ThreadPoolExecutor(max(1, workers)) as pool:
        parts = list(pool.map(lambda c: _run_chunk(c, timeout_s), chunks))
    return [r for part in parts for r in part]
