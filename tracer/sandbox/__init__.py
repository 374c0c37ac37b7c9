"""Sandboxes that run generated or mutated code outside the generator's process.

Two backends behind one interface (`Sandbox`: run, run_many, close, context manager):
`process` (default, a pool of limited worker processes) and `docker` (a pool of
long-lived containers). Every job ends in a `SandboxResult` whose status is one of
ok / timeout / memory / forbidden / error, and the pool carries on.

Importing this package needs the standard library only (the Docker SDK is imported when
a DockerSandbox is made), because the same package runs inside the workers.
"""

from __future__ import annotations

import os
from typing import Any

from tracer.sandbox.base import STATUSES, Sandbox, SandboxError, SandboxResult
from tracer.sandbox.docker_backend import DEFAULT_IMAGE, DockerSandbox
from tracer.sandbox.process import ProcessSandbox

BACKENDS = ("process", "docker")


def get_sandbox(backend: str = "process", **kw: Any) -> Sandbox:
    """Make a sandbox of the named backend; keyword arguments go to its constructor.

    The docker backend's image defaults to `$BLUEBERRY_SANDBOX_IMAGE`, else DEFAULT_IMAGE.
    """
    if backend == "process":
        return ProcessSandbox(**kw)
    if backend == "docker":
        kw.setdefault("image", os.environ.get("BLUEBERRY_SANDBOX_IMAGE") or DEFAULT_IMAGE)
        return DockerSandbox(**kw)
    raise ValueError(f"unknown sandbox backend {backend!r}; choose one of: {', '.join(BACKENDS)}")


__all__ = [
    "BACKENDS",
    "DEFAULT_IMAGE",
    "STATUSES",
    "DockerSandbox",
    "ProcessSandbox",
    "Sandbox",
    "SandboxError",
    "SandboxResult",
    "get_sandbox",
]
