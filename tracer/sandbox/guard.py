"""An audit hook that turns forbidden operations inside a sandbox job into "forbidden".

NOT a security boundary: code running in the same interpreter can reach around an audit
hook (C extensions, ctypes-free tricks, patching the worker's modules for later jobs).
It exists to *name* what a program tried (socket, subprocess, writing outside its temp
dir, signalling, reading a process's environment) so the result says "forbidden"
instead of a confusing OSError. The wall is the process boundary plus the OS limits in
`isolation.py` (or the container's settings in the Docker backend).

Standard library only: it runs inside sandbox workers.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

# Events refused outright while a job runs.
ALWAYS_FORBIDDEN = {
    "os.system": "running a shell command (os.system)",
    "os.fork": "forking a process",
    "os.forkpty": "forking a process",
    "os.exec": "replacing the process (exec)",
    "os.posix_spawn": "spawning a process",
    "os.spawn": "spawning a process",
    "subprocess.Popen": "starting a subprocess",
    "os.kill": "sending a signal",
    "os.killpg": "sending a signal",
    "signal.pthread_kill": "sending a signal",
    "socket.__new__": "opening a socket",
    "socket.connect": "connecting a socket",
    "socket.bind": "binding a socket",
    "socket.getaddrinfo": "resolving a host name",
    "socket.gethostbyname": "resolving a host name",
    "ctypes.dlopen": "loading a native library (ctypes)",
    "ctypes.dlsym": "loading a native symbol (ctypes)",
    "resource.setrlimit": "changing resource limits",
    "resource.prlimit": "changing resource limits",
    "os.setuid": "changing user",
}
# Events whose first argument is a path that must lie inside the job's temp dir.
PATH_EVENTS = {
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown",
    "os.symlink", "os.link", "os.truncate", "os.utime", "os.chflags", "os.lchmod",
    "os.mkfifo", "os.mknod", "shutil.rmtree", "shutil.copyfile", "shutil.move",
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_ENVIRON_PATH = re.compile(r"^/proc/(\d+|self|thread-self)/(task/\d+/)?environ$")


class ForbiddenOperation(BaseException):
    """Raised inside a job that tried something the sandbox refuses.

    A BaseException so a program's `except Exception:` does not hide it; the worker also
    records every attempt, so catching it does not change the job's status.
    """


class Guard:
    """Installs one audit hook; `arm(workdir)` before a job and `disarm()` after it."""

    def __init__(self) -> None:
        self._armed = False
        self._workdir = "/nonexistent"
        self._given = ""  # the workdir as given to arm(), before realpath
        self._inside = False
        self.attempts: list[str] = []
        sys.addaudithook(self._hook)

    def arm(self, workdir: str) -> None:
        """Start refusing forbidden events; writes are allowed under `workdir` only."""
        if workdir != self._given:  # a worker arms the same directory for every job
            self._given, self._workdir = workdir, os.path.realpath(workdir)
        self.attempts = []
        self._armed = True

    def disarm(self) -> list[str]:
        """Stop refusing and return the attempts seen during the job."""
        self._armed = False
        return self.attempts

    def _refuse(self, what: str) -> None:
        self.attempts.append(what)
        raise ForbiddenOperation(what)

    def _inside_workdir(self, path: Any) -> bool:
        if isinstance(path, int):
            return True  # an already open descriptor: opening it gave no new access
        try:
            text = os.fsdecode(path)
        except TypeError:
            return False
        full = os.path.realpath(os.path.join(os.getcwd(), text))
        return full == self._workdir or full.startswith(self._workdir + os.sep)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self._armed or self._inside:
            return
        self._inside = True  # realpath/getcwd below must not re-enter the checks
        try:
            self._check(event, args)
        finally:
            self._inside = False

    def _check(self, event: str, args: tuple[Any, ...]) -> None:
        if event in ALWAYS_FORBIDDEN:
            self._refuse(ALWAYS_FORBIDDEN[event])
        elif event == "open":
            path, mode, flags = ((*tuple(args), None, None, None))[:3]
            if isinstance(path, str | bytes) and _reads_environ(os.fsdecode(path)):
                self._refuse("reading a process's environment")
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and not self._inside_workdir(path):
                self._refuse(f"writing outside its temp dir ({path!r})")
        elif event in PATH_EVENTS:
            for path in _changed_paths(event, args):
                if not self._inside_workdir(path):
                    self._refuse(f"changing a file outside its temp dir ({event} {path!r})")


def _changed_paths(event: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if event in ("os.rename", "os.link", "shutil.copyfile", "shutil.move"):
        return tuple(args[:2])
    if event == "os.symlink":
        return tuple(args[1:2])  # the link itself; its target may point anywhere
    return tuple(args[:1])


def _reads_environ(path: str) -> bool:
    # Any process's, its own included: in a container the worker is PID 1, and
    # /proc/1/environ must end the same way on both backends (its own is scrubbed anyway).
    return bool(_ENVIRON_PATH.match(os.path.normpath(os.path.join(os.getcwd(), path))))
