"""Fixtures shared across the test packages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tracer.sandbox import DockerSandbox, SandboxError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """Make sure a Docker engine and the sandbox image are up, starting them if needed.

    Docker tests never skip: if the engine cannot be started they fail, saying why.
    """
    try:
        DockerSandbox(workers=1).close()
        return
    except SandboxError:
        pass
    proc = subprocess.run([str(REPO / ".ci" / "start-dockerd.sh")], capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    if proc.returncode != 0:
        pytest.fail(f"docker tests need an engine: {proc.stderr.strip() or proc.stdout.strip()}")
