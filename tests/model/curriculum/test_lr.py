"""The learning-rate schedule: warm-up, then constant, or a decay at the end of a stage."""

from __future__ import annotations

import pytest

from model.curriculum.loop import CurriculumConfig, lr_at


def cfg(**kw) -> CurriculumConfig:
    return CurriculumConfig(level="preschool", out="x", lr=1e-3, warmup=10, tokens_per_level=1000, **kw)


def test_warmup_then_constant_without_decay():
    assert cfg().lr_decay == 0.3  # the default decays; 0 turns it off
    c = cfg(lr_decay=0.0)
    assert lr_at(c, 0, 0, 0.0) == pytest.approx(1e-4)
    assert lr_at(c, 4, 0, 0.0) == pytest.approx(5e-4)
    assert lr_at(c, 9, 0, 0.0) == pytest.approx(1e-3)
    # No decay: the end of the stage's budget and of the wall clock change nothing.
    assert lr_at(c, 500, 999, 10**6) == pytest.approx(1e-3)


def test_decay_over_the_last_share_of_the_token_budget():
    c = cfg(lr_decay=0.2)
    assert lr_at(c, 100, 0, 0.0) == pytest.approx(1e-3)
    assert lr_at(c, 100, 800, 0.0) == pytest.approx(1e-3)  # the decay starts at 80%
    assert lr_at(c, 100, 900, 0.0) == pytest.approx(1e-3 * (0.1 + 0.9 * 0.5))
    assert lr_at(c, 100, 1000, 0.0) == pytest.approx(1e-4)
    assert lr_at(c, 100, 5000, 0.0) == pytest.approx(1e-4)  # past the budget: the floor
    # Warm-up and decay multiply.
    assert lr_at(c, 4, 1000, 0.0) == pytest.approx(5e-5)


def test_the_wall_clock_decays_too_whichever_ends_first():
    c = cfg(lr_decay=0.5, max_minutes=10)
    assert lr_at(c, 100, 0, 0.0) == pytest.approx(1e-3)
    assert lr_at(c, 100, 0, 450.0) == pytest.approx(1e-3 * (0.1 + 0.9 * 0.5))  # 3/4 of 10 minutes
    assert lr_at(c, 100, 900, 60.0) == pytest.approx(1e-3 * (0.1 + 0.9 * 0.2))  # tokens end first
    assert lr_at(c, 100, 0, 600.0) == pytest.approx(1e-4)


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_a_decay_share_outside_0_1_is_refused(bad):
    with pytest.raises(ValueError, match="--lr-decay must lie in"):
        cfg(lr_decay=bad)


def test_each_stage_decays_over_its_own_budget():
    c = CurriculumConfig(level="primary", out="x", lr=1e-3, warmup=1, tokens_per_level=(1000, 4000))
    assert [c.budget(i) for i in range(3)] == [1000, 4000, 4000]  # the last one holds on
    assert c.exam_interval(0) == 250 and c.exam_interval(1) == 1000
    assert lr_at(c, 100, 1000, 0.0, stage=0) == pytest.approx(1e-4)
    assert lr_at(c, 100, 1000, 0.0, stage=1) == pytest.approx(1e-3)  # 1000 of 4000: no decay yet
    assert lr_at(c, 100, 3400, 0.0, stage=1) == pytest.approx(1e-3 * (0.1 + 0.9 * 0.5))


def test_exams_are_sat_at_each_interval_and_at_the_end_of_the_budget():
    from model.curriculum.loop import next_sitting

    c = CurriculumConfig(level="primary", out="x", tokens_per_level=(1000, 4000), exam_every=400)
    assert next_sitting(c, 0, 0) == 400  # a new stage trains before its first sitting
    assert next_sitting(c, 0, 400) == 800
    assert next_sitting(c, 0, 810) == 1000  # the budget ends before the next interval
    assert next_sitting(c, 0, 1005) == 1200  # past it (promotion off): the intervals go on
    assert next_sitting(c, 1, 0) == 400 and next_sitting(c, 1, 3990) == 4000
    assert next_sitting(c, 0, 1700) == 2000  # one step past two intervals: sat once, not twice


def test_a_sitting_close_to_the_time_out_is_left_to_the_last_one():
    from model.curriculum.loop import defer_sitting

    c = cfg(max_minutes=10)  # 600 s
    assert not defer_sitting(c, 100.0, 0.0)  # no sitting yet: its length is unknown
    assert not defer_sitting(c, 500.0, 45.0)  # 100 s left: room for two sittings of 45 s
    assert defer_sitting(c, 520.0, 45.0)  # 80 s left: the time-out's sitting would follow it
    assert defer_sitting(c, 599.0, 45.0)
    assert not defer_sitting(cfg(), 10_000.0, 45.0)  # no wall-clock budget: never
