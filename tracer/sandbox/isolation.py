"""OS-level walls a process-sandbox worker puts up around itself before running any job.

These are the real boundary (the audit hook in `guard.py` only reports attempts):
- resource limits: address space, file size, process count (RLIMIT_NPROC counts the
  worker itself, so no fork or thread can start), core dumps off; CPU time is set per job;
- as root: a new network namespace (no interfaces but a down loopback), a new mount
  namespace with a private size-limited tmpfs over /tmp (the only writable place); every
  directory the sandbox user could not enter on the way to the worker's interpreter and
  code (/root, for an interpreter under /root/.pyenv) is covered by an empty tmpfs too,
  and just those directories are bound back at their own paths, read-only; then
  uid/gid 65534 with no capabilities at all and no_new_privs, so a program reads only
  what the unprivileged user could (no /etc/shadow, no 0600 file, no /proc/1/environ);
- not root: a new user + network namespace where the kernel allows it (same uid: the
  user's own files stay readable there).
Whatever could not be put in place is named in the returned description, which every
SandboxResult carries as `isolation`.

Standard library only (ctypes for unshare/mount/prctl, which Python 3.11's os lacks).
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
PR_SET_PDEATHSIG = 1
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


def _traversable(path: str) -> bool:
    """Whether a user that is neither owner nor group (the sandbox's nobody) may enter."""
    try:
        return bool(os.stat(path).st_mode & 0o001)
    except OSError:
        return False


def mask_points(keep: list[str]) -> list[str]:
    """The directories to hide behind an empty tmpfs: /tmp, and for each kept directory
    the topmost ancestor the sandbox user could not enter (/root, say, for an interpreter
    under /root/.pyenv); the kept directories are then bound back at their own paths."""
    masks = {"/tmp"}
    for path in keep:
        if path == "/tmp" or path.startswith("/tmp/"):
            continue
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):  # ancestors only: the kept dir itself stays as is
            ancestor = "/" + "/".join(parts[:depth])
            if not _traversable(ancestor):
                masks.add(ancestor)
                break
    return sorted(m for m in masks if not any(m.startswith(o + "/") for o in masks))


def _bind_read_only(ctypes, libc, fd: int, target: str) -> None:
    source = f"/proc/self/fd/{fd}".encode()
    _check(ctypes, libc.mount(source, target.encode(), None, MS_BIND | MS_REC, None),
           f"bind {target}")
    _check(ctypes, libc.mount(None, target.encode(), None,
                              MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None),
           f"make {target} read-only")  # fmt: skip


def _mount_private_dirs(ctypes, libc, tmp_mb: int, keep: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """A fresh tmpfs over /tmp and over every mask point (see `mask_points`); the kept
    directories that lay under one are bound back in at their own paths, read-only, so
    the sandbox user reaches its code and interpreter and nothing else there.
    Returns (the job's workdir, the masked directories other than /tmp)."""
    _check(ctypes, libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    paths = sorted(dict.fromkeys(os.path.realpath(p) for p in keep), key=len)
    masks = mask_points(paths)
    kept = []
    for path in paths:
        if any(path == m or path.startswith(m + "/") for m in masks):
            # Hold the directory open: once a tmpfs covers it its path no longer leads there.
            kept.append((path, os.open(path, os.O_PATH | os.O_DIRECTORY)))
    for mask in masks:
        size = f"{tmp_mb}m" if mask == "/tmp" else "1m"
        opts = f"size={size},mode=755".encode()  # root's: only /tmp/sandbox is writable
        _check(ctypes, libc.mount(b"tmpfs", mask.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, opts),
               f"mount tmpfs on {mask}")
    for path, fd in kept:
        os.makedirs(path, 0o755, exist_ok=True)
        _bind_read_only(ctypes, libc, fd, path)
        os.close(fd)
    # Other world-writable places get an empty read-only tmpfs on top.
    for path in (b"/var/tmp", b"/dev/shm", b"/run/lock"):
        if os.path.isdir(path):
            libc.mount(b"tmpfs", path, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, b"size=1k")
    workdir = "/tmp/sandbox"
    os.mkdir(workdir, 0o700)
    os.chown(workdir, NOBODY, NOBODY)
    return workdir, [m for m in masks if m != "/tmp"]


def _drop_to_nobody() -> None:
    """uid/gid 65534 with no supplementary groups; changing every uid from 0 without
    PR_SET_KEEPCAPS clears the permitted and effective capability sets, so the worker keeps
    no capability at all (no CAP_DAC_READ_SEARCH: it reads only what nobody may read)."""
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)


def capabilities() -> dict[str, int]:
    """This process's capability sets from /proc/self/status (CapEff, CapPrm, ...)."""
    caps = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("Cap"):
                name, value = line.split(":", 1)
                caps[name] = int(value.strip(), 16)
    return caps


def die_with_parent(parent: int) -> bool:
    """Have the kernel SIGKILL this worker when `parent` ends, even mid-job in a long C
    call; set after the uid change, which clears it. Ends the worker now when the parent
    is already gone (re-parented before the call). False where prctl is not available."""
    try:
        ctypes, libc = _libc()
        import signal

        _check(ctypes, libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0), "pdeathsig")
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:
        os._exit(1)
    return True


def isolate(tmp_mb: int, keep: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """Put up the namespace and privilege walls; return (workdir, description).

    `keep` are directories the worker must still read (its code, its interpreter). The
    workdir is None when no private /tmp could be mounted: the caller then makes its own.
    """
    try:
        ctypes, libc = _libc()
        _check(ctypes, libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    except OSError as exc:
        return None, f"rlimits only: {exc}"
    if os.geteuid() == 0:
        try:
            _check(ctypes, libc.unshare(CLONE_NEWNET | CLONE_NEWNS), "unshare")
        except OSError as exc:
            name = "EPERM" if exc.errno == 1 else exc.strerror
            return None, f"rlimits only: unshare refused ({name})"
        parts = ["netns", "mountns"]
        workdir = None
        old_umask = os.umask(0o022)
        try:
            workdir, masked = _mount_private_dirs(ctypes, libc, tmp_mb, keep)
            parts.append(f"private tmpfs /tmp ({tmp_mb} MB)")
            if masked:
                parts.append(f"{', '.join(masked)} masked (interpreter, code bound back read-only)")
        except OSError as exc:
            parts.append(f"no private /tmp ({exc.strerror})")
        finally:
            os.umask(old_umask)
        try:
            _drop_to_nobody()
            caps = capabilities()
            if caps.get("CapEff") or caps.get("CapPrm"):
                raise OSError(0, f"capabilities left: {caps}")
            parts.append(f"uid {NOBODY}, no capabilities")
        except OSError as exc:
            parts.append(f"privileges not dropped: {exc}")
        return workdir, "+".join(parts[:2]) + ", " + ", ".join(parts[2:]) + ", rlimits"
    try:
        _check(ctypes, libc.unshare(CLONE_NEWUSER | CLONE_NEWNET), "unshare")
    except OSError as exc:
        name = "EPERM" if exc.errno == 1 else exc.strerror
        return None, f"rlimits only: unshare refused ({name})"
    # Same uid as the parent: the user's own files stay readable, and writes outside the
    # temp dir and signals to the parent are stopped only by the audit hook here.
    return None, ("netns+userns, same uid as parent (its files readable; writes/signals: "
                  "audit hook only), rlimits")
