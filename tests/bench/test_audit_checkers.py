"""The data audit's own checkers (bench/audit/) tell a defective record from a correct one."""

from __future__ import annotations

import copy

from bench.audit.code_checks import check_code, one_token_variants
from bench.audit.leakage import check_leakage
from bench.audit.logic_checks import check_logic, deduction_shortcut
from bench.audit.math_checks import check_math, factoring_defects
from bench.audit.tally import Tally

PROV = {"generator": "x", "version": "1", "level": "middle", "seed": 0, "index": 0}


def _step(proposal, critic="ok ✓", verdict="accept", slip=None):
    return {"proposal": proposal, "critic": critic, "verdict": verdict,
            "check": {"checker": "t", "ok": verdict == "accept", "detail": ""}, "slip": slip}


def _rec(domain, task, prompt, answer, steps=(), level="middle", **extra):
    return {"id": f"{task}-{answer}", "domain": domain, "level": level, "task": task,
            "prompt": prompt, "answer": answer, "steps": list(steps), "error": None,
            "provenance": PROV, **extra}


def _kinds(tally):
    return {kind for (_, kind), n in tally.defects.items() if n}


def _code_kinds(rec):
    tally = Tally()
    check_code([rec], tally, workers=1)
    return _kinds(tally)


def _bug_record(expected):
    code = "def f(text):\n    vowels = 0\n    for c in text:\n        if not c in 'aeiou':\n            vowels = vowels + 1\n    return vowels"
    prompt = (f"One line of this program is wrong. f('edda') should return {expected}. Trace it, find the "
              f"first step where the run goes wrong, and name the faulty line.\n\n```python\n{code}\n```")
    steps = [_step("call f(text='edda')"), _step("L2 `vowels = 0` → vowels = 0"),
             _step("the faulty line is L4: `if not c in 'aeiou':`; it should read `if c in 'aeiou':`")]
    error = {"kind": "bug:negate", "location": "line 4", "original": "if c in 'aeiou':",
             "wrong": "if not c in 'aeiou':", "first_divergent_step": 2, "detail": ""}
    return _rec("code", "bug_finding", prompt, "line 4", steps, error=error)


def test_kind_1_a_bug_that_does_not_show():
    # 'edda' has two vowels and two consonants: the negated test returns 2 all the same
    assert "1" in _code_kinds(_bug_record(2))
    # with 'eda' (one consonant) the same bug shows, and the recorded fix is right
    good = _bug_record(2)
    good["prompt"] = good["prompt"].replace("'edda'", "'eda'").replace("return 2", "return 2")
    good["steps"][0] = _step("call f(text='eda')")
    assert _code_kinds(good) == set()


def _output_record(code, call, answer, steps):
    prompt = f"What does {call} return? Trace it step by step.\n\n```python\n{code}\n```"
    return _rec("code", "output_prediction", prompt, answer, steps)


def test_kind_4_a_crashing_line_shown_as_normal_and_answers_and_steps():
    code = "def f(xs):\n    total = 0\n    y = xs[3]\n    return total"
    crash = _output_record(code, "f([1])", "0", [_step("call f(xs=[1])"), _step("L2 `total = 0` → total = 0"),
                                                _step("L3 `y = xs[3]` → y = 5")])
    assert "4" in _code_kinds(crash)
    code = "def f(xs):\n    total = 0\n    for x in xs:\n        total = total + x\n    return total"
    steps = [_step("call f(xs=[2, 3])"), _step("L2 `total = 0` → total = 0"), _step("L3 `for x in xs:` → x = 2"),
             _step("L4 `total = total + x` → total: 0 → 2"), _step("L3 `for x in xs:` → x: 2 → 3"),
             _step("L4 `total = total + x` → total: 2 → 5")]
    assert _code_kinds(_output_record(code, "f([2, 3])", "5", steps)) == set()
    assert _code_kinds(_output_record(code, "f([2, 3])", "6", steps)) == {"A"}
    wrong = copy.deepcopy(steps)
    wrong[5] = _step("L4 `total = total + x` → total: 2 → 6")
    assert _code_kinds(_output_record(code, "f([2, 3])", "5", wrong)) == {"S"}


def test_kind_10_a_summary_step_no_critic_checked():
    code = "def f(xs):\n    total = 0\n    for x in xs:\n        total = total + x\n    return total"
    leap = _step("steps 1–4 run; f has xs = [2, 3], total = 2, x = 2", "state recorded by the tracer ✓")
    rec = _output_record(code, "f([2, 3])", "5", [leap, _step("L3 `for x in xs:` → x: 2 → 3")])
    assert _code_kinds(rec) == {"10"}


def test_one_token_variants_skip_the_recorded_line():
    code = "def f(n):\n    if n < 3:\n        return n + 1\n    return 0\n"
    variants = one_token_variants(code, 2, __import__("random").Random(0), 500)
    assert variants and all(row != 2 for row, _ in variants)
    assert (3, "return n - 1") in variants and (4, "return 1") in variants


def _math_kinds(rec, verify=None):
    tally = Tally()
    check_math(rec, tally, verify)
    return _kinds(tally)


def test_kind_6_arithmetic_as_written():
    prompt = "Solve 2*x^2 - 7*x + 4 = 0 for x with the quadratic formula. Give every root."
    answer = "x = 7/4 - sqrt(17)/4 or x = 7/4 + sqrt(17)/4"
    bad = _rec("math", "quadratics", prompt, answer, [_step("discriminant: -7^2 - 4·2·4 = 17")])
    good = _rec("math", "quadratics", prompt, answer, [_step("discriminant: (-7)^2 - 4·2·4 = 17")])
    assert _math_kinds(bad) == {"6"} and _math_kinds(good) == set()
    assert _math_kinds(_rec("math", "quadratics", prompt, "x = 1 or x = 2")) == {"A"}


def test_kind_6_dropped_carry_needs_a_carry():
    prompt = "Compute 12 + 34 column by column."
    steps = [_step("ones: 2 + 4 = 6, write 6"), _step("tens: 1 + 3 = 3, write 3", "✗", "reject", "dropped_carry"),
             _step("tens: 1 + 3 = 4, write 4")]
    assert _math_kinds(_rec("math", "column_arithmetic", prompt, "46", steps)) == {"6"}
    steps[0] = _step("ones: 8 + 4 = 12, write 2 carry 1")
    assert "6" not in _math_kinds(_rec("math", "column_arithmetic", "Compute 18 + 34 column by column.", "52", steps))


def test_kind_5_incomplete_factorings_and_a_hackable_verifier():
    prompt = "Factor 3*x^2 - 12*x + 9 completely over the integers."
    assert factoring_defects(prompt, "3*(x - 1)*(x - 3)") == []
    assert factoring_defects(prompt, "(x - 3)*(3*x - 3)")
    assert factoring_defects(prompt, "1*(3*x^2 - 12*x + 9)")
    rec = _rec("math", "polynomials", prompt, "3*(x - 1)*(x - 3)", level="high")
    assert _math_kinds(rec, verify=lambda r, a: 1.0) == {"5"}
    assert _math_kinds(rec, verify=lambda r, a: 0.0) == set()


def test_kind_7_an_early_critic_with_the_answer():
    prompt = "Solve for x: 3x + 2 = 11"
    steps = [_step("subtract 2: 3x = 9", "3 still solves it ✓"), _step("divide by 3: x = 3")]
    assert _math_kinds(_rec("math", "linear_equations", prompt, "x = 3", steps)) == {"7"}
    steps[0] = _step("subtract 2: 3x = 9", "11 - 2 = 9 ✓")
    assert _math_kinds(_rec("math", "linear_equations", prompt, "x = 3", steps)) == set()


def test_logic_answers_and_inferences():
    prompt = ("Premises: p → q; p. Using modus ponens, modus tollens, hypothetical and disjunctive "
              "syllogism, decide whether q is true, false or unknown (not settled by the premises).")
    steps = [_step("from p → q and p: q (modus ponens)")]
    for answer, kinds in (("true", set()), ("unknown", {"A"})):
        tally = Tally()
        check_logic(_rec("logic", "deduction_chains", prompt, answer, steps, level="high"), tally)
        assert _kinds(tally) == kinds
    tally = Tally()
    check_logic(_rec("logic", "deduction_chains", prompt, "true", [_step("from p → q and p: ¬q (modus ponens)")]), tally)
    assert _kinds(tally) == {"S"}
    kk = ('On an island, knights always tell the truth and knaves always lie. Ann says: "Bo is a knave." '
          'Bo says: "Ann and I are the same kind." Who is a knight and who is a knave?')
    for answer, kinds in (("Ann: knight, Bo: knave", set()), ("Ann: knave, Bo: knight", {"A"})):
        tally = Tally()
        check_logic(_rec("logic", "knights_knaves", kk, answer, level="high"), tally)
        assert _kinds(tally) == kinds


def test_kind_8_an_answer_a_premises_only_rule_reads():
    def rec(i, answer, premise):
        prompt = (f"Premises: {premise}; k{i % 7} → m. Using modus ponens, decide whether q is true, "
                  "false or unknown (not settled by the premises).")
        return _rec("logic", "deduction_chains", prompt, answer, level="high") | {"id": str(i)}
    skewed = [rec(i, "true" if i % 2 else "false", "q" if i % 2 else "¬q") for i in range(200)]
    fair = [rec(i, ["true", "false", "unknown"][i % 3], "p ∨ q") for i in range(200)]
    for records, kinds in ((skewed, {"8"}), (fair, set())):
        tally = Tally()
        deduction_shortcut(records, tally)
        assert _kinds(tally) == kinds


def test_kind_3_one_program_in_both_splits():
    code = "def f(n):\n    return n + 1"
    a = _output_record(code, "f(1)", "2", []) | {"split": "train"}
    b = _output_record(code, "f(5)", "6", []) | {"split": "exam", "id": "other"}
    c = _output_record("def f(n):\n    return n * 2", "f(5)", "10", []) | {"split": "exam"}
    tally = Tally()
    check_leakage([a, b, c], tally)
    assert tally.total("3") == 1
    tally = Tally()
    check_leakage([a, c], tally)
    assert tally.total("3") == 0


def test_math_answers_are_rederived_from_the_prompt():
    from bench.audit.math_answers import derive

    cases = [
        ("derivatives", "Differentiate f(x) = sin(2*x^2 + 3) with respect to x.", "4*x*cos(2*x^2 + 3)", "4*x*sin(2*x^2 + 3)"),
        ("integrals", "Find ∫ 12*x^2*cos(x^3 + 3) dx by substitution. Include the constant of integration C.",
         "4*sin(x^3 + 3) + C", "4*sin(x^3 + 3)"),
        ("linear_inequalities", "Solve 2x - 18 > 8x + 6 for x. Give the solution set as an interval.", "(-oo, -4)", "(-oo, -4]"),
        ("matrix_inverse", "Find the inverse of the matrix A = [[1, 4], [-3, -3]].",
         "[[-1/3, -4/9], [1/3, 1/9]]", "[[-1/3, 4/9], [1/3, 1/9]]"),
        ("long_division", "Divide 4597 by 6 by long division; give the quotient and the remainder (like 43 R 1).",
         "766 R 1", "766 R 2"),
        ("simple_fractions", "Compute 5/6 + 9/10. Give the answer in lowest terms.", "26/15", "52/30"),
        ("counting", "How many mice are there? mouse apple mouse mouse", "3", "4"),
    ]
    for task, prompt, right, wrong in cases:
        check = derive(task, prompt)
        assert check is not None and check(right) and not check(wrong), (task, right, wrong)


def test_truth_values_and_induction_answers():
    from bench.audit.logic_checks import _induction, _truth_values

    prompt = "True or false: (it is not true that 4 is less than 42) and 5 is less than 98."
    assert _truth_values({"prompt": prompt}) == "false"
    assert _truth_values({"prompt": prompt.replace(" and ", " or ")}) == "true"
    assert _truth_values({"prompt": "True or false: 2 pink balls and 7 pink balls make 9 pink balls."}) == "true"
    divides = "Find the largest integer d that divides P(n) = 8^n - 3^n for every n ≥ 1, and prove by induction that it does."
    assert _induction({"prompt": divides, "answer": "5"}) == "5"
    sums = "Find a closed form for the sum of 2*k^2 - 2*k + 7 for k = 1 to n, as an expression in n, and prove it by induction."
    assert _induction({"prompt": sums, "answer": "n*(2*n^2 + 19)/3"}) == "n*(2*n^2 + 19)/3"
    assert _induction({"prompt": sums, "answer": "n*(2*n^2 + 20)/3"}).startswith("<")


def test_kind_2_a_correct_fix_elsewhere_must_score():
    from bench.audit.code_checks import check_alternative_fixes, held_calls

    assert "f([1, 2], 1)" in held_calls("f([1, 2], 3)")
    code = "def f(y):\n    total = y\n    total = total + 2\n    total = total + 1\n    total = total + 1\n    return total"
    prompt = ("One line of this program is wrong. f(4) should return 9. Trace it, find the first step where the run "
              f"goes wrong, and name the faulty line.\n\n```python\n{code}\n```")
    error = {"kind": "bug:c", "location": "line 4", "original": "total = total + 2", "wrong": "total = total + 1",
             "first_divergent_step": 3, "detail": ""}
    rec = _rec("code", "bug_finding", prompt, "line 4", error=error)
    asked = []
    for score, kinds in ((0.0, {"2"}), (1.0, set())):
        tally = Tally()
        check_alternative_fixes([rec], tally, lambda r, a, s=score: asked.append(a) or s, 1, 5, 0)
        assert _kinds(tally) == kinds
    # `total + 3` on line 3 (or 5) is right on every input; `total = y + 5`-style changes that
    # only fit f(4) are not asked about
    assert any(a.startswith("line 3: ") and "total + 3" in a for a in asked)
    assert all(not a.startswith("line 4") for a in asked)


def test_kind_3_problem_identity_reads_content_not_wording():
    from bench.audit.leakage import identity, template_words

    head = "On an island, knights always tell the truth and knaves always lie. "
    a = _rec("logic", "knights_knaves", head + 'Dee says: "Jo is a knave." Who is a knight?', "x")
    b = _rec("logic", "knights_knaves", head + 'Dee says: "Jo is a knight." Who is a knight?', "x")
    c = _rec("logic", "knights_knaves", head.replace("On an island", "On one island")
             + 'Dee says: "Jo is a knave." Who is a knight?', "x")
    template = template_words([a, b, c])["knights_knaves"]
    assert identity(a, template) != identity(b, template)  # what is said differs
    assert identity(a, template) == identity(c, template)  # only the wording differs
    two = _rec("math", "powers", "Compute 2^4.", "16")
    four = _rec("math", "powers", "Compute 4^2.", "16")
    assert identity(two) != identity(four)


def test_held_calls_move_the_arguments_together_too():
    # f(0, 1) with `cats + 1`, `cars - 1` intended: `count = cats * cars` on another line
    # agrees with it whenever cats = 0 or cars = 1, which is all that moving one argument at
    # a time tries; the held calls must include one where it does not.
    from bench.audit.code_checks import held_calls

    def differs(call: str) -> bool:
        cats, cars = (int(x) for x in call[2:-1].split(","))
        return (cats + 1) * cars != (cats + 1) + (cars - 1)

    assert any(differs(call) for call in held_calls("f(0, 1)"))
