"""What every sandbox backend shares: the result type, the protocol and the worker pool.

A backend supplies `_spawn()` returning a channel to one long-lived worker running
`tracer.sandbox.worker`; the pool hands jobs to idle workers, enforces the wall-clock
timeout, and kills and replaces a worker that timed out, ran out of memory or died, so
the caller always gets a SandboxResult and the pool carries on.
"""

from __future__ import annotations

import itertools
import json
import queue
import select
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

STATUSES = ("ok", "timeout", "memory", "forbidden", "error")
MAX_REPLY_BYTES = 256 * 1024 * 1024
# The boot line every worker runs: the project root comes first on sys.path so the
# stdlib-only worker code is found without an installed package.
WORKER_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from tracer.sandbox.worker import main; main(sys.argv[2])"
)


@dataclass(frozen=True)
class SandboxResult:
    """How one job ended: status, the job's result dict when ok, one line for people,
    and the isolation that was really in place."""

    status: str
    value: dict | None
    message: str
    isolation: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


class SandboxError(RuntimeError):
    """The sandbox itself could not be started (not a job's failure)."""


class Sandbox(Protocol):
    """Runs jobs (plain dicts) somewhere the calling process is safe from them."""

    def run(self, job: dict, timeout_s: float | None = None) -> SandboxResult: ...

    def run_many(self, jobs: list[dict], timeout_s: float | None = None) -> list[SandboxResult]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Sandbox: ...

    def __exit__(self, *exc: object) -> None: ...


class WorkerGone(Exception):
    """The worker's end of the channel closed (it exited or was killed)."""


class Channel(Protocol):
    """One live worker as the pool sees it."""

    isolation: str
    hello: dict  # the worker's first line, set once it is ready

    def send(self, data: bytes) -> None: ...

    def read_line(self, deadline: float) -> bytes | None: ...

    def kill(self) -> None: ...

    def death(self) -> tuple[str, str]: ...


class LineBuffer:
    """Splits a byte stream into lines; refuses a line longer than MAX_REPLY_BYTES."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._data += chunk
        if len(self._data) > MAX_REPLY_BYTES:
            raise WorkerGone(f"reply over {MAX_REPLY_BYTES} bytes")

    def pop_line(self) -> bytes | None:
        end = self._data.find(b"\n")
        if end < 0:
            return None
        line = bytes(self._data[:end])
        del self._data[: end + 1]
        return line


def read_line_until(buffer: LineBuffer, source: Any, deadline: float,
                    receive: Callable[[], None]) -> bytes | None:  # fmt: skip
    """The next line in `buffer`, calling `receive()` (which feeds the buffer or raises
    WorkerGone) each time `source` becomes readable; None once `deadline` passes."""
    while True:
        line = buffer.pop_line()
        if line is not None:
            return line
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([source], [], [], left)
        if not ready:
            return None
        receive()


def await_ready(channel: Channel, deadline: float) -> dict[str, Any]:
    """Wait for the worker's hello line; raise SandboxError if it never comes."""
    while True:
        try:
            line = channel.read_line(deadline)
        except WorkerGone as exc:
            _status, message = channel.death()
            raise SandboxError(f"sandbox worker died while starting: {message} ({exc})") from None
        if line is None:
            channel.kill()
            raise SandboxError("sandbox worker did not start in time")
        try:
            hello = json.loads(line)
        except ValueError:
            continue
        if isinstance(hello, dict) and hello.get("ready"):
            return hello
        if isinstance(hello, dict) and "error" in hello:
            channel.kill()
            raise SandboxError(f"sandbox worker could not start: {hello['error']}")


class WorkerPool:
    """A pool of reusable workers behind the Sandbox interface; subclasses spawn them."""

    start_timeout_s = 60.0

    def __init__(self, workers: int, timeout_s: float, cpu_s: float) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if timeout_s <= 0 or cpu_s <= 0:
            raise ValueError("timeout_s and cpu_s must be positive seconds")
        self.workers = workers
        self.timeout_s = timeout_s
        self.cpu_s = cpu_s
        self._idle: queue.Queue[Channel] = queue.Queue()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._live: list[Channel] = []
        self._closed = False
        self.replaced = 0  # workers killed and replaced so far
        started = time.perf_counter()
        channels = [self._spawn() for _ in range(workers)]
        self._live.extend(channels)
        try:
            for channel in channels:
                self._start(channel)
        except BaseException:
            self.close()
            raise
        self.startup_s = time.perf_counter() - started  # pool start-up, reported on its own
        self.isolation = channels[0].isolation

    def _spawn(self) -> Channel:
        raise NotImplementedError

    def _start(self, channel: Channel) -> None:
        hello = await_ready(channel, time.monotonic() + self.start_timeout_s)
        channel.hello = hello
        channel.isolation = str(hello.get("isolation", "unknown"))
        self._idle.put(channel)

    def _replace(self, channel: Channel) -> None:
        channel.kill()
        with self._lock:
            if channel in self._live:
                self._live.remove(channel)
            self.replaced += 1
            if self._closed:
                return
        fresh = self._spawn()
        with self._lock:
            self._live.append(fresh)
        self._start(fresh)

    def run(self, job: dict, timeout_s: float | None = None) -> SandboxResult:
        """Run one job on an idle worker; always returns a SandboxResult."""
        if self._closed:
            raise SandboxError("this sandbox is closed")
        timeout = self.timeout_s if timeout_s is None else timeout_s
        channel = self._idle.get()
        keep = False
        try:
            result, keep = self._exchange(channel, job, timeout)
            return result
        finally:
            if keep:
                self._idle.put(channel)
            else:
                self._replace(channel)

    def _exchange(self, channel: Channel, job: dict, timeout: float) -> tuple[SandboxResult, bool]:
        try:
            sent = self._send(channel, job, timeout)
        except (WorkerGone, OSError):
            status, message = channel.death()
            return SandboxResult(status, None, message, channel.isolation), False
        if isinstance(sent, SandboxResult):
            return sent, True
        return self._reply(channel, sent, timeout)

    def _send(self, channel: Channel, job: dict, timeout: float) -> int | SandboxResult:
        """Send `job`; its request id, or its result when it cannot be sent (not JSON-able).
        Raises WorkerGone (or OSError) when the worker is gone."""
        request_id = next(self._ids)
        try:
            request = json.dumps({"id": request_id, "job": job, "cpu_s": min(self.cpu_s, timeout)})
        except (TypeError, ValueError) as exc:
            message = f"job is not JSON-able: {exc}"
            return SandboxResult("error", None, message, channel.isolation)
        channel.send(request.encode() + b"\n")
        return request_id

    def _reply(self, channel: Channel, request_id: int,
               timeout: float) -> tuple[SandboxResult, bool]:
        """Wait up to `timeout` seconds for the reply to `request_id`, the job the worker
        runs now; (its result, whether the worker can be kept)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                line = channel.read_line(deadline)
                if line is None:
                    channel.kill()
                    message = f"killed after {timeout:g} s wall clock"
                    return SandboxResult("timeout", None, message, channel.isolation), False
                try:
                    reply = json.loads(line)
                except ValueError:
                    continue  # stray bytes, not the worker's reply
                if isinstance(reply, dict) and reply.get("id") == request_id:
                    break
        except (WorkerGone, OSError):
            status, message = channel.death()
            return SandboxResult(status, None, message, channel.isolation), False
        status = reply.get("status") if reply.get("status") in STATUSES else "error"
        value = reply.get("value") if status == "ok" else None
        message = str(reply.get("message", status))[:500]
        keep = not reply.get("recycle", False)
        return SandboxResult(status, value, message, channel.isolation), keep

    def run_many(self, jobs: list[dict], timeout_s: float | None = None) -> list[SandboxResult]:
        """Run jobs in parallel over the pool; results come back in the jobs' order.

        Each worker is sent its next job before it has answered the one it runs, so it goes
        from one job to the next without waiting for a round trip; a job's clock starts
        when the worker can start it (its reply to the job before). A job sent to a worker
        that is then replaced (a timeout, a crash, or at the worker's own request) has not
        run, or ran on a worker in an unknown state: it runs again on the next worker.
        """
        if self._closed:
            raise SandboxError("this sandbox is closed")
        jobs = list(jobs)
        if not jobs:
            return []
        timeout = self.timeout_s if timeout_s is None else timeout_s
        results: list[SandboxResult | None] = [None] * len(jobs)
        waiting = deque(range(len(jobs)))
        lock = threading.Lock()

        def take() -> int | None:
            with lock:
                return waiting.popleft() if waiting else None

        def put_back(indices: list[int]) -> None:
            with lock:
                waiting.extendleft(reversed(indices))

        def drive() -> None:
            channel = self._idle.get()
            sent: deque[tuple[int, int]] = deque()  # (job index, request id), oldest first
            try:
                while True:
                    gone = False
                    while len(sent) < 2:
                        index = take()
                        if index is None:
                            break
                        try:
                            request = self._send(channel, jobs[index], timeout)
                        except (WorkerGone, OSError):
                            put_back([index])
                            gone = True
                            break
                        if isinstance(request, SandboxResult):
                            results[index] = request
                        else:
                            sent.append((index, request))
                    if not sent:
                        if not gone:
                            return
                        self._replace(channel)  # it died idle: nothing of ours ran on it
                        channel = self._idle.get()
                        continue
                    index, request_id = sent.popleft()
                    results[index], keep = self._reply(channel, request_id, timeout)
                    if not keep:
                        put_back([queued for queued, _ in sent])
                        sent.clear()
                        self._replace(channel)
                        channel = self._idle.get()
            finally:
                if sent:  # replies still owed: the worker is out of step
                    self._replace(channel)
                else:
                    self._idle.put(channel)

        drivers = min(self.workers, len(jobs))
        if drivers == 1:
            drive()  # one driver: no thread to start (most calls run one job)
        else:
            with ThreadPoolExecutor(max_workers=drivers) as executor:
                for future in [executor.submit(drive) for _ in range(drivers)]:
                    future.result()
        missing = SandboxResult("error", None, "the job was not run", self.isolation)
        return [result if result is not None else missing for result in results]

    def close(self) -> None:
        """Kill every worker; safe to call twice."""
        with self._lock:
            self._closed = True
            live, self._live = self._live, []
        for channel in live:
            channel.kill()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()
