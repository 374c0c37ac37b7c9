"""The docker sandbox: a pool of long-lived containers, each running the worker loop.

Containers run the minimal image from `tracer.sandbox.image` with network_mode="none",
a memory limit (swap included), a pids limit, a read-only root with a tmpfs on /tmp, the
non-root `sandbox` user, every capability dropped and no-new-privileges. The project's
`tracer/` is mounted read-only; nothing else of the host is visible. The interpreter runs
with `-s -P -B` and PYTHONHASHSEED=0, so hashing (a set's order) is the same in every
container. Jobs go in over the attached stdin and replies come back over stdout (Docker's
multiplexed stream). A container that times out, runs out of memory or dies is removed and
replaced. Containers are started with StdinOnce and auto_remove: when this process goes
away, the engine closes the container's stdin, the worker ends (see `worker.py`) and the
engine removes the container. Two cases that leaves open are closed by a reaper process
that every pool starts beside itself (`REAPER`): a container created but not yet started
when this process died (nothing runs in it to end), and a worker in one long C call that
holds the GIL (its orphan watch cannot run until its CPU budget ends it). The reaper
waits for the pool's end of a pipe to close, however the pool's process ends, and then
force-removes every container labelled with the pool's id; if the pool was starting a
container at that moment (it writes `+` before a create and `-` once the container runs
or is gone), it looks again one and two seconds later, for a create that was still on its
way to the engine. The Docker SDK is imported only here, lazily.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tracer.sandbox.base import (
    WORKER_BOOT,
    LineBuffer,
    SandboxError,
    WorkerGone,
    WorkerPool,
    read_line_until,
)
from tracer.sandbox.process import PYTHON_FLAGS, describe_exit

DEFAULT_IMAGE = "blueberry-sandbox:latest"
IMAGE_PYTHON = "/usr/local/bin/python3"
CONTAINER_ROOT = "/opt/blueberry"
TRACER_DIR = str(Path(__file__).resolve().parents[1])
HOW_TO_START = (
    "start the engine with `.ci/start-dockerd.sh` (or `dockerd --iptables=false "
    "--bridge=none &`) and build the image with `python -m tracer.sandbox.image`"
)

POOL_LABEL = "blueberry.pool"  # each pool's own id, for its reaper
SPAWNING, SPAWNED = b"+", b"-"  # what a pool tells its reaper around a container's start

REAPER = r"""
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C or a TERM to the whole group: the
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # pool ends, and this ends after it
import docker
starting = 0
while chunk := os.read(0, 4096):  # until the pool's process closes the pipe, or dies
    starting += chunk.count(b"+") - chunk.count(b"-")
client = docker.from_env()
for pause in (0.0, 1.0, 2.0) if starting else (0.0,):
    time.sleep(pause)
    for found in client.api.containers(all=True, filters={"label": "blueberry.pool=" + sys.argv[1]}):
        try:
            client.api.remove_container(found["Id"], force=True)
        except Exception:
            pass  # already gone
"""


def start_reaper(pool: str) -> subprocess.Popen:
    """The process that removes pool `pool`'s containers once the pool's process is gone."""
    return subprocess.Popen([sys.executable, "-c", REAPER, pool], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def docker_client() -> Any:
    """A connected Docker SDK client, or SandboxError saying how to start the engine."""
    try:
        import docker
    except ImportError:
        raise SandboxError("the docker backend needs the `docker` package: pip install docker") from None
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:  # docker.errors.DockerException and connection errors
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SandboxError(f"Docker engine not reachable ({first[:160]}); {HOW_TO_START}") from None
    return client


class DockerChannel:
    """One container and its attached stdin/stdout socket."""

    def __init__(self, client: Any, image: str, config: dict, limits: dict, pool: str) -> None:
        self.isolation = "starting"
        self._buffer = LineBuffer()
        self._frames = bytearray()
        self.container = client.containers.create(
            image,
            command=[IMAGE_PYTHON, *PYTHON_FLAGS, "-c", WORKER_BOOT, CONTAINER_ROOT,
                     json.dumps(config)],
            stdin_open=True,
            # The SDK sets StdinOnce (attached, not detached): when this client hangs up
            # the engine closes the worker's stdin, the worker ends, and auto_remove
            # then has the engine remove the container.
            auto_remove=True,
            network_mode="none",
            mem_limit=f"{limits['memory_mb']}m",
            memswap_limit=f"{limits['memory_mb']}m",
            pids_limit=limits["pids"],
            read_only=True,
            tmpfs={"/tmp": f"size={limits['tmp_mb']}m,mode=1777"},
            user="1000:1000",
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            environment={"PYTHONHASHSEED": "0", "LANG": "C.UTF-8", "HOME": "/tmp"},
            volumes={TRACER_DIR: {"bind": f"{CONTAINER_ROOT}/tracer", "mode": "ro"}},
            working_dir="/tmp",
            labels={"blueberry.sandbox": "1", POOL_LABEL: pool},
        )
        try:
            params = {"stdin": 1, "stdout": 1, "stderr": 0, "stream": 1, "logs": 1}
            self._socket_io = self.container.attach_socket(params=params)
            self._sock = getattr(self._socket_io, "_sock", self._socket_io)
            self.container.start()
        except BaseException:
            self.kill()
            raise

    def send(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise WorkerGone(str(exc)) from None

    def _demux(self) -> None:
        # Docker frames: 1 byte stream id, 3 zero bytes, 4 bytes big-endian length, payload.
        while len(self._frames) >= 8:
            (length,) = struct.unpack(">I", self._frames[4:8])
            if len(self._frames) < 8 + length:
                return
            if self._frames[0] == 1:
                self._buffer.feed(bytes(self._frames[8 : 8 + length]))
            del self._frames[: 8 + length]

    def read_line(self, deadline: float) -> bytes | None:
        return read_line_until(self._buffer, self._sock, deadline, self._receive)

    def _receive(self) -> None:
        chunk = self._sock.recv(1 << 20)
        if not chunk:
            raise WorkerGone("container closed its output")
        self._frames += chunk
        self._demux()

    def kill(self) -> None:
        with contextlib.suppress(AttributeError, OSError):
            self._sock.close()
        with contextlib.suppress(Exception):  # already gone; the engine's error types vary
            self.container.remove(force=True)

    def death(self) -> tuple[str, str]:
        state: dict = {}
        try:
            state["ExitCode"] = self.container.wait(timeout=5).get("StatusCode")
            self.container.reload()  # may fail: the engine removes exited containers
            state = self.container.attrs.get("State", {})
        except Exception:
            pass
        self.kill()
        if state.get("OOMKilled"):
            return "memory", "container killed by the memory limit (OOM)"
        code = state.get("ExitCode")
        if isinstance(code, int) and code > 128:
            return describe_exit(-(code - 128))
        return describe_exit(code)


class DockerSandbox(WorkerPool):
    """A pool of `workers` long-lived sandbox containers of `image`, reused across jobs."""

    def __init__(self, image: str = DEFAULT_IMAGE, workers: int = 2, cpu_s: float = 10.0,
                 memory_mb: int = 512, timeout_s: float = 10.0, pids: int = 16,
                 fsize_mb: int = 16, tmp_mb: int = 64, output_limit: int = 1_000_000) -> None:
        if memory_mb < 64:
            raise ValueError(f"memory_mb must be at least 64 (the interpreter needs it), got {memory_mb}")
        self._client = docker_client()
        try:
            self._client.images.get(image)
        except Exception:
            raise SandboxError(f"sandbox image {image} not found; {HOW_TO_START}") from None
        self._image = image
        self._limits = {"memory_mb": memory_mb, "pids": pids, "tmp_mb": tmp_mb}
        isolation = (f"docker: network none, read-only root, uid 1000, no capabilities, "
                     f"mem {memory_mb} MB, pids {pids}, rlimits")
        self._config = {"memory_mb": memory_mb, "fsize_mb": fsize_mb, "nproc": 1,
                        "tmp_mb": tmp_mb, "output_limit": output_limit, "isolate": False,
                        "workdir": "/tmp/sandbox", "isolation": isolation}
        self._pool = uuid.uuid4().hex
        self._reaper = start_reaper(self._pool)
        try:
            super().__init__(workers, timeout_s, cpu_s)
        except BaseException:
            self._dismiss_reaper()
            raise

    def _spawn(self) -> DockerChannel:
        self._tell_reaper(SPAWNING)
        try:
            return DockerChannel(self._client, self._image, self._config, self._limits, self._pool)
        finally:
            self._tell_reaper(SPAWNED)

    def _tell_reaper(self, news: bytes) -> None:
        reaper = self._reaper
        if reaper is not None:
            with contextlib.suppress(OSError, ValueError):  # one byte: atomic from any thread
                os.write(reaper.stdin.fileno(), news)

    def close(self) -> None:
        super().close()
        self._dismiss_reaper()

    def _dismiss_reaper(self) -> None:
        """Close the reaper's pipe and wait for its one look (the pool's containers are
        removed already), so no process of ours outlives the pool."""
        reaper = getattr(self, "_reaper", None)
        if reaper is None:
            return
        self._reaper = None
        with contextlib.suppress(OSError):
            reaper.stdin.close()
        try:
            reaper.wait(timeout=10)
        except subprocess.TimeoutExpired:
            reaper.kill()
            reaper.wait()
