"""Logic records read as clean text: 1,000 records per level are scanned for the slips a
proofreader marks (a/an, singular/plural after a number, `1*`, `^1`, `+ 0`, `- -`, doubled
words, doubled spaces)."""

from __future__ import annotations

import contextlib
import re

import pytest

from generators.logic import TASKS
from reasoning.levels import LEVELS
from reasoning.task import Dropped, generate_problem

NOUNS = r"(?:leg|side|ball|car|block|balloon|crayon|button|cup|hat|sock|kite|boat|bead|star|brush|box|bus)"
PATTERNS = {
    "a before a vowel": r"(?<![¬\w])a (?!(?:and|is|are|or)\b)(?!un[ie])[aeiou][a-z]{2,}",
    "an before a consonant": r"\ban [b-df-hj-np-tv-z][a-z]",
    "plural after 1": rf"(?<![\d.^*/-])\b1 (?:[a-z]+ )?{NOUNS}e?s\b",
    "singular after a number": rf"\b(?:0|[2-9]|\d{{2,}}) (?:[a-z]+ )?{NOUNS}\b(?!e?s)",
    "1x": r"(?<![\w.^)])-?1\*|\*1\b(?![\d.])|\^1\b(?![\d.])",
    "+ 0": r"[a-z)] [+-] 0\b(?![.\d])",  # in an expression; `7 - 0 = 7` is arithmetic
    "- -": r"(?<!\+ )- -|\+ -(?! \*)|- \+",
    "doubled word": r"\b([a-z]{2,}) \1\b",
    "doubled space": r"\S  +\S",
}


def texts(p):
    yield p.prompt
    yield p.answer
    for s in p.steps:
        yield s.proposal
        yield s.critic


@pytest.mark.parametrize("level", LEVELS)
def test_records_read_cleanly(level):
    names = [n for n, t in TASKS.items() if level in t.levels]
    found = {}
    for name in names:
        task = TASKS[name]
        config = task.default_config(slip_rate=0.3)
        for i in range(1000 // len(names)):
            with contextlib.suppress(Dropped):
                p = generate_problem(task, level, 7, i, config)
                for text in texts(p):
                    for what, pattern in PATTERNS.items():
                        if m := re.search(pattern, text):
                            found.setdefault((name, what), (m.group(), text[:120]))
    assert not found, found


@pytest.mark.parametrize(("what", "bad", "good"), [
    ("a before a vowel", "an ant is a ant", "an ant has 6 legs"),
    ("plural after 1", "1 green balls", "1 green ball and 2 green balls"),
    ("singular after a number", "3 leg", "take away 1 leaves 3 blue cups"),
    ("1x", "P(1) = 7 = 7*1", "step: P(n+1) = 8*P(n) + 7, x1 ∨ ¬x10"),
    ("+ 0", "2*n + 0", "first differences: 0, 10; 7 - 0 = 7"),
    ("- -", "1 - -1 = 2", "1 - (-1) = 2; integers, n, + - * / ^"),
    ("doubled word", "10 is even and and 3", "so a is true"),
])
def test_the_scan_sees_what_it_looks_for(what, bad, good):
    assert re.search(PATTERNS[what], bad) and not re.search(PATTERNS[what], good)
