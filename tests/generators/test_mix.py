"""The task mix as a library function (what gen-traces and training draw from)."""

from __future__ import annotations

import pytest

from generators.mix import task_mix


def test_every_task_of_the_level_in_equal_shares_with_overrides_where_they_apply() -> None:
    specs = task_mix("primary", ("math", "code"), overrides={"slip_rate": 0.0, "max_steps": 50})
    names = [s.task.name for s in specs]
    assert "column_arithmetic" in names and "bug_finding" in names
    assert {s.weight for s in specs} == {1.0}
    assert all(s.config.slip_rate == 0.0 for s in specs)
    code = [s for s in specs if s.task.domain == "code"]
    assert code and all(s.config.max_steps == 50 for s in code)
    assert not any(hasattr(s.config, "max_steps") for s in specs if s.task.domain == "math")


def test_the_bug_rate_is_bug_findings_share_of_the_code_items() -> None:
    specs = {s.task.name: s.weight for s in task_mix("middle", ("code",), bug_rate=0.5)}
    total = sum(specs.values())
    assert specs["bug_finding"] / total == pytest.approx(0.5)
    assert "bug_finding" not in {s.task.name for s in task_mix("middle", ("code",), bug_rate=0.0)}


def test_programs_first_puts_output_prediction_first() -> None:
    specs = task_mix("high", ("code",), programs_first=True)
    assert specs[0].task.name == "output_prediction"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "kindergarten"}, "unknown level"),
        ({"level": "primary", "tasks": ["nosuch"]}, "unknown task"),
        ({"level": "preschool", "tasks": ["quadratics"]}, "have no level"),
        ({"level": "primary", "bug_rate": 1.5}, r"\[0, 1\]"),
    ],
)
def test_bad_mixes_say_how_to_fix_them(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        task_mix(**kwargs)
