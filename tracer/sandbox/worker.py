"""The loop that runs inside every sandbox worker (a pool process or a container).

Protocol: JSON lines. The worker first writes {"ready": true, "isolation": ...}; then for
each request {"id", "job", "cpu_s"} it runs `tracer.jobs.run_job(job)` and writes
{"id", "status", "value", "message", "recycle"}. It talks over private duplicates of its
stdin/stdout; fds 0-2 are pointed at /dev/null so that a program writing to fd 1 cannot
break the protocol. A worker never outlives its pool: a thread waits for the pool's end
of the protocol pipe to hang up (the pool's process is gone, however it died) and ends the
worker then, even in the middle of a job; a process-pool worker is also SIGKILLed by the
kernel when its parent dies (PR_SET_PDEATHSIG). Standard library only: this runs in the minimal
Docker image too.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import sys
import tempfile
import threading
from typing import Any

# Exit code a worker uses when it cannot even report a MemoryError.
EXIT_OUT_OF_MEMORY = 86
EXIT_ORPHANED = 87  # the pool's end of the protocol pipe hung up
DEFAULT_RECURSION_LIMIT = 1000


def _take_protocol_fds() -> tuple[Any, int]:
    in_fd, out_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    return os.fdopen(in_fd, "rb"), out_fd


def _exit_when_orphaned(in_fd: int, scratch: str | None) -> None:
    """Start the thread that ends this worker once nothing can write to it any more.

    poll() with no events still reports POLLHUP, which a pipe's reader gets once every
    writer is closed: the pool's process exited or was killed (SIGKILL included), or the
    Docker engine closed the container's stdin after its client went away. The thread
    sleeps in poll() without the GIL, so jobs do not pay for it; it cannot run while a job
    holds the GIL in one long C call, which is why a process-pool worker also has the
    kernel's parent-death signal (`isolation.die_with_parent`). A container, whose
    worker's parent is the engine's shim, has the pool's reaper instead, which removes
    the container from outside (`docker_backend.REAPER`).
    """

    def watch() -> None:
        poller = select.poll()
        poller.register(in_fd, 0)
        while True:
            for _fd, events in poller.poll():
                if events & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    if scratch:
                        shutil.rmtree(scratch, ignore_errors=True)
                    os._exit(EXIT_ORPHANED)

    threading.stack_size(256 * 1024)  # the address-space limit counts thread stacks
    try:
        threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
    finally:
        threading.stack_size(0)


def _send(out_fd: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        written = os.write(out_fd, data)
        data = data[written:]


def _clear(workdir: str) -> None:
    for name in os.listdir(workdir):
        path = os.path.join(workdir, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _run_one(job: Any, cpu_s: float, workdir: str, guard: Any, config: dict) -> dict:
    from tracer.jobs import BoundedWriter, OutputLimitExceeded, run_job
    from tracer.sandbox.guard import ForbiddenOperation
    from tracer.sandbox.isolation import set_cpu_budget

    _clear(workdir)
    os.chdir(workdir)
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    set_cpu_budget(cpu_s)
    sink = BoundedWriter(int(config.get("output_limit", 1_000_000)))
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = sink
    status, value, message, recycle = "ok", None, "ok", False
    guard.arm(workdir)
    try:
        value = run_job(job)
    except ForbiddenOperation as exc:
        status, message = "forbidden", f"forbidden: {exc}"
    except MemoryError:
        status, message, recycle = "memory", "out of memory (address-space limit)", True
    except OutputLimitExceeded as exc:
        status, message = "error", f"output limit: {exc}"
    except RecursionError as exc:
        status, message = "error", f"RecursionError: {exc}"
    except BaseException as exc:
        status, message = "error", f"{type(exc).__name__}: {exc}"[:500]
    finally:
        attempts = guard.disarm()
        sys.stdout, sys.stderr = saved
        sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    if attempts:
        # Caught or not, an attempt decides the status: the program tried it.
        status, value, message = "forbidden", None, f"forbidden: {attempts[0]}"
    if status != "ok":
        value = None
    return {"status": status, "value": value, "message": message.splitlines()[0] if message
            else status, "recycle": recycle}


def _set_up(config: dict, in_fd: int) -> tuple[str, str, list[str], str | None]:
    # Import job code before the walls go up (and before the hook is armed).
    import tracer.jobs
    from tracer.sandbox import guard, isolation  # noqa: F401 (guard: imported before the walls)

    with contextlib.suppress(ImportError):  # the "trace" job is optional
        import tracer.interpreter  # noqa: F401
    limits = isolation.set_static_limits(config["memory_mb"], config["fsize_mb"], config["nproc"])
    if config.get("isolate", True):
        # The worker's code and interpreter stay readable even when they live under /tmp.
        keep = (sys.path[0], sys.prefix, sys.base_prefix)
        workdir, description = isolation.isolate(config["tmp_mb"], keep)
        for path in keep:  # the sandbox user reads only what any user may: say so early
            if not os.access(path, os.R_OK | os.X_OK):
                raise PermissionError(f"{path} is not readable by uid {os.getuid()} "
                                      "(the sandbox user); make it world-readable (chmod o+rx)")
    else:
        workdir, description = config["workdir"], config.get("isolation", "container")
        os.makedirs(workdir, exist_ok=True)
    if "parent" in config:  # a pool process on this machine (not a container)
        isolation.die_with_parent(int(config["parent"]))
    scratch = None
    if workdir is None:  # no private /tmp: a temp dir of its own, removed when it ends
        workdir = scratch = tempfile.mkdtemp(prefix="blueberry-sandbox-")
    # After the namespaces (a new user namespace needs a single thread), before
    # RLIMIT_NPROC (which stops any new thread).
    _exit_when_orphaned(in_fd, scratch)
    if isolation.set_nproc_limit(config["nproc"]):
        limits.append("RLIMIT_NPROC")
    os.environ.clear()
    os.environ.update({"HOME": workdir, "TMPDIR": workdir, "PATH": "/usr/bin:/bin"})
    return workdir, description, limits, scratch


def main(config_text: str) -> None:
    """Run the worker loop with the JSON config the pool passed on the command line."""
    config = json.loads(config_text)
    sys.dont_write_bytecode = True
    reader, out_fd = _take_protocol_fds()
    try:
        workdir, description, limits, scratch = _set_up(config, reader.fileno())
    except Exception as exc:  # say why instead of dying silently with stderr on /dev/null
        _send(out_fd, {"ready": False, "error": f"{type(exc).__name__}: {exc}"[:300]})
        return
    from tracer.sandbox import guard as guard_module

    guard = guard_module.Guard()
    _send(out_fd, {"ready": True, "isolation": description, "limits": limits,
                   "scratch": scratch})
    try:
        _serve(reader, out_fd, workdir, guard, config)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def _serve(reader: Any, out_fd: int, workdir: str, guard: Any, config: dict) -> None:
    while True:
        line = reader.readline()
        if not line:
            return
        request = json.loads(line)
        reply = _run_one(request["job"], float(request["cpu_s"]), workdir, guard, config)
        reply["id"] = request["id"]
        try:
            _send(out_fd, reply)
        except MemoryError:
            os._exit(EXIT_OUT_OF_MEMORY)
        except (TypeError, ValueError) as exc:
            _send(out_fd, {"id": request["id"], "status": "error", "value": None,
                           "message": f"job result is not JSON-able: {exc}"[:300],
                           "recycle": False})
