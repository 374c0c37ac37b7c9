"""OS-level walls a process-sandbox worker puts up around itself before running any job.

These are the real boundary (the audit hook in `guard.py` only reports attempts):
- resource limits: address space, file size, process count (RLIMIT_NPROC counts the
  worker itself, so no fork or thread can start), core dumps off; CPU time is set per job;
- as root: a new network namespace (no interfaces but a down loopback), a new mount
  namespace with a private size-limited tmpfs over /tmp (the only writable place),
  then uid/gid 65534 with only CAP_DAC_READ_SEARCH kept (the interpreter lives under
  /root here) and no_new_privs so that no exec can regain anything;
- not root: a new user + network namespace where the kernel allows it.
Whatever could not be put in place is named in the returned description, which every
SandboxResult carries as `isolation`.

Standard library only (ctypes for unshare/mount/capset, which Python 3.11's os lacks).
"""

from __future__ import annotations

import os
import resource

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_NO_NEW_PRIVS = 38
PR_SET_KEEPCAPS = 8
CAP_DAC_READ_SEARCH = 2
LINUX_CAPABILITY_VERSION_3 = 0x20080522
NOBODY = 65534


def _libc():
    import ctypes

    return ctypes, ctypes.CDLL(None, use_errno=True)


def _check(ctypes, ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def set_static_limits(memory_mb: int, fsize_mb: int, nproc: int) -> list[str]:
    """Set the limits that hold for the worker's whole life; return what was set."""
    done = []
    for name, value in (
        ("RLIMIT_AS", memory_mb * 1024 * 1024),
        ("RLIMIT_FSIZE", fsize_mb * 1024 * 1024),
        ("RLIMIT_CORE", 0),
    ):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
            done.append(name)
        except (ValueError, OSError):
            pass
    return done


def set_nproc_limit(nproc: int) -> bool:
    """RLIMIT_NPROC, set last: after the uid change, so the count is the sandbox user's."""
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        return True
    except (ValueError, OSError):
        return False


def set_cpu_budget(cpu_s: float) -> None:
    """Allow `cpu_s` more seconds of CPU from now (RLIMIT_CPU counts the process's life).

    The hard limit stays open so the next job can get its own budget; a program raising
    the soft limit is stopped by the audit hook and, in any case, by the wall-clock kill.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    soft = int(used + cpu_s) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _under_tmp(path: str) -> bool:
    return os.path.realpath(path).startswith("/tmp/")


def _mount_private_tmp(ctypes, libc, tmp_mb: int, keep: tuple[str, ...] = ()) -> str:
    """A fresh tmpfs over /tmp; the directories in `keep` that lived under /tmp (the
    project's own code, say, in a checkout under /tmp) are bound back in, read-only."""
    _check(ctypes, libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    kept = []
    for path in dict.fromkeys(os.path.realpath(p) for p in keep if _under_tmp(p)):
        # Hold the directory open: once the tmpfs is over /tmp its path no longer leads there.
        kept.append((path, os.open(path, os.O_PATH | os.O_DIRECTORY)))
    opts = f"size={tmp_mb}m,mode=755".encode()  # only /tmp/sandbox is writable
    _check(ctypes, libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, opts),
           "mount tmpfs on /tmp")
    for path, fd in kept:
        os.makedirs(path, 0o755, exist_ok=True)
        source = f"/proc/self/fd/{fd}".encode()
        _check(ctypes, libc.mount(source, path.encode(), None, MS_BIND | MS_REC, None),
               f"bind {path}")
        _check(ctypes, libc.mount(None, path.encode(), None,
                                  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None),
               f"make {path} read-only")  # fmt: skip
        os.close(fd)
    # Other world-writable places get an empty read-only tmpfs on top.
    for path in (b"/var/tmp", b"/dev/shm", b"/run/lock"):
        if os.path.isdir(path):
            libc.mount(b"tmpfs", path, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, b"size=1k")
    workdir = "/tmp/sandbox"
    os.mkdir(workdir, 0o700)
    os.chown(workdir, NOBODY, NOBODY)
    return workdir


def _drop_to_nobody(ctypes, libc) -> None:
    _check(ctypes, libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "keep caps")
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]  # noqa: RUF012

    class Data(ctypes.Structure):
        _fields_ = [  # noqa: RUF012
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    header = Header(LINUX_CAPABILITY_VERSION_3, 0)
    keep = 1 << CAP_DAC_READ_SEARCH
    data = (Data * 2)(Data(keep, keep, 0), Data(0, 0, 0))
    _check(ctypes, libc.capset(ctypes.byref(header), data), "capset")
    _check(ctypes, libc.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "clear keep caps")


def isolate(fallback_workdir: str, tmp_mb: int, keep: tuple[str, ...] = ()) -> tuple[str, str]:
    """Put up the namespace and privilege walls; return (workdir, description).

    `fallback_workdir` (made by the parent) is used when no private /tmp could be mounted;
    `keep` are directories the worker must still read (its code, its interpreter).
    """
    try:
        ctypes, libc = _libc()
        _check(ctypes, libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    except OSError as exc:
        return fallback_workdir, f"rlimits only: {exc}"
    if os.geteuid() == 0:
        try:
            _check(ctypes, libc.unshare(CLONE_NEWNET | CLONE_NEWNS), "unshare")
        except OSError as exc:
            name = "EPERM" if exc.errno == 1 else exc.strerror
            return fallback_workdir, f"rlimits only: unshare refused ({name})"
        parts = ["netns", "mountns"]
        try:
            workdir = _mount_private_tmp(ctypes, libc, tmp_mb, keep)
            parts.append(f"private tmpfs /tmp ({tmp_mb} MB)")
        except OSError as exc:
            workdir = fallback_workdir
            parts.append(f"no private /tmp ({exc.strerror})")
        try:
            _drop_to_nobody(ctypes, libc)
            parts.append(f"uid {NOBODY} + CAP_DAC_READ_SEARCH only")
        except OSError as exc:
            parts.append(f"still root: {exc}")
        return workdir, "+".join(parts[:2]) + ", " + ", ".join(parts[2:]) + ", rlimits"
    try:
        _check(ctypes, libc.unshare(CLONE_NEWUSER | CLONE_NEWNET), "unshare")
    except OSError as exc:
        name = "EPERM" if exc.errno == 1 else exc.strerror
        return fallback_workdir, f"rlimits only: unshare refused ({name})"
    # Same uid as the parent: writes outside the temp dir and signals to the parent are
    # stopped only by the audit hook here.
    return fallback_workdir, "netns+userns, same uid as parent (files/signals: audit hook only), rlimits"
