"""Deterministic programs and inputs for each curriculum level of the `code` domain.

Levels map to program families:
- preschool, primary: straight-line arithmetic and assignments (`straight_line`)
- middle: loops and conditionals (`loops`)
- high: functions, lists, dicts and strings (`structures`)
- university: sorting, search, recursion, dynamic programming, graph walks (`algorithms`)

Every program is one module defining a function `f` (plus helpers at higher levels),
called with an argument source text in the CRUXEval shape (`"3, [1, 2]"`). Each template
randomises names, constants and inputs from the `random.Random` it is given, and also
draws a few alternative inputs: a planted bug that the first input cannot reveal may
show on another (`tracer.code_tasks`).
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable
from dataclasses import dataclass

from reasoning.levels import check_level


@dataclass(frozen=True)
class Program:
    """A program, the function to call, its argument source and alternative inputs."""

    code: str
    func: str | None  # None: trace the whole module
    args: str
    alt_args: tuple[str, ...] = ()
    family: str = ""
    source: str = "generated"  # "generated", or the id of a user program


Template = Callable[[random.Random], Program]


def build(
    rng: random.Random, family: str, code: str, make_args: Callable[[], str], alternatives: int = 3
) -> Program:
    """A Program from code and an argument maker; draws the main input then the alternatives."""
    args = make_args()
    alt: list[str] = []
    for _ in range(alternatives * 3):  # a few extra draws in case some repeat
        if len(alt) == alternatives:
            break
        candidate = make_args()
        if candidate != args and candidate not in alt:
            alt.append(candidate)
    # Stored in ast.unparse's form: bug finding compares mutants line by line against it.
    code = ast.unparse(ast.parse(code)) + "\n"
    return Program(code=code, func="f", args=args, alt_args=tuple(alt), family=family)


def pick_names(rng: random.Random, pools: list[tuple[str, ...]]) -> list[str]:
    """One name from each pool, all distinct (pools may share names)."""
    chosen: list[str] = []
    for pool in pools:
        options = [n for n in pool if n not in chosen]
        chosen.append(rng.choice(options))
    return chosen


def templates_for(level: str) -> tuple[Template, ...]:
    """The program templates of a level."""
    from tracer.programs import algorithms, loops, straight_line, structures

    check_level(level)
    return {
        "preschool": straight_line.PRESCHOOL,
        "primary": straight_line.PRIMARY,
        "middle": loops.TEMPLATES,
        "high": structures.TEMPLATES,
        "university": algorithms.TEMPLATES,
    }[level]


def generate_program(rng: random.Random, level: str) -> Program:
    """One program of `level`, deterministic in `rng`."""
    templates = templates_for(level)
    return templates[rng.randrange(len(templates))](rng)
