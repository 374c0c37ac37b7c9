"""Secrets on disk stay secret: a sandboxed program reads only what an unprivileged user could.

A module fixture writes a random token into a mode-600 file in the project's own tree
(bound into both sandboxes) and into a file in the home of the user running the tests
(/root, mode 0700, in CI: a root-only file), and the programs in `hostile.secret_programs`
try to read them, /etc/shadow and /proc/1/environ, with the audit hook armed and disarmed.
The test fails if the token shows in any result, output or error text, or in the records
of a real `gen-traces --programs` run. Docker tests never skip (see test_sandbox.py).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tracer.sandbox import DockerSandbox, ProcessSandbox

_spec = importlib.util.spec_from_file_location(
    "hostile_programs", Path(__file__).with_name("hostile_programs.py"))
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

REPO = Path(__file__).resolve().parents[2]
LIMITS = {"workers": 1, "timeout_s": 5.0, "cpu_s": 5.0, "memory_mb": 256}
BACKENDS = ["process", pytest.param("docker", marks=pytest.mark.docker)]


@pytest.fixture(scope="module")
def token_files():
    """(token, paths): the token in a 0600 file in the project and one in the user's home."""
    token = "blueberry-token-" + secrets.token_hex(12)
    paths = [REPO / "tracer" / f".secret-{secrets.token_hex(4)}",
             Path.home() / f".blueberry-secret-{secrets.token_hex(4)}"]
    try:
        for path in paths:
            path.write_text(token + "\n")
            path.chmod(0o600)
        yield token, [str(p) for p in paths]
    finally:
        for path in paths:
            path.unlink(missing_ok=True)


def _pool(backend: str, request) -> ProcessSandbox | DockerSandbox:
    if backend == "docker":
        request.getfixturevalue("docker_engine")
        return DockerSandbox(**LIMITS)
    return ProcessSandbox(**LIMITS)


def _unprivileged(isolation: str) -> bool:
    return isolation.startswith("docker") or "uid 65534" in isolation


@pytest.mark.parametrize("backend", BACKENDS)
def test_secret_files_stay_unread_with_or_without_the_audit_hook(backend, request, token_files):
    token, paths = token_files
    cases = hostile.secret_programs(paths)
    with _pool(backend, request) as pool:
        if not _unprivileged(pool.isolation):  # same uid as the user: the report says so
            assert "its files readable" in pool.isolation, pool.isolation
            pytest.fail(f"this test needs root, as in CI (sandbox: {pool.isolation})")
        for disarmed in (False, True):
            jobs = [{"kind": "exec", "code": (hostile.DISARM_GUARD if disarmed else "") + code}
                    for _, code, _ in cases]
            jobs.append({"kind": "trace", "code": hostile.SECRET_FUNCTION.format(path=paths[0]),
                         "func": "f", "args": "0", "max_steps": 100, "timeout_s": 5.0,
                         "check": None})  # fmt: skip
            results = pool.run_many(jobs)
            for (name, _, expected), result in zip(cases, results, strict=False):
                assert token not in repr(result), f"{name} (hook disarmed: {disarmed}): {result}"
                if not disarmed:
                    assert result.status == expected, f"{name}: {result}"
                elif expected == "error":  # files: the OS refuses (environ: see the hook)
                    assert result.status != "ok", f"{name} read a secret: {result}"
            trace = results[-1]
            assert trace.status == "ok", trace  # the trace runs; the program's read fails
            assert trace.value["exception"] and "Error" in trace.value["exception"], trace
            assert token not in repr(trace)
        assert pool.run({"kind": "exec", "code": hostile.NORMAL_PROGRAM}).value == hostile.NORMAL_RESULT


@pytest.mark.parametrize("backend", BACKENDS)
def test_jobs_run_without_any_capability_and_still_trace(backend, request):
    code = ("import os\ncaps = {}\nfor line in open('/proc/self/status'):\n"
            "    if line.startswith('Cap'):\n        caps[line[:6]] = int(line.split()[1], 16)\n"
            "result = (os.getuid(), os.getgid(), os.getgroups(), caps)")
    trace = {"kind": "trace", "code": "def f(xs):\n    return sorted(set(xs))", "func": "f",
             "args": "['b', 'a', 'b']", "max_steps": 100, "timeout_s": 5.0, "check": None}
    with _pool(backend, request) as pool:
        result = pool.run({"kind": "exec", "code": code})
        traced = pool.run(trace)
    assert result.status == "ok", result
    uid, gid, groups, caps = ast.literal_eval(result.value["result"])
    assert caps["CapEff"] == caps["CapPrm"] == caps["CapAmb"] == 0, caps
    if backend == "process" and os.geteuid() == 0:
        assert (uid, gid, groups) == (65534, 65534, []), result.value
    if backend == "docker":
        assert (uid, gid) == (1000, 1000)
    assert traced.status == "ok" and traced.value["return_repr"] == "['a', 'b']", traced


def test_a_code_directory_the_sandbox_user_cannot_read_is_a_clear_error(tmp_path):
    # The worker has no capability left to read its own code with: a checkout nobody may
    # read must stop the pool with a line that says how to fix it, not fail mid-job.
    import shutil

    shutil.copytree(REPO / "tracer", tmp_path / "tracer",
                    ignore=shutil.ignore_patterns("__pycache__", ".secret-*"))  # fmt: skip
    tmp_path.chmod(0o700)
    script = ("import sys; sys.path.insert(0, sys.argv[1])\n"
              "from tracer.sandbox import ProcessSandbox, SandboxError\n"
              "try:\n    ProcessSandbox(workers=1).close()\n    print('started')\n"
              "except SandboxError as exc:\n    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    if os.geteuid() == 0:
        assert "not readable by uid 65534" in proc.stdout and "chmod o+rx" in proc.stdout, proc.stdout
    else:
        assert proc.stdout.strip() == "started"


@pytest.mark.parametrize("backend", BACKENDS)
def test_gen_traces_records_never_carry_a_secret(backend, request, token_files, tmp_path):
    """The issue's reproduction, end to end: programs that return secrets as their answer.
    The token is also in gen-traces' own environment, for the /proc/PID/environ cases."""
    if backend == "docker":
        request.getfixturevalue("docker_engine")
    token, paths = token_files
    targets = [*paths, "/etc/shadow", "/proc/1/environ"]
    lines = [hostile.secret_program_line(path) for path in targets]
    lines.append(hostile.secret_program_line(None))  # the environ of gen-traces' own process
    programs = tmp_path / "programs.jsonl"
    programs.write_text("".join(line + "\n" for line in lines))
    out = tmp_path / "out"
    env = dict(os.environ, BLUEBERRY_SECRET_TOKEN=token)
    proc = subprocess.run(
        [sys.executable, "-m", "cli.gen_traces", "--domain", "code", "--level", "middle",
         "--programs", str(programs), "--sandbox", backend, "-o", str(out), "-q"],
        capture_output=True, text=True, timeout=300, cwd=REPO, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "manifest.json").exists()
    assert token not in proc.stdout + proc.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), f"{path.name} holds the token"
