"""Writing checked steps, shared by every generator: a step's verdict follows its machine
check, and with probability `slip_rate` a step is first proposed with a typical slip that
the critic names and the judge rejects; a record's first slip is its `InjectedError`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from reasoning.schema import Check, InjectedError, Step

# A slip: (kind, wrong proposal, critic naming the mistake, the wrong proposal's check).
Slip = tuple[str, str, str, Check]


def checked_step(proposal: str, critic: str, check: Check, slip: str | None = None) -> Step:
    """A step whose verdict follows its check: accept exactly when `check.ok`."""
    return Step(proposal=proposal, critic=critic, verdict="accept" if check.ok else "reject",
                check=check, slip=slip)


def check_slip_rate(slip_rate: float) -> None:
    """Raise the shared, fix-it ValueError for a slip rate outside [0, 1]."""
    if not isinstance(slip_rate, int | float) or not 0.0 <= slip_rate <= 1.0:
        raise ValueError(f"slip_rate must lie in [0, 1] (e.g. 0.1), got {slip_rate!r}")


def first_slip(error: InjectedError | None, steps: list[Step], kind: str, location: str,
               original: str, wrong: str) -> InjectedError:
    """Keep the first slip of a record: `error` if there already is one, else the slip whose
    wrong proposal is the last of `steps`."""
    if error is not None:
        return error
    return InjectedError(kind=f"slip:{kind}", location=location, original=original,
                         wrong=wrong, first_divergent_step=len(steps) - 1)


class StepLog:
    """The steps of one record and its first slip.

    `add` appends a checked step, first (with probability `slip_rate`) its slip; a generator
    that must decide a slip before it can build it uses `coin` and `reject` instead. Every
    draw comes from `rng`, one `random()` per offered slip, so records stay reproducible.
    """

    def __init__(self, rng: random.Random, slip_rate: float) -> None:
        self.rng, self.slip_rate = rng, slip_rate
        self.steps: list[Step] = []
        self.error: InjectedError | None = None

    def coin(self) -> bool:
        """Whether to slip here (draws from `rng` only when `slip_rate` is not 0)."""
        return bool(self.slip_rate) and self.rng.random() < self.slip_rate

    def reject(self, kind: str, wrong: str, critic: str, check: Check, *, original: str,
               location: str | None = None) -> None:
        """Append the slip `wrong` (a proposal for `original`) that its critic names; the
        first slip of the record becomes `error`. `location` defaults to `step N`, the
        slip's 1-based position."""
        self.steps.append(checked_step(wrong, critic, check, slip=kind))
        where = location if location is not None else f"step {len(self.steps)}"
        self.error = first_slip(self.error, self.steps, kind, where, original, wrong)

    def add(self, proposal: str, critic: str, check: Check, *, location: str | None = None,
            slip: Slip | Callable[[], Slip | None] | None = None) -> None:
        """Append one checked step. When a `slip` is offered and the coin says so, first its
        wrong proposal: `slip` is a `Slip`, or a callable that builds one only then (it may
        draw from `rng`, or return None for no slip here). A slip whose check holds is no
        slip and is skipped."""
        if slip is not None and self.coin():
            wrong = slip() if callable(slip) else slip
            if wrong is not None and not wrong[3].ok:
                kind, text, why, check_wrong = wrong
                self.reject(kind, text, why, check_wrong, original=proposal, location=location)
        self.steps.append(checked_step(proposal, critic, check))
