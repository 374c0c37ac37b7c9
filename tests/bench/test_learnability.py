"""The learnability benchmark's partial credit: answer digits in place, aligned on the ones."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "learnability", Path(__file__).parents[2] / "bench" / "learnability.py")
learnability = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(learnability)


@pytest.mark.parametrize(("answer", "expected", "share"), [
    ("393", "393", 1.0), ("395", "393", 2 / 3), ("93", "393", 2 / 3), ("1393", "393", 3 / 4),
    ("933", "393", 1 / 3), (None, "393", 0.0), ("", "393", 0.0), ("-12", "-12", 1.0), ("x", "", 0.0),
])  # fmt: skip
def test_digit_share(answer, expected, share):
    assert learnability.digit_share(answer, expected) == pytest.approx(share)


_errs_spec = importlib.util.spec_from_file_location(
    "column_errors", Path(__file__).parents[2] / "bench" / "column_errors.py")
column_errors = importlib.util.module_from_spec(_errs_spec)
_errs_spec.loader.exec_module(column_errors)

TRUE = ["ones: 5 - 1 = 4, write 4", "tens: 2 + 10 - 9 = 3, write 3, borrow 1", "read the written digits: 34"]


@pytest.mark.parametrize(("got", "kind"), [
    (TRUE, "output differs from the last step"),
    (TRUE[:2], "steps missing or extra"),
    (["ones: 5 - 1 = 3, write 3", *TRUE[1:]], "column: right terms, wrong sum"),
    ([TRUE[0], "tens: 2 - 9 = 7, write 7", TRUE[2]], "column: wrong terms (digit or carry/borrow)"),
    ([*TRUE[:2], "read the written digits: 43"], "read-back of the written digits"),
])  # fmt: skip
def test_column_errors_classify_the_first_difference(got, kind):
    assert column_errors.classify(got, TRUE) == kind


@pytest.mark.parametrize(("answer", "right"), [
    ("393", True), (" 393 ", True), ("394", False), ("0393", False), (None, False), ("", False),
])  # fmt: skip
def test_column_errors_recompute_from_the_prompt(answer, right):
    assert column_errors.recomputed("Compute 1003 - 610 column by column.", answer) is right
    assert column_errors.recomputed("Compute 4784 + 8757 column by column.", "13541")


def test_runs_one_per_form_without_lrs_and_one_per_form_and_lr_with_them():
    assert learnability.runs(["short", "chain"], []) == [("short", "short", None), ("chain", "chain", None)]
    assert learnability.runs(["short"], [1e-3, 3e-3]) == [("short-lr0.001", "short", 1e-3),
                                                         ("short-lr0.003", "short", 3e-3)]


def test_command_passes_the_lr_only_when_given():
    import argparse

    args = argparse.Namespace(level="primary", task="column_arithmetic", preset="tiny", seed=0, tokens=10,
                              exam_every=0, exam_size=5, exam_max_tokens=8, threads=1, batch_size=2,
                              lr_decay=0.3)
    assert "--lr" not in learnability.command(args, "short", Path("x"))
    cmd = learnability.command(args, "short", Path("x"), 3e-3)
    assert cmd[cmd.index("--lr") + 1] == "0.003"


def test_command_starts_from_init_when_given():
    import argparse

    args = argparse.Namespace(level="primary", task="output_prediction", preset="tiny", seed=0, tokens=10,
                              exam_every=0, exam_size=5, exam_max_tokens=8, threads=1, batch_size=2,
                              lr_decay=0.3, init=None)
    assert "--init" not in learnability.command(args, "chain", Path("x"))
    args.init = "runs/hour/level-preschool"
    cmd = learnability.command(args, "chain", Path("x"))
    assert cmd[cmd.index("--init") + 1] == "runs/hour/level-preschool"
    assert "--precision" not in cmd
    args.precision = "fp32"
    cmd = learnability.command(args, "chain", Path("x"))
    assert cmd[cmd.index("--precision") + 1] == "fp32"


def test_a_missing_init_is_one_line_and_exit_2(tmp_path):
    import subprocess
    import sys

    script = Path(__file__).parents[2] / "bench" / "learnability.py"
    r = subprocess.run([sys.executable, str(script), "--forms", "chain", "--init", str(tmp_path / "nope"),
                        "--out", str(tmp_path / "out")], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "not a checkpoint directory" in r.stderr
