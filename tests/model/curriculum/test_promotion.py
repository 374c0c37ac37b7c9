"""Promotion, forgetting and replay on fake exam results."""

from __future__ import annotations

import pytest

from model.curriculum.promotion import (
    AT_BAR_FACTOR,
    FORGOTTEN_WEIGHT,
    REPLAY_RULES,
    REPLAY_WEIGHT,
    judge,
    level_weights,
    passes,
    task_factor,
    weigh_tasks,
)

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


def test_a_level_never_learned_is_not_forgotten_but_comes_back_while_failing():
    status = {}
    # preschool was waved on (--promote-anyway) without passing: failing it later is not forgetting.
    judge(status, "primary", {"preschool": {"a": 0.1}, "primary": {"b": 0.1}}, 0.9, 10)
    assert not status["preschool"].forgotten and not status["preschool"].learned
    assert status["preschool"].failing and status["preschool"].events == []
    # The default rule brings it back at the forgotten share; the old rule left it at replay.
    assert level_weights(LEVELS, "primary", status) == (("preschool", FORGOTTEN_WEIGHT), ("primary", 1.0))
    assert level_weights(LEVELS, "primary", status, "forgotten") == (("preschool", REPLAY_WEIGHT), ("primary", 1.0))
    # Once it passes it drops back to the replay share under both rules.
    judge(status, "primary", {"preschool": {"a": 0.95}, "primary": {"b": 0.1}}, 0.9, 20)
    assert not status["preschool"].failing and status["preschool"].events == ["learned@20"]
    for rule in REPLAY_RULES:
        assert level_weights(LEVELS, "primary", status, rule) == (("preschool", REPLAY_WEIGHT), ("primary", 1.0))
    with pytest.raises(ValueError, match="unknown --replay 'sometimes'"):
        level_weights(LEVELS, "primary", status, "sometimes")


def test_a_level_not_yet_examined_is_replayed_at_the_normal_share():
    # --init into primary with no exam of preschool yet: nothing says it is failing.
    assert level_weights(LEVELS, "primary", {}) == (("preschool", REPLAY_WEIGHT), ("primary", 1.0))


def test_deficit_moves_a_task_at_its_bar_to_the_tasks_below_it():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Spec:  # the fields of reasoning.generate.TaskSpec that weigh_tasks reads
        task: object
        weight: float

    @dataclass(frozen=True)
    class Named:
        name: str

    specs = {"preschool": [Spec(Named("a"), 1.0), Spec(Named("b"), 2.0), Spec(Named("c"), 1.0)]}
    scores = {"preschool": {"a": 0.95, "b": 0.0}}  # c not examined yet
    assert weigh_tasks(specs, scores, 0.9, "fixed") == specs
    got = [s.weight for s in weigh_tasks(specs, scores, 0.9, "deficit")["preschool"]]
    assert got == pytest.approx([AT_BAR_FACTOR, 4.0, 1.0])
    assert task_factor(0.9, 0.9) == AT_BAR_FACTOR and task_factor(0.45, 0.9) == pytest.approx(1.5)
    assert all(task_factor(x / 100, 0.9) > 1 for x in range(90))  # below the bar: more than 1
    with pytest.raises(ValueError, match="unknown --task-mix 'most'"):
        weigh_tasks(specs, scores, 0.9, "most")
