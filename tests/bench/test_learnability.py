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
