"""Textbook forms: what each writes and what its loss teaches."""

from __future__ import annotations

import pytest

from model.curriculum.forms import FORMS, apply_form, get_form
from model.curriculum.textbook import encode_weighted, level_specs
from model.tokenizer import encode_prompt
from reasoning import tokens as T
from reasoning.render import render
from reasoning.schema import DEFAULT_SYSTEM
from reasoning.task import generate_record


def _slipped(task_options=None):
    spec = level_specs(["primary"], ["column_arithmetic"], task_options)["primary"][0]
    for i in range(300):
        rec = generate_record(spec.task, "primary", 0, i, spec.config)
        if rec.has_slip:
            return rec
    raise AssertionError("no record with a slip in 300")


def test_unknown_form_names_the_known_ones():
    with pytest.raises(ValueError, match="records, masked, short, learner"):
        get_form("pretty")


def test_forms_joined_by_plus_carry_every_task_option():
    both = get_form("reasoned+walk")
    assert dict(both.task_options) == {"reason_first": True, "walk": True}
    assert (both.system, both.short_critics, both.mask_slips) == ("", True, True)
    pre = {s.task.name: s.config for s in level_specs(["preschool"], None, both.task_options)["preschool"]}
    assert pre["counting"].walk and pre["truth_values"].reason_first
    for bad, why in [("reasoned+pretty", "unknown --form 'pretty'"), ("walk+walk", "only distinct"),
                     ("records+walk", "only distinct"), ("masked+walk", "only distinct")]:
        with pytest.raises(ValueError, match=why):
            get_form(bad)


def test_short_critics_keep_every_check_that_adds_something():
    rec = _slipped()
    short = apply_form(rec, FORMS["short"])
    assert short.system == "" and rec.system == DEFAULT_SYSTEM
    assert [s.proposal for s in short.steps] == [s.proposal for s in rec.steps]
    cut = 0
    for old, new in zip(rec.steps, short.steps, strict=True):
        if new.critic != old.critic:
            cut += 1
            assert new.critic == "✓" and old.verdict == "accept"
            assert old.critic.removesuffix("✓").strip() in old.proposal
        else:  # a rejecting critic, or a check the proposal does not already say
            assert old.verdict == "reject" or old.critic.removesuffix("✓").strip() not in old.proposal
    assert cut >= 2
    assert short.steps[-1].critic == rec.steps[-1].critic  # "a + b = c ✓" checks the reading
    assert any(s.verdict == "reject" and "✗" in s.critic for s in short.steps)
    assert len(render(short)) < len(render(rec))


def test_records_form_trains_on_slips_and_the_others_do_not(tokenizer):
    rec = _slipped()
    bad = next(i for i, s in enumerate(rec.steps) if s.verdict == "reject")

    def proposal_weights(form):
        enc = encode_weighted(tokenizer, rec, form=FORMS[form])
        prop = tokenizer.token_to_id(T.PROPOSAL)
        starts = [i for i, t in enumerate(enc.ids) if t == prop]
        end = enc.ids.index(tokenizer.token_to_id(T.PROPOSAL_END), starts[bad])
        return enc.weights[starts[bad] + 1:end + 1]

    assert all(w == 1.0 for w in proposal_weights("records"))
    for form in ("masked", "short", "learner", "running", "reasoned", "beside", "chain", "walk", "strike"):
        assert all(w == 0.0 for w in proposal_weights(form))


def test_prompt_weights_follow_the_forms_system_prompt(tokenizer):
    rec = _slipped({"digits_in_steps": True})
    for form in FORMS.values():
        enc = encode_weighted(tokenizer, rec, form=form)
        prompt = encode_prompt(tokenizer, rec.prompt, form.system)
        assert enc.ids[:len(prompt)] == prompt  # what exams and GRPO prompt the model with
        assert all(w == 0.0 for w in enc.weights[:len(prompt)])
        assert enc.weights[len(prompt)] == 1.0


@pytest.mark.parametrize(("form", "option", "task", "level"),
                         [("learner", "digits_in_steps", "column_arithmetic", "primary"),
                          ("running", "running_result", "column_arithmetic", "primary"),
                          ("reasoned", "reason_first", "truth_values", "primary"),
                          ("beside", "claim_beside", "truth_values", "primary"),
                          ("walk", "walk", "counting", "preschool"),
                          ("strike", "strike", "counting", "preschool"),
                          ("mark", "mark_operation", "order_of_operations", "primary")])
def test_learner_forms_reach_their_task_only(form, option, task, level):
    specs = level_specs([level], None, FORMS[form].task_options)[level]
    with_option = [s.task.name for s in specs if getattr(s.config, option, False)]
    assert with_option == [task]


def test_the_chain_form_is_beside_with_worked_code_lines():
    specs = level_specs(["primary"], None, FORMS["chain"].task_options)["primary"]
    assert sorted(s.task.name for s in specs if getattr(s.config, "chain_first", False)) == [
        "bug_finding", "output_prediction", "state_after_steps"]
    assert [s.task.name for s in specs if getattr(s.config, "claim_beside", False)] == ["truth_values"]
    code = next(s for s in specs if s.task.name == "output_prediction")
    text = "".join(render(apply_form(generate_record(code.task, "primary", 0, i, code.config),
                                     FORMS["chain"])) for i in range(5))
    assert ", so " in text
