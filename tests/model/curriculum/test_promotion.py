"""Promotion, forgetting and replay on fake exam results."""

from __future__ import annotations

from model.curriculum.promotion import FORGOTTEN_WEIGHT, REPLAY_WEIGHT, judge, level_weights, passes

LEVELS = ("preschool", "primary", "middle")


def test_passes_needs_every_task_at_the_bar():
    assert passes({"a": 0.9, "b": 0.95}, 0.9)
    assert not passes({"a": 0.9, "b": 0.89}, 0.9)
    assert not passes({}, 0.9)  # no exam is no pass


def test_learned_forgotten_relearned():
    status = {}
    assert not judge(status, "preschool", {"preschool": {"a": 0.5}}, 0.9, 100)
    assert judge(status, "preschool", {"preschool": {"a": 0.95}}, 0.9, 200)
    assert status["preschool"].learned and status["preschool"].events == ["learned@200"]
    # Later, on primary: preschool drops below the bar -> forgotten, back in the mix.
    assert not judge(status, "primary", {"preschool": {"a": 0.7}, "primary": {"b": 0.1}}, 0.9, 300)
    assert status["preschool"].forgotten
    assert level_weights(LEVELS, "primary", status) == (("preschool", FORGOTTEN_WEIGHT), ("primary", 1.0))
    # Still failing: forgotten once, not twice.
    judge(status, "primary", {"preschool": {"a": 0.8}, "primary": {"b": 0.2}}, 0.9, 400)
    assert status["preschool"].events == ["learned@200", "forgotten@300"]
    # Passing again: relearned, and replayed at the normal share.
    assert judge(status, "primary", {"preschool": {"a": 0.92}, "primary": {"b": 0.9}}, 0.9, 500)
    assert status["preschool"].events == ["learned@200", "forgotten@300", "relearned@500"]
    assert not status["preschool"].forgotten
    assert level_weights(LEVELS, "middle", status) == (
        ("preschool", REPLAY_WEIGHT), ("primary", REPLAY_WEIGHT), ("middle", 1.0))


def test_a_level_never_learned_is_not_forgotten():
    status = {}
    # preschool was waved on (--promote-anyway) without passing: failing it later is not forgetting.
    judge(status, "primary", {"preschool": {"a": 0.1}, "primary": {"b": 0.1}}, 0.9, 10)
    assert not status["preschool"].forgotten and not status["preschool"].learned
