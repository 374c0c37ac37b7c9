"""The ablation's two orders hold the same records; only the curriculum one keeps levels apart."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "curriculum_vs_shuffled", Path(__file__).parents[2] / "bench" / "curriculum_vs_shuffled.py")
ablation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ablation)


def test_both_orders_hold_the_same_records_and_only_the_curriculum_keeps_levels_apart():
    by_level = {"preschool": [f"p{i}" for i in range(100)], "primary": [f"q{i}" for i in range(100)]}
    cur = ablation.order("curriculum", by_level, replay=0.2, seed=1)
    shuf = ablation.order("shuffled", by_level, replay=0.2, seed=1)
    every = sorted(by_level["preschool"] + by_level["primary"])
    assert sorted(cur) == every and sorted(shuf) == every
    # Curriculum: the first stage is 80 preschool records; the 20 held back are replayed
    # among the primary ones.
    assert all(r.startswith("p") for r in cur[:80])
    second = cur[80:]
    assert sum(r.startswith("p") for r in second) == 20
    assert 0 < next(i for i, r in enumerate(second) if r.startswith("p")) < 100
    # Shuffled: primary records appear early.
    assert sum(r.startswith("q") for r in shuf[:80]) > 20
    assert ablation.order("shuffled", by_level, 0.2, 1) == shuf  # deterministic in the seed
