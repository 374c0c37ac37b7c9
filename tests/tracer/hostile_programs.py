"""Hostile programs every sandbox backend must contain, each with the status it must end in.

Each entry is (name, source, expected status). The sources run as "exec" jobs; none of
them may harm the test process, and the pool must run a normal program right after.
"""

from __future__ import annotations

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
]

# A normal program and what it must return, run after every hostile one.
NORMAL_PROGRAM = "total = 0\nfor i in range(10):\n    total += i\nprint(total)\nresult = [total, 'ok']\n"
NORMAL_RESULT = {"stdout": "45\n", "result": "[45, 'ok']"}
