"""The default sandbox: a pool of reusable worker processes behind OS limits.

Each worker is a fresh interpreter in its own session with a scrubbed environment, that
puts up its walls before its first job (see `isolation.py`): resource limits, a network +
mount namespace, and as root uid 65534 with no capabilities. The flags are `-s -P -B`
(what `-I` does, but for `-E`), so the environment's PYTHONHASHSEED=0 holds: a program
that prints a set of strings prints the same bytes in every run. The wall-clock timeout
is enforced here: a worker that overruns is SIGKILLed (its whole process group) and
replaced. A worker ends by itself once this process is gone: the kernel SIGKILLs it
(PR_SET_PDEATHSIG, set after its uid change) and, as a second line, it ends when its
protocol pipe hangs up (see `worker.py`). With a private /tmp it leaves no temp dir
behind, else it removes its own. The audit hook in
`guard.py` only names attempts; it is not a boundary.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tracer.sandbox.base import WORKER_BOOT, LineBuffer, WorkerGone, WorkerPool, read_line_until
from tracer.sandbox.worker import EXIT_OUT_OF_MEMORY

PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
# -I without -E: no user site (-s), no script dir or cwd on sys.path (-P), no .pyc (-B);
# the environment is built here, so the one PYTHON* variable it holds is PYTHONHASHSEED.
PYTHON_FLAGS = ("-s", "-P", "-B")
WORKER_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}


def describe_exit(returncode: int | None) -> tuple[str, str]:
    """Map a dead worker's exit status to (status, message)."""
    if returncode is None:
        return "error", "worker stopped answering"
    if returncode == EXIT_OUT_OF_MEMORY:
        return "memory", "out of memory while reporting"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if name == "SIGXCPU":
            return "timeout", "CPU-time limit reached (SIGXCPU)"
        if name == "SIGSEGV":
            return "error", "worker crashed (SIGSEGV, e.g. C stack overflow)"
        return "error", f"worker killed by {name}"
    return "error", f"worker exited with code {returncode}"


class ProcessChannel:
    """One worker process and its pipes."""

    def __init__(self, config: dict) -> None:
        self.isolation = "starting"
        self.hello: dict = {}
        self._buffer = LineBuffer()
        self.proc = subprocess.Popen(
            [sys.executable, *PYTHON_FLAGS, "-c", WORKER_BOOT, PROJECT_ROOT, json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            # TMPDIR: where the worker makes its own temp dir when it gets no private /tmp.
            env={**WORKER_ENV, "TMPDIR": tempfile.gettempdir()}, cwd="/", start_new_session=True, close_fds=True,
        )
        self._out = self.proc.stdout.fileno()

    def send(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise WorkerGone(str(exc)) from None

    def read_line(self, deadline: float) -> bytes | None:
        return read_line_until(self._buffer, self._out, deadline, self._receive)

    def _receive(self) -> None:
        chunk = os.read(self._out, 1 << 20)
        if not chunk:
            raise WorkerGone("worker closed its output")
        self._buffer.feed(chunk)

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        scratch = self.hello.get("scratch")
        if scratch:  # the worker's own temp dir (no private /tmp); it may not have removed it
            shutil.rmtree(scratch, ignore_errors=True)

    def death(self) -> tuple[str, str]:
        try:
            returncode = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            returncode = None
        self.kill()
        return describe_exit(returncode)


class ProcessSandbox(WorkerPool):
    """A pool of `workers` sandboxed worker processes, reused across jobs.

    cpu_s: CPU seconds per job (RLIMIT_CPU); memory_mb: address-space limit per worker;
    timeout_s: wall-clock limit per job (default for `run`); fsize_mb: largest file a job
    may write; tmp_mb: size of the private /tmp when one can be mounted; output_limit:
    characters a job may print.
    """

    def __init__(self, workers: int = 2, cpu_s: float = 10.0, memory_mb: int = 1024,
                 timeout_s: float = 10.0, fsize_mb: int = 16, tmp_mb: int = 64,
                 output_limit: int = 1_000_000) -> None:
        if memory_mb < 64:
            raise ValueError(f"memory_mb must be at least 64 (the interpreter needs it), got {memory_mb}")
        self._config = {"memory_mb": memory_mb, "fsize_mb": fsize_mb, "nproc": 1,
                        "tmp_mb": tmp_mb, "output_limit": output_limit, "isolate": True}
        super().__init__(workers, timeout_s, cpu_s)

    def _spawn(self) -> ProcessChannel:
        config = dict(self._config, parent=os.getpid())
        return in_long_lived_thread(lambda: ProcessChannel(config))


_SPAWNER: tuple[int, ThreadPoolExecutor] | None = None
_SPAWNER_LOCK = threading.Lock()


def in_long_lived_thread(make: Callable[[], ProcessChannel]) -> ProcessChannel:
    """Call `make` (which starts a worker) from a thread that lives as long as this process.

    A worker's parent-death signal (`isolation.die_with_parent`) fires when the *thread*
    that forked it ends, and the pool replaces workers from `run_many`'s short-lived
    threads: those hand the start to the main thread's stand-in, one spawner thread.
    """
    global _SPAWNER
    if threading.current_thread() is threading.main_thread():
        return make()
    with _SPAWNER_LOCK:
        if _SPAWNER is None or _SPAWNER[0] != os.getpid():  # none yet, or inherited by fork
            _SPAWNER = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="sandbox-spawn"))
        spawner = _SPAWNER[1]
    return spawner.submit(make).result()
