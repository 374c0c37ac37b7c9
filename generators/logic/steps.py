"""Small helpers shared by the logic tasks for building checked steps and slip records."""

from __future__ import annotations

from reasoning.schema import Check, InjectedError, Step


def make_step(proposal: str, critic: str, checker: str, ok: bool, detail: str = "",
              slip: str | None = None) -> Step:
    """A step whose verdict follows its machine check (accept exactly when `ok`)."""
    return Step(proposal=proposal, critic=critic, verdict="accept" if ok else "reject",
                check=Check(checker=checker, ok=ok, detail=detail), slip=slip)


def record_slip(error: InjectedError | None, steps: list[Step], kind: str, location: str,
                original: str, wrong: str) -> InjectedError:
    """Keep the first slip of a record: the slipped step is the last one in `steps`."""
    if error is not None:
        return error
    return InjectedError(kind=f"slip:{kind}", location=location, original=original,
                         wrong=wrong, first_divergent_step=len(steps) - 1)


def check_slip_rate(slip_rate: float) -> None:
    """Raise the shared, fix-it ValueError for a slip rate outside [0, 1]."""
    if not isinstance(slip_rate, int | float) or not 0.0 <= slip_rate <= 1.0:
        raise ValueError(f"slip_rate must lie in [0, 1] (e.g. 0.1), got {slip_rate!r}")
