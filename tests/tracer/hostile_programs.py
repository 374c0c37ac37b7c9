"""Hostile programs every sandbox backend must contain, each with the status it must end in.

Each entry is (name, source, expected status). The sources run as "exec" jobs; none of
them may harm the test process, and the pool must run a normal program right after.
`secret_programs(paths)` adds the programs that try to read secret files a test wrote.
"""

from __future__ import annotations

import json

HOSTILE_PROGRAMS: list[tuple[str, str, str]] = [
    ("infinite_loop", "while True:\n    pass\n", "timeout"),
    ("fork_bomb", "import os\nwhile True:\n    os.fork()\n", "forbidden"),
    ("memory_bomb", "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 2**20))\n", "memory"),
    ("output_flood", "while True:\n    print('x' * 1000)\n", "error"),
    (
        "output_flood_swallowing_errors",
        "while True:\n    try:\n        print('y' * 1000)\n    except Exception:\n        pass\n",
        "error",
    ),
    ("open_socket", "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)\n", "forbidden"),
    ("write_outside_tmp", "open('/etc/blueberry_pwned', 'w').write('x')\n", "forbidden"),
    ("write_escaping_tmp", "open('../../blueberry_pwned', 'w').write('x')\n", "forbidden"),
    ("delete_outside_tmp", "import os\nos.remove('/etc/hostname')\n", "forbidden"),
    (
        "read_parent_environ",
        "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())\n",
        "forbidden",
    ),
    ("os_system", "import os\nos.system('echo pwned > /tmp/pwned')\n", "forbidden"),
    ("subprocess", "import subprocess\nsubprocess.run(['ls', '/'])\n", "forbidden"),
    ("deep_recursion", "def f(n):\n    return f(n + 1)\nf(0)\n", "error"),
    (
        "deep_recursion_past_the_c_stack",
        # __getattr__ re-entered through getattr() recurses on the C stack: a segfault.
        "import sys\nsys.setrecursionlimit(10**8)\nclass A:\n    def __getattr__(self, name):\n"
        "        return getattr(self, name)\nA().x\n",
        "error",
    ),
    ("kill_parent", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n", "forbidden"),
    (
        "ignore_signals",
        "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass\n",
        "timeout",
    ),
    (
        "catch_the_refusal",
        "try:\n    import socket\n    socket.socket()\nexcept BaseException:\n    pass\n"
        "result = 'escaped'\n",
        "forbidden",
    ),
    ("load_native_code", "import ctypes\nctypes.CDLL(None).getpid()\n", "forbidden"),
    ("exit_the_worker", "import os\nos._exit(0)\n", "error"),
    ("raise_system_exit", "raise SystemExit(3)\n", "error"),
    # Secrets on disk: the sandbox user may not read them (process: uid 65534 with no
    # capabilities; docker: nothing of the host but tracer/ is there).
    ("read_etc_shadow", "print(open('/etc/shadow').read())\n", "error"),
    ("read_pid1_environ", "print(open('/proc/1/environ').read())\n", "forbidden"),
    (
        "list_root_home",
        # Only the worker's interpreter and code may show under /root (bound back
        # read-only, where they live there), nothing else.
        "import os, sys\nours = {p.split('/')[2] for p in (sys.path[0], sys.prefix, sys.base_prefix)\n"
        "        if p.startswith('/root/')}\nseen = [n for n in os.listdir('/root') if n not in ours]\n"
        "if not seen:\n    raise FileNotFoundError('nothing else under /root')\nresult = seen\n",
        "error",
    ),
]

# Switches the audit hook off from inside, to show the OS walls hold without it.
DISARM_GUARD = (
    "import gc\nfrom tracer.sandbox.guard import Guard\n"
    "for _o in gc.get_objects():\n    if isinstance(_o, Guard):\n        _o._armed = False\n"
)
# A traced function that returns a secret as its answer (the reproduction).
SECRET_FUNCTION = "def f(x):\n    return open({path!r}).read()[:50]\n"
_PARENT_ENVIRON = "f'/proc/{os.getppid()}/environ'"


def _path_source(path: str | None) -> str:
    return _PARENT_ENVIRON if path is None else repr(path)


def secret_programs(paths: list[str]) -> list[tuple[str, str, str]]:
    """Programs that try to print, return or raise the contents of each secret file in
    `paths`, /etc/shadow, /proc/1/environ and their parent's environ."""
    targets = [(f"secret_{i}", repr(p), "error") for i, p in enumerate(paths)]
    targets += [("etc_shadow", repr("/etc/shadow"), "error"),
                ("pid1_environ", repr("/proc/1/environ"), "forbidden"),
                ("parent_environ", _PARENT_ENVIRON, "forbidden")]
    programs = []
    for label, source, expected in targets:
        programs.append((f"print_{label}", f"import os\ndata = open({source}).read()\n"
                         "print(data)\nresult = data\n", expected))
        programs.append((f"raise_{label}", f"import os\nraise RuntimeError(open({source}).read())\n",
                         expected))
    return programs


def secret_program_line(path: str | None) -> str:
    """A `--programs` JSONL line whose f returns the start of `path` (None: the parent's
    environ) as its answer."""
    code = f"import os\n\ndef f(x):\n    return open({_path_source(path)}).read()[:50]\n"
    return json.dumps({"code": code, "input": "0"})

# A normal program and what it must return, run after every hostile one.
NORMAL_PROGRAM = "total = 0\nfor i in range(10):\n    total += i\nprint(total)\nresult = [total, 'ok']\n"
NORMAL_RESULT = {"stdout": "45\n", "result": "[45, 'ok']"}
