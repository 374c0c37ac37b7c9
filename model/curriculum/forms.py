"""Textbook forms: how a record is written for a learner and what its loss teaches.

The data layer writes one record per problem; a form decides how the curriculum shows it
to the model. Every form keeps the step format and its machine checks: it only chooses the
system prompt, whether a critic that repeats its proposal is cut to its verdict mark, the
task options that write steps for learners, and whether a rejected proposal is a target.
Which form teaches best is measured by `bench/learnability.py`, not argued.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reasoning.schema import DEFAULT_SYSTEM, Record


@dataclass(frozen=True)
class Form:
    """One way to write the textbook.

    system: the system prompt of every sequence (exams and GRPO use the same one).
    short_critics: an accepting critic whose check only repeats its proposal's arithmetic
      (``3 - 0 = 3 ✓`` after ``ones: 3 - 0 = 3, write 3``) is cut to ``✓``.
    mask_slips: a rejected step's proposal gets no loss (a slip is never a target).
    task_options: config overrides of the tasks that have them (e.g. column arithmetic's
      ``digits_in_steps``).
    """

    name: str
    description: str
    system: str = DEFAULT_SYSTEM
    short_critics: bool = False
    mask_slips: bool = True
    task_options: Mapping[str, Any] = field(default_factory=dict)


def _learner(name: str, description: str, **task_options: Any) -> Form:
    """A learner form: `short` with task options that rewrite some task's steps."""
    return Form(name, description, system="", short_critics=True, task_options=task_options)


FORMS: dict[str, Form] = {
    "records": Form("records", "the records as gen-traces writes them; the loss on every completion "
                    "token, a rejected step's wrong proposal included", mask_slips=False),
    "masked": Form("masked", "the records as written; rejected proposals get no loss"),
    "short": Form("short", "masked, an empty system prompt, critics that only repeat their "
                  "proposal cut to their mark", system="", short_critics=True),
    "learner": _learner("learner", "short, and steps that bring the digits they use next to where "
                        "they are used (column arithmetic names each column's digits and the "
                        "digits written so far)", digits_in_steps=True),
    "running": _learner("running", "short, and each column step of column arithmetic ends with the "
                        "digits written so far (the answer is the last step's, not re-read in "
                        "reverse)", running_result=True),
    "reasoned": _learner("reasoned", "short, and a truth-value step recomputes its fact before it "
                         "decides (\"1 + 6 = 7, so 1 bead and 6 beads make 8 beads: false\")",
                         reason_first=True),
    "beside": _learner("beside", "short, and a truth-value step restates the statement, recomputes "
                       "its fact and sets the claim beside it before it decides (\"... make 8 red "
                       "beads: 1 + 6 = 7 vs 8: false\")", claim_beside=True),
    "chain": _learner("chain", "beside, and a code step works its line out before it states the "
                      "result (\"L3 `s = a * b` → 3 * 4, so s = 12\"), where the other forms state "
                      "the result and leave the work to the critic", claim_beside=True, chain_first=True),
    "split": _learner("split", "chain, and that work does an operation on numbers of several digits "
                      "in pieces, as column arithmetic does a sum by its digits (\"69 - 28 → 69 - 20 - 8 "
                      "→ 49 - 8, so answer = 41\"), where chain does it in one go",
                      claim_beside=True, chain_first=True, split_ops=True),
    "walk": _learner("walk", "short, and counting steps through every object of the row in order "
                     "(\"position 2 is a dog, not a cat: count 1\"), copying the next word rather "
                     "than finding the next object asked for", walk=True),
    "strike": _learner("strike", "short, and counting steps through every object of the row, each "
                       "step crossing its object off and writing the rest of the row (\"a dog, not "
                       "a cat: 1 cat so far, left cat dog\"): the next object is the first word after "
                       "`left`", strike=True),
    "diagnose": _learner("diagnose", "short, and bug finding traces the buggy run to its end, sets its "
                         "outcome beside the expected one and only then names the first step that "
                         "went wrong, where the other forms name it while tracing, before the "
                         "run's outcome is shown", whole_run=True),
    "rows": _learner("rows", "short, and long multiplication adds its rows column by column in "
                     "column arithmetic's steps (\"tens: 2 + 7 = 9, write 9\"), where the other forms "
                     "state the rows' sum in one step", rows_by_columns=True),
    "worked": _learner("worked", "short, and a simple-fractions step works its numbers out before it "
                       "states the fraction (\"28 ÷ 4 = 7, 2 × 7 = 14, so 2/4 = 14/28\"), where the "
                       "other forms state the fraction and leave the arithmetic to the critic",
                       work_first=True),
    "mark": _learner("mark", "short, and an order-of-operations step first copies the expression with "
                     "the operation it does in square brackets (\"3 + [4 × 6] + 10, 4 × 6 = 24 → 3 + 24 + "
                     "10\"), so its rewrite copies the text just before it, where the other forms "
                     "rewrite the expression of the step before", mark_operation=True),
}
# Measured, not argued (bench/learnability.py, tables in BENCHMARKS.md): after 3M tokens of
# column arithmetic on the tiny preset `short` answered 35% right, `records` 16%, `learner`
# 6%; `running` was level with `short` at 6M tokens (71%). On counting alone, 2M tokens,
# `walk` answered 14%, `strike` 9% and `short` 22%; on preschool truth values alone, 2M tokens, `beside`
# 58.5% and `reasoned` 52.4%, both at the share of "false" answers (neither taught it).
# Two hours of the full curriculum with the same flags (docs/curriculum.md): preschool truth
# values 97.6% with `beside`, 53.7% with `short` (chance), and 92.7% with `beside` and
# another seed, whose spread (up to 24 points on a task) covers every other difference.
# With counting's objects one token each (model.tokenizer.generator_words), counting alone
# at 2M tokens: `strike` 55%, `walk` 36%, `short` 15%. Primary output prediction alone at
# 3M tokens: `chain` 5%, `beside` 3% (neither has learned it yet). The hour with
# `chain+strike` and that tokenizer (docs/curriculum.md), two seeds: preschool counting 100%
# and 97% (13-16% in the three hours before), primary output prediction 67% and 60% (29-36%).
# Alone, against the records' own order: preschool bug finding at 2M tokens, `diagnose` 22.5%
# and `chain+strike` 45%; long multiplication at 3M, `rows` 18% and 26%; simple fractions at
# 3M, `worked` 32% and 50%. None is in the default. Primary output prediction at 3M tokens
# after preschool (learnability --init): `split+strike` 12%, `chain+strike` 10%; in the hour
# (one seed, 27.1M tokens) `split+strike` 21/45/56/70% at 12/18/24/27M tokens against 2/18/27%
# and about 15/16/30% for `chain+strike`'s two hours at 12/18/24M: the default since.
# Primary order of operations at 3M tokens after preschool: `split+strike+mark` 80% and
# `split+strike` 88% (mark's records are 1.26x longer): `mark` is not in the default.
DEFAULT_FORM = "split+strike"


def get_form(name: str) -> Form:
    """The form called `name`, or the forms joined by `+` (``reasoned+walk``): learner forms
    that differ only in their task options combine into one with all their options. A
    ValueError naming the known forms otherwise."""
    parts = name.split("+")
    for part in parts:
        if part not in FORMS:
            raise ValueError(f"unknown --form {part!r}; known: {', '.join(FORMS)} (join forms with +)")
    if len(parts) == 1:
        return FORMS[name]
    forms = [FORMS[p] for p in parts]
    first = forms[0]
    if len(set(parts)) < len(parts) or any(
            (f.system, f.short_critics, f.mask_slips) != (first.system, first.short_critics, first.mask_slips)
            for f in forms):  # fmt: skip
        raise ValueError(f"--form {name!r}: only distinct forms that differ in their task options "
                         "alone combine (e.g. reasoned+walk)")
    options: dict[str, Any] = {}
    for f in forms:
        for key, value in f.task_options.items():
            if key in options and options[key] != value:
                raise ValueError(f"--form {name!r}: the forms set {key} differently")
            options[key] = value
    return Form(name, "; ".join(f.description for f in forms), system=first.system,
                short_critics=first.short_critics, mask_slips=first.mask_slips, task_options=options)


def _repeats(critic: str, proposal: str) -> bool:
    """True when the critic's check (its text before the ✓) is already in the proposal."""
    body = critic.strip()
    if not body.endswith("✓"):
        return False
    body = body[:-1].strip()
    return bool(body) and body in proposal


def apply_form(record: Record, form: Form) -> Record:
    """The record as `form` writes it (same problem, steps and answer)."""
    steps = record.steps
    if form.short_critics:
        steps = [s.model_copy(update={"critic": "✓"}) if s.verdict == "accept" and _repeats(s.critic, s.proposal)
                 else s for s in steps]  # fmt: skip
    if steps is record.steps and record.system == form.system:
        return record
    return record.model_copy(update={"steps": steps, "system": form.system})
