"""`cli.common.run`: how a command body's end becomes an exit code."""

from __future__ import annotations

from cli.common import run


def _interrupt_then_broken_pipe():
    try:
        raise KeyboardInterrupt
    finally:  # clean-up that finds a worker's pipe closed by the same Ctrl-C
        raise BrokenPipeError


def test_an_interrupt_whose_clean_up_breaks_a_pipe_is_still_an_interrupt(capsys):
    assert run("prog", _interrupt_then_broken_pipe) == 130
    assert capsys.readouterr().err == "prog: interrupted\n"


def test_an_interrupt_ends_with_130_and_one_line(capsys):
    def body():
        raise KeyboardInterrupt

    assert run("prog", body) == 130
    assert capsys.readouterr().err == "prog: interrupted\n"
