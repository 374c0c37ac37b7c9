"""What every command shares: an argument parser whose errors are one line, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from rich.console import Console

EXIT_BAD_INPUT = 2


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(f"{self.prog}: {message} (see {self.prog} --help)")


class PipeConsole(Console):
    """A rich Console for stdout that treats a closed pipe (`cmd | head`) as a normal end."""

    def on_broken_pipe(self) -> None:
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise BrokenPipeError


def fail(message: str) -> None:
    """End the command with one clear line on stderr and exit code 2."""
    print(message, file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _interrupted(error: BaseException) -> bool:
    """True when `error` was raised while handling a KeyboardInterrupt (Ctrl-C, SIGINT)."""
    seen = error.__context__
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__context__
    return False


def run(prog: str, body: Callable[[], int | None],
        bad_input: tuple[type[BaseException], ...] = ()) -> int:  # fmt: skip
    """Run a command body; bad input (ValueError, OSError and the `bad_input` errors) ends
    in one line and exit 2."""
    try:
        return body() or 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError as e:
        if _interrupted(e):  # an interrupt whose clean-up broke a worker's pipe
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        # `cmd | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError, *bad_input) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if isinstance(e, OSError) and e.strerror:  # not "[Errno 17] File exists: 'x'"
            msg = f"{e.filename}: {e.strerror}" if e.filename else e.strerror
        print(f"{prog}: {msg}", file=sys.stderr)
        return EXIT_BAD_INPUT


def run_torch(prog: str, body: Callable[[], int | None], threads: int = 0) -> int:
    """`run` for a training command: torch's threads set first (0: torch's default), and the
    torchrun process group, if one was started, destroyed however the body ends."""
    def with_threads() -> int | None:
        if threads:
            import torch

            torch.set_num_threads(threads)
        return body()

    code = None
    try:
        code = run(prog, with_threads)  # CheckpointError and DatasetError are ValueErrors
        return code
    finally:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            # A rank that finished waits for the others (rank 0 still writing the final
            # checkpoint and report): gloo torn down under a peer that is still connected
            # can abort the process ("terminate called without an active exception"). A rank
            # that failed does not wait: its peers may be inside another collective.
            if code == 0:
                dist.barrier()
            dist.destroy_process_group()
