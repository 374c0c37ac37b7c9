"""Sandboxes: the job registry, both backends against the hostile-program suite, pool reuse.

Docker tests run for real against a local engine: if it is not up, a session fixture runs
.ci/start-dockerd.sh, and if that fails the tests fail (they never skip).
"""

from __future__ import annotations

import ast
import importlib.util
import os
from pathlib import Path

import pytest

from tracer.jobs import BoundedWriter, OutputLimitExceeded, run_exec, run_job
from tracer.sandbox import (
    STATUSES,
    DockerSandbox,
    ProcessSandbox,
    SandboxError,
    SandboxResult,
    get_sandbox,
)

_spec = importlib.util.spec_from_file_location(
    "hostile_programs", Path(__file__).with_name("hostile_programs.py"))
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

REPO = Path(__file__).resolve().parents[2]
SECRET = "blueberry-parent-secret-7f3a9c"
LIMITS = {"workers": 2, "timeout_s": 1.5, "cpu_s": 1.5, "memory_mb": 256}
os.environ["BLUEBERRY_SANDBOX_TEST_SECRET"] = SECRET  # set before any worker starts


def _exec(code: str) -> dict:
    return {"kind": "exec", "code": code}


def _assert_clean(result: SandboxResult) -> None:
    assert SECRET not in repr(result), "the parent's environment leaked into a result"


@pytest.fixture(scope="module")
def process_pool():
    with ProcessSandbox(**LIMITS) as pool:
        yield pool


@pytest.fixture(scope="module")
def docker_pool(docker_engine):
    with DockerSandbox(**LIMITS) as pool:
        yield pool


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
def pool(request):
    return request.getfixturevalue(f"{request.param}_pool")


# --- jobs -------------------------------------------------------------------------------


def test_run_exec_returns_output_and_result_repr():
    assert run_exec(_exec("print('a', 1)\nresult = {'k': (1, 2)}")) == {
        "stdout": "a 1\n", "result": "{'k': (1, 2)}"}
    assert run_exec(_exec("x = 1"))["result"] is None


def test_run_job_rejects_unknown_kinds_and_bad_jobs():
    with pytest.raises(ValueError, match="exec"):
        run_job({"kind": "compile-the-kernel"})
    with pytest.raises(ValueError, match="code"):
        run_job({"kind": "exec"})


def test_bounded_writer_raises_past_its_limit():
    sink = BoundedWriter(10)
    sink.write("0123456789")
    with pytest.raises(OutputLimitExceeded):
        sink.write("x")
    assert sink.getvalue() == "0123456789" and sink.exceeded


def test_get_sandbox_rejects_unknown_backends_naming_the_known_ones():
    with pytest.raises(ValueError, match="process, docker"):
        get_sandbox("vm")


def test_sandbox_result_rejects_unknown_status():
    with pytest.raises(ValueError, match="status"):
        SandboxResult("crashed", None, "x", "none")
    assert set(STATUSES) == {"ok", "timeout", "memory", "forbidden", "error"}


def test_process_sandbox_validates_its_config():
    with pytest.raises(ValueError, match="workers"):
        ProcessSandbox(workers=0)
    with pytest.raises(ValueError, match="memory_mb"):
        ProcessSandbox(memory_mb=8)


# --- both backends -------------------------------------------------------------------------


@pytest.mark.parametrize("name,code,expected", hostile.HOSTILE_PROGRAMS,
                         ids=[p[0] for p in hostile.HOSTILE_PROGRAMS])
def test_hostile_program_is_contained_and_the_pool_carries_on(pool, name, code, expected):
    result = pool.run(_exec(code))
    assert result.status == expected, f"{name}: {result}"
    assert result.value is None and result.message and "\n" not in result.message
    _assert_clean(result)
    after = pool.run(_exec(hostile.NORMAL_PROGRAM))
    assert after.status == "ok", after
    assert after.value == hostile.NORMAL_RESULT


def test_hostile_batch_in_parallel_keeps_order_and_pool(pool):
    programs = hostile.HOSTILE_PROGRAMS
    jobs = []
    for _, code, _ in programs:
        jobs += [_exec(code), _exec(hostile.NORMAL_PROGRAM)]
    results = pool.run_many(jobs)
    assert [r.status for r in results[0::2]] == [p[2] for p in programs]
    assert all(r.value == hostile.NORMAL_RESULT for r in results[1::2])
    for result in results:
        _assert_clean(result)
    assert pool.run(_exec("result = 6 * 7")).value == {"stdout": "", "result": "42"}


def test_worker_environment_is_scrubbed(pool):
    result = pool.run(_exec("import os\nresult = sorted(os.environ)"))
    assert result.status == "ok"
    assert SECRET not in repr(result)
    assert "BLUEBERRY_SANDBOX_TEST_SECRET" not in result.value["result"]


def test_workers_are_reused_and_replaced_only_after_failures(pool):
    before = pool.replaced
    pids = {pool.run(_exec("import os\nresult = os.getpid()")).value["result"] for _ in range(8)}
    assert len(pids) <= pool.workers and pool.replaced == before
    assert pool.run(_exec("while True: pass"), timeout_s=0.5).status == "timeout"
    assert pool.replaced == before + 1


def test_temp_dir_is_writable_and_cleared_between_jobs(pool):
    write = pool.run(_exec("open('note.txt', 'w').write('hi')\nresult = open('note.txt').read()"))
    assert write.value["result"] == "'hi'"
    after = [pool.run(_exec("import os\nresult = os.listdir('.')")) for _ in range(pool.workers)]
    assert all(r.value["result"] == "[]" for r in after)


def test_os_walls_hold_with_the_audit_hook_disarmed(pool):
    # The audit hook is not the boundary: switch it off from inside and try again.
    code = (
        "import gc, os, socket\n"
        "from tracer.sandbox.guard import Guard\n"
        "for o in gc.get_objects():\n"
        "    if isinstance(o, Guard):\n"
        "        o._armed = False\n"
        "out = {}\n"
        "def attempt(name, fn):\n"
        "    try:\n"
        "        fn()\n"
        "        out[name] = 'succeeded'\n"
        "    except (OSError, RuntimeError) as exc:\n"
        "        out[name] = type(exc).__name__\n"
        "attempt('fork', lambda: os._exit(0) if os.fork() == 0 else None)\n"
        "attempt('connect', lambda: socket.create_connection(('1.1.1.1', 80), timeout=1))\n"
        "attempt('write', lambda: open('/etc/blueberry_probe', 'w'))\n"
        "if os.getppid() > 1:\n"
        "    attempt('signal_parent', lambda: os.kill(os.getppid(), 0))\n"
        "result = out\n"
    )
    result = pool.run(_exec(code))
    assert result.status == "ok", result
    outcome = ast.literal_eval(result.value["result"])
    assert outcome["fork"] != "succeeded" and outcome["connect"] != "succeeded"
    if "uid" in result.isolation:  # an unprivileged uid: files and signals are walled too
        assert outcome["write"] != "succeeded"
        assert outcome.get("signal_parent", "none") != "succeeded"
    assert not Path("/etc/blueberry_probe").exists()


def test_process_isolation_is_reported(process_pool):
    assert process_pool.isolation
    assert process_pool.startup_s > 0
    if os.geteuid() == 0:
        assert process_pool.isolation.startswith("netns+mountns")


# --- docker only ----------------------------------------------------------------------------


@pytest.mark.docker
def test_docker_container_settings(docker_pool):
    channel = docker_pool._idle.get()
    try:
        channel.container.reload()
        host = channel.container.attrs["HostConfig"]
        config = channel.container.attrs["Config"]
    finally:
        docker_pool._idle.put(channel)
    assert host["NetworkMode"] == "none" and host["ReadonlyRootfs"] is True
    assert host["Memory"] == 256 * 2**20 and host["PidsLimit"] == 16
    assert config["User"] == "1000:1000" and host["CapDrop"] == ["ALL"]


GIL_HOLDING_JOB = {"kind": "exec", "code": "import re\nre.match('(a*)*b', 'a' * 64)"}


@pytest.mark.docker
def test_containers_end_with_their_pool_process_even_inside_a_long_c_call(docker_engine):
    """SIGKILL the pool's process while both containers run a GIL-holding regex (their
    orphan watch cannot run), a third container of the pool is created but not started and
    a fourth start is under way (as when the process dies while it replaces a worker;
    nothing runs in the created one to end, and the engine makes the fourth after the
    kill): the pool's reaper removes all four within seconds, not after the job's CPU
    budget."""
    import subprocess
    import sys
    import time

    import docker

    script = (
        "import sys, threading, time; sys.path.insert(0, sys.argv[1])\n"
        "from tracer.sandbox import DockerSandbox\n"
        "pool = DockerSandbox(workers=2, cpu_s=120, timeout_s=120)\n"
        f"job = {GIL_HOLDING_JOB!r}\n"
        "for _ in range(2):\n"
        "    threading.Thread(target=pool.run, args=(job,), daemon=True).start()\n"
        "time.sleep(1.5)\n"
        "from tracer.sandbox.docker_backend import POOL_LABEL\n"
        "spare = pool._client.containers.create(pool._image, command=['true'],\n"
        "    labels={'blueberry.sandbox': '1', POOL_LABEL: pool._pool})\n"
        "ids = [c.container.id for c in pool._live] + [spare.id]\n"
        "pool._tell_reaper(b'+')\n"  # a start under way: its create reaches the engine late
        "print(pool._pool, ' '.join(ids), flush=True)\n"
        "time.sleep(600)\n"
    )
    client = docker.from_env()

    def present(ids: set[str]) -> set[str]:
        found = client.api.containers(all=True, filters={"label": "blueberry.sandbox=1"})
        return {c["Id"] for c in found} & ids

    proc = subprocess.Popen([sys.executable, "-c", script, str(REPO)], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        label, *ids = proc.stdout.readline().split()
        ids = set(ids)
        assert len(ids) == 3 and present(ids) == ids
        time.sleep(0.5)
        states = sorted(client.containers.get(i).status for i in ids)
        assert states == ["created", "running", "running"], states
    finally:
        proc.kill()
        proc.wait()
    time.sleep(0.3)
    late = client.containers.create("blueberry-sandbox:latest", command=["true"],
                                    labels={"blueberry.sandbox": "1", "blueberry.pool": label})
    ids.add(late.id)
    deadline = time.monotonic() + 8.0
    while present(ids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = present(ids)
    for name in left:  # do not leave them to the next test
        client.api.remove_container(name, force=True)
    assert not left, "a container outlived its pool's process"


@pytest.mark.docker
def test_a_closed_docker_pool_leaves_no_reaper_or_container(docker_engine):
    import docker

    pool = DockerSandbox(**{**LIMITS, "workers": 1})
    reaper, label = pool._reaper, pool._pool
    assert reaper.poll() is None
    assert pool.run(_exec("result = 6 * 7")).value["result"] == "42"
    pool.close()
    assert reaper.poll() == 0 and pool._reaper is None
    found = docker.from_env().api.containers(all=True, filters={"label": f"blueberry.pool={label}"})
    assert found == []


@pytest.mark.docker
def test_docker_missing_image_is_a_clear_error(docker_engine):
    with pytest.raises(SandboxError, match=r"image .* not found"):
        DockerSandbox(image="blueberry-no-such-image:never")


def test_a_checkout_under_tmp_still_runs_in_the_process_sandbox(tmp_path):
    # The worker hides /tmp behind a private tmpfs; a project checked out under /tmp (as CI
    # may do) must stay readable to it, and still not writable.
    import shutil
    import subprocess
    import sys

    assert str(tmp_path).startswith("/tmp/")
    tmp_path.chmod(0o755)  # a checkout is world-readable: the sandbox user reads only that
    shutil.copytree(REPO / "tracer", tmp_path / "tracer",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    write = {"kind": "exec", "code": f"open({str(tmp_path / 'x')!r}, 'w')"}
    read = {"kind": "exec", "code": f"result = 'def ' in open({str(tmp_path / 'tracer' / 'jobs.py')!r}).read()"}
    trace = {"kind": "trace", "code": "def f(x):\n    return x * 2", "func": "f", "args": "21",
             "max_steps": 100, "timeout_s": 2.0, "check": None}  # fmt: skip
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import tracer; assert tracer.__file__.startswith(sys.argv[1]), tracer.__file__\n"
        "from tracer.sandbox import ProcessSandbox\n"
        "with ProcessSandbox(workers=1) as sb:\n"
        f"    print(sb.run({trace!r}).value['return_repr'])\n"
        f"    print(sb.run({write!r}).status)\n"
        f"    print(sb.run({read!r}).value['result'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["42", "forbidden", "True"]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("backend", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_one_worker_batch_reruns_the_job_queued_behind_a_lost_worker(backend, request):
    """run_many sends a worker its next job before the current one is answered; when the
    worker is lost (a timeout, a memory bomb, the worker exiting), the job queued behind
    must run again on the fresh worker and every result keep its place."""
    if backend == "docker":
        request.getfixturevalue("docker_engine")
    programs = dict((name, code) for name, code, _ in hostile.HOSTILE_PROGRAMS)
    killers = [("infinite_loop", "timeout"), ("memory_bomb", "memory"),
               ("exit_the_worker", "error")]
    jobs, expected = [], []
    for name, status in killers:
        jobs += [_exec(hostile.NORMAL_PROGRAM), _exec(programs[name])]
        expected += ["ok", status]
    jobs.append(_exec(hostile.NORMAL_PROGRAM))
    expected.append("ok")
    sandbox = ProcessSandbox if backend == "process" else DockerSandbox
    with sandbox(**{**LIMITS, "workers": 1}) as pool:
        results = pool.run_many(jobs)
        assert [r.status for r in results] == expected
        assert all(r.value == hostile.NORMAL_RESULT for r in results if r.status == "ok")
        assert pool.replaced >= len(killers)
        assert pool.run(_exec("result = 6 * 7")).value == {"stdout": "", "result": "42"}


@pytest.mark.parametrize("backend", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_hashing_is_the_same_in_every_fresh_sandbox(backend, request):
    """A program that prints a set of strings prints the same bytes in two fresh sandboxes,
    and they are the bytes of PYTHONHASHSEED=0 (which `python -I` would ignore)."""
    import subprocess
    import sys

    if backend == "docker":
        request.getfixturevalue("docker_engine")
    code = ("words = {'apple', 'banana', 'cherry', 'damson', 'elder', 'fig', 'grape'}\n"
            "print(words)\nprint(hash('blueberry'))\nresult = list(frozenset(words))\n")
    sandbox = ProcessSandbox if backend == "process" else DockerSandbox
    runs = []
    for _ in range(2):
        with sandbox(**{**LIMITS, "workers": 1}) as pool:
            result = pool.run(_exec(code))
        assert result.status == "ok", result
        runs.append(result.value)
    assert runs[0] == runs[1]
    expected = subprocess.run([sys.executable, "-c", code + "print(repr(result))"],
                              capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"}).stdout  # fmt: skip
    assert runs[0]["stdout"] + runs[0]["result"] + "\n" == expected


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"  # a zombie has ended; init reaps it


def test_workers_die_with_their_pool_process_even_inside_a_long_c_call():
    """SIGKILL the pool's process while its (replacement) worker runs a regex that holds
    the GIL for minutes: the kernel's parent-death signal ends the worker at once."""
    import subprocess
    import sys
    import time

    script = (
        "import sys, threading, time; sys.path.insert(0, sys.argv[1])\n"
        "from tracer.sandbox import ProcessSandbox\n"
        "pool = ProcessSandbox(workers=1, cpu_s=120, timeout_s=120)\n"
        # The first worker exits: its replacement is started from one of run_many's threads.
        "pool.run_many([{'kind': 'exec', 'code': 'import os\\nos._exit(0)'}])\n"
        "job = {'kind': 'exec', 'code': \"import re\\nre.match('(a*)*b', 'a' * 64)\"}\n"
        "threading.Thread(target=pool.run, args=(job,), daemon=True).start()\n"
        "time.sleep(1.0)\n"
        "print(pool._live[0].proc.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(REPO)], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        worker = int(proc.stdout.readline())
        assert _alive(worker)
        time.sleep(0.5)
        assert _alive(worker), "the worker must still be running the regex"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 3.0
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker), "the worker outlived its pool's process"
