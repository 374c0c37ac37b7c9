"""Preschool, primary and middle math tasks: determinism, oracle vs. perturbed answers,
every accepted step re-checked by arithmetic written here (not the tasks' checkers), slips
labelled and corrected, and bad configs refused."""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

import pytest

from generators.answers import fraction_text
from generators.math import TASKS
from generators.math.counting import PLURALS
from reasoning.render import parse, render
from reasoning.task import Task, generate_problem, generate_record

# task name -> its level in this part of the curriculum
LEVEL = {
    "counting": "preschool",
    "compare_numbers": "preschool",
    "next_in_sequence": "preschool",
    "one_digit_sums": "preschool",
    "column_arithmetic": "primary",
    "long_multiplication": "primary",
    "long_division": "primary",
    "order_of_operations": "primary",
    "simple_fractions": "primary",
    "linear_equations": "middle",
    "fractions_decimals_percentages": "middle",
    "powers": "middle",
    "gcd_lcm": "middle",
    "prime_factorisation": "middle",
    "ratios": "middle",
    "linear_systems": "middle",
}
NAMES = sorted(LEVEL)
# tasks whose accepted steps are not all arithmetic equations (re-checked on their own below)
NON_ARITHMETIC = {"counting", "compare_numbers"}
BAD_CONFIGS = {
    "counting": [{"max_count": 0}, {"max_distractors": -1}, {"walk": "yes"}, {"strike": 1},
                 {"walk": True, "strike": True}],
    "compare_numbers": [{"max_value": 0}],
    "next_in_sequence": [{"max_step": 0}, {"shown": 2}],
    "one_digit_sums": [{"max_addend": 10}],
    "column_arithmetic": [{"min_digits": 5, "max_digits": 3}],
    "long_multiplication": [{"min_digits": 0}, {"multiplier_digits": (4,)}],
    "long_division": [{"max_divisor": 1}, {"min_digits": 1}],
    "order_of_operations": [{"min_ops": 0}, {"max_number": 1}],
    "simple_fractions": [{"max_denominator": 1}, {"operations": ("×",)}],
    "linear_equations": [{"max_coefficient": 1}, {"both_sides": 2.0}],
    "fractions_decimals_percentages": [{"kinds": ("to_roman",)}, {"max_amount": 5}],
    "powers": [{"max_base": 1}, {"max_exponent": 0}],
    "gcd_lcm": [{"max_factor": 0}, {"max_cofactor": 1}],
    "prime_factorisation": [{"min_value": 2}, {"min_value": 50, "max_value": 10}],
    "ratios": [{"kinds": ()}, {"max_part": 1}],
    "linear_systems": [{"max_coefficient": 1}, {"max_solution": 0}],
}

NUM = r"(?:\(-\d+(?:/\d+)?\)|-?\d+(?:\.\d+|/\d+)?)"
# `a op b ... = c`, not part of a longer product such as `2^3 × 5 = 40` or `40 = 2^3 × 5`
CHAIN = re.compile(
    rf"(?<![\w/.(^)-])(?<![-+×÷] )({NUM}(?: [-+×÷] {NUM})*) = ({NUM})(?![\w/.(^%])(?! [-+×÷] )"
)


def _value(tok: str) -> Fraction:
    return Fraction(tok.strip("()"))


def evaluate_chain(expr: str) -> Fraction:
    """Evaluate `a op b op c ...` (+ - × ÷, usual precedence) exactly; written for the tests."""
    toks = expr.split(" ")
    terms: list[Fraction] = [_value(toks[0])]
    signs: list[int] = [1]
    for op, tok in zip(toks[1::2], toks[2::2], strict=True):
        v = _value(tok)
        if op == "×":
            terms[-1] *= v
        elif op == "÷":
            terms[-1] /= v
        else:
            terms.append(v)
            signs.append(1 if op == "+" else -1)
    return sum((s * t for s, t in zip(signs, terms, strict=True)), Fraction(0))


def recheck_equations(text: str) -> int:
    """Assert every `expr = value` in `text` holds; return how many were found."""
    found = 0
    for m in CHAIN.finditer(text):
        assert evaluate_chain(m.group(1)) == _value(m.group(2)), (
            f"false claim {m.group(0)!r} in {text!r}"
        )
        found += 1
    return found


def _cfg(task: Task, **kw):
    return task.default_config(**kw)


def _problems(name: str, n: int, seed: int = 0, **kw):
    task = TASKS[name]
    cfg = _cfg(task, **kw)
    return [generate_problem(task, LEVEL[name], seed, i, cfg) for i in range(n)]


def perturb(answer: str) -> str:
    """A wrong answer of the same shape: the first number in `answer` plus one."""
    m = re.search(r"-?\d+(?:\.\d+|/\d+)?", answer)
    assert m is not None, answer
    return answer[: m.start()] + fraction_text(Fraction(m.group()) + 1) + answer[m.end() :]


def test_registry_holds_every_task_at_its_level():
    for name, level in LEVEL.items():
        assert TASKS[name].name == name
        assert level in TASKS[name].levels
        assert TASKS[name].domain == "math"


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_same_record(name):
    task, level = TASKS[name], LEVEL[name]
    cfg = _cfg(task, slip_rate=0.3)
    first = [generate_record(task, level, 7, i, cfg).model_dump() for i in range(30)]
    again = [generate_record(task, level, 7, i, cfg).model_dump() for i in range(30)]
    assert first == again
    other = [generate_record(task, level, 8, i, cfg).model_dump() for i in range(30)]
    assert [r["prompt"] for r in first] != [r["prompt"] for r in other]


@pytest.mark.parametrize("name", NAMES)
def test_oracle_scores_one_and_perturbed_below_one(name):
    task = TASKS[name]
    for p in _problems(name, 150, slip_rate=0.3):
        assert task.verify(p, p.answer).score == 1.0, (p.prompt, p.answer)
        wrong = perturb(p.answer)
        assert task.verify(p, wrong).score < 1.0, (p.prompt, wrong)
        assert task.verify(p, "").score == 0.0


@pytest.mark.parametrize("name", sorted(set(NAMES) - NON_ARITHMETIC))
def test_accepted_arithmetic_steps_recheck(name):
    found = 0
    problems = _problems(name, 300, seed=3, slip_rate=0.3)
    for p in problems:
        accepted = [s.proposal for s in p.steps if s.verdict == "accept"]
        found += sum(recheck_equations(text) for text in accepted)
        # the final step states the answer
        assert re.split(r" R |, |%| : ", p.answer.split("= ")[-1])[0] in accepted[-1], p.answer
    assert found >= len(problems)  # the re-check saw real claims, not an empty list


@pytest.mark.parametrize("name", NAMES)
def test_slips_are_labelled_rejected_and_corrected(name):
    kinds = set()
    for p in _problems(name, 200, seed=5, slip_rate=0.5):
        rejected = [i for i, s in enumerate(p.steps) if s.verdict == "reject"]
        assert (p.error is None) == (not rejected)
        for i in rejected:
            assert p.steps[i].slip and not p.steps[i].check.ok
            assert "✗" in p.steps[i].critic
            assert p.steps[i + 1].verdict == "accept"  # the corrected step follows
        if p.error:
            first = p.steps[p.error.first_divergent_step]
            assert first.verdict == "reject" and p.error.kind == f"slip:{first.slip}"
            assert p.error.wrong == first.proposal
            kinds.add(first.slip)
    assert kinds, f"{name}: no slips at slip_rate 0.5"
    for p in _problems(name, 50, seed=5, slip_rate=0.0):
        assert all(s.verdict == "accept" for s in p.steps) and p.error is None


@pytest.mark.parametrize(("name", "bad"), [(n, b) for n in NAMES for b in BAD_CONFIGS[n]])
def test_bad_configs_raise_clear_errors(name, bad):
    with pytest.raises(ValueError) as err:
        _cfg(TASKS[name], **bad)
    assert len(str(err.value)) > 20
    with pytest.raises(ValueError, match="slip_rate"):
        _cfg(TASKS[name], slip_rate=1.5)


@pytest.mark.parametrize("name", NAMES)
def test_records_render_and_parse_back(name):
    task = TASKS[name]
    cfg = _cfg(task, slip_rate=0.5)
    for i in range(20):
        r = generate_record(task, LEVEL[name], 1, i, cfg)
        parsed = parse(render(r))
        assert parsed.prompt == r.prompt and parsed.answer == r.answer
        assert [(s.proposal, s.critic, s.verdict) for s in parsed.steps] == [
            (s.proposal, s.critic, s.verdict) for s in r.steps
        ]


def test_counting_steps_recount_the_row():
    for p in _problems("counting", 300, slip_rate=0.3):
        head, row_text = p.prompt.split("? ")
        singular = {plural: one for one, plural in PLURALS.items()}
        target, row = singular[head.split()[-3]], row_text.split()
        for s in p.steps:
            m = re.fullmatch(r"position (\d+) is an? (\w+): count (\d+)", s.proposal)
            if s.verdict == "accept" and m:
                pos = int(m.group(1))
                assert row[pos - 1] == target == m.group(2)
                assert row[:pos].count(target) == int(m.group(3))
        assert int(p.answer) == row.count(target)


def test_counting_walk_steps_through_the_whole_row_as_written():
    singular = {plural: one for one, plural in PLURALS.items()}
    for p in _problems("counting", 300, slip_rate=0.3, walk=True):
        head, row_text = p.prompt.split("? ")
        target, row = singular[head.split()[-3]], row_text.split()
        accepted = [s.proposal for s in p.steps if s.verdict == "accept"]
        assert len(accepted) == len(row) + 1
        for pos, text in enumerate(accepted[:-1], start=1):
            seen = row[:pos].count(target)
            an = "an" if row[pos - 1][0] in "aeiou" else "a"
            if row[pos - 1] == target:
                assert text == f"position {pos} is {an} {target}: count {seen}"
            else:
                a_target = ("an " if target[0] in "aeiou" else "a ") + target
                assert text == f"position {pos} is {an} {row[pos - 1]}, not {a_target}: count {seen}"
        assert accepted[-1].endswith(f" {row.count(target)}") and p.answer == str(row.count(target))
        for s in p.steps:  # slips are on the objects counted, and are wrong
            if s.verdict == "reject":
                m = re.fullmatch(r"position (\d+) is an? (\w+): count (\d+)", s.proposal)
                assert m and row[int(m.group(1)) - 1] == target == m.group(2)
                assert int(m.group(3)) != row[:int(m.group(1))].count(target)


def test_counting_walk_changes_the_steps_only():
    for plain, walked in zip(_problems("counting", 100), _problems("counting", 100, walk=True), strict=True):
        assert (plain.prompt, plain.answer, plain.identity) == (walked.prompt, walked.answer, walked.identity)
        counted = [s.proposal for s in walked.steps if ", not " not in s.proposal]
        assert counted == [s.proposal for s in plain.steps]


def test_counting_strike_crosses_off_the_row_as_written():
    """Every accepted `strike` step, rebuilt from the prompt's words alone: the object at
    its position, the count of the asked object so far, and exactly the words after it."""
    singular = {plural: one for one, plural in PLURALS.items()}

    def a(word: str) -> str:
        return ("an " if word[0] in "aeiou" else "a ") + word

    for p in _problems("counting", 300, slip_rate=0.3, strike=True):
        head, row_text = p.prompt.split("? ")
        asked = head.split()[-3]
        target, row = singular[asked], row_text.split()
        accepted = [s for s in p.steps if s.verdict == "accept"]
        assert len(accepted) == len(row) + 1
        for pos, step in enumerate(accepted[:-1], start=1):
            seen = row[:pos].count(target)
            so_far = f"{seen} {target if seen == 1 else asked} so far"
            named = a(row[pos - 1]) + ("" if row[pos - 1] == target else f", not {a(target)}")
            left = " ".join(row[pos:]) or "none"
            assert step.proposal == f"{named}: {so_far}, left {left}"
            assert step.critic == f"{so_far} ✓"
        assert accepted[-1].proposal.endswith(f" {row.count(target)}")
        assert p.answer == str(row.count(target))
        for s in p.steps:  # slips are on the objects counted, with a wrong count
            if s.verdict == "reject":
                m = re.fullmatch(r"an? (\w+): (\d+) \w+ so far, left ([\w ]+)", s.proposal)
                pos = len(row) - (0 if m.group(3) == "none" else len(m.group(3).split()))
                assert m.group(1) == target == row[pos - 1]
                assert int(m.group(2)) != row[:pos].count(target)


def test_counting_strike_changes_the_steps_only():
    plain, struck = _problems("counting", 100), _problems("counting", 100, strike=True)
    for a, b in zip(plain, struck, strict=True):
        assert (a.prompt, a.answer, a.identity) == (b.prompt, b.answer, b.identity)


def test_counting_strike_check_rejects_a_wrong_rest_of_the_row():
    from generators.math.counting import check_strike

    row = ["cat", "dog", "cat"]
    assert check_strike(row, "cat", 2, 1, "dog", ["cat"]).ok
    assert not check_strike(row, "cat", 2, 1, "dog", ["dog"]).ok
    assert not check_strike(row, "cat", 2, 1, "dog", []).ok
    assert not check_strike(row, "cat", 2, 2, "dog", ["cat"]).ok


def test_compare_numbers_claims_hold():
    ops = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "=": lambda a, b: a == b}
    for p in _problems("compare_numbers", 300, slip_rate=0.3):
        for s in p.steps:
            if s.verdict == "accept":
                for a, op, b in re.findall(r"(\d+) ([<>=]) (\d+)", s.proposal):
                    assert ops[op](int(a), int(b)), s.proposal
        a, b = map(int, re.findall(r"\d+", p.prompt))
        assert int(p.answer) == (max(a, b) if "greater" in p.prompt else min(a, b))


def test_next_in_sequence_rule_matches_the_terms():
    for p in _problems("next_in_sequence", 300, slip_rate=0.3):
        terms = [int(t) for t in re.findall(r"\d+", p.prompt)]
        diffs = {b - a for a, b in itertools.pairwise(terms)}
        assert len(diffs) == 1 and int(p.answer) == terms[-1] + diffs.pop()


def test_long_division_remainder_is_smaller_than_divisor():
    for p in _problems("long_division", 300, slip_rate=0.3):
        dividend, divisor = map(int, re.findall(r"\d+", p.prompt)[:2])
        assert p.answer == f"{dividend // divisor} R {dividend % divisor}"


def test_simple_fractions_common_denominator_is_least():
    for p in _problems("simple_fractions", 300, slip_rate=0.3):
        for s in p.steps:
            m = re.search(r"lcm\((\d+), (\d+)\) = (\d+)", s.proposal)
            if m and s.verdict == "accept":
                b, d, n = map(int, m.groups())
                assert n == next(k for k in range(1, b * d + 1) if k % b == 0 == k % d)
        a, b, op, c, d = re.match(r"Compute (\d+)/(\d+) ([+-]) (\d+)/(\d+)", p.prompt).groups()
        x, y = Fraction(int(a), int(b)), Fraction(int(c), int(d))
        assert Fraction(p.answer) == (x + y if op == "+" else x - y)
        assert math.gcd(Fraction(p.answer).numerator, Fraction(p.answer).denominator) == 1


def test_verifiers_accept_equivalent_forms():
    p = next(p for p in _problems("simple_fractions", 100) if p.answer == "1/2")
    task = TASKS["simple_fractions"]
    for text in ("1/2", "2/4", "0.5", " 1/2. ", "50%"):
        assert task.verify(p, text).score == 1.0, text
    p = _problems("long_division", 1)[0]
    q, r = p.answer.split(" R ")
    for text in (f"{q} R {r}", f"{q} remainder {r}", f"{q} r{r}", f"q = {q}, r = {r}"):
        assert TASKS["long_division"].verify(p, text).score == 1.0, text


def eval_linear(expr: str, env: dict[str, Fraction]) -> Fraction:
    """Evaluate `3x - 2y + 4`, `-x`, `-18 ÷ (-3)` at `env`; written for the tests."""
    toks = expr.split(" ")
    for k in range(0, len(toks), 2):
        if toks[k][-1:] in env:
            coef = {"": "1", "-": "-1"}.get(toks[k][:-1], toks[k][:-1])
            toks[k] = f"({fraction_text(Fraction(coef) * env[toks[k][-1]])})"
    return evaluate_chain(" ".join(toks))


def equations_hold(text: str, env: dict[str, Fraction]) -> int:
    """Every `a = b = c` segment after the colon (split at →) holds at `env`; returns count."""
    body = text.split(": ", 1)[-1]
    count = 0
    for segment in body.split(" → "):
        sides = [eval_linear(part.split(",")[0], env) for part in segment.split(" = ")]
        assert len(set(sides)) == 1, (text, env)
        count += 1
    return count


def test_linear_equations_steps_keep_the_solution():
    for p in _problems("linear_equations", 300, slip_rate=0.3):
        var, question = re.fullmatch(r"Solve for (\w): (.+)", p.prompt).groups()
        env = {var: Fraction(p.data["expected"])}
        left, right = question.split(" = ")
        assert eval_linear(left, env) == eval_linear(right, env)
        for s in p.steps:
            if s.verdict == "accept":
                assert equations_hold(s.proposal, env)


def test_linear_systems_steps_keep_the_solution():
    for p in _problems("linear_systems", 300, slip_rate=0.3):
        env = {k: Fraction(v) for k, v in re.findall(r"(x|y) = (-?\d+)", p.answer)}
        for eq in re.findall(r"\(\d\) ([^,.]+)", p.prompt):
            left, right = eq.split(" = ")
            assert eval_linear(left, env) == eval_linear(right, env), eq
        for s in p.steps:
            if s.verdict == "accept":
                assert equations_hold(s.proposal.split(" → ")[-1], env)


def _is_prime(n: int) -> bool:
    return n >= 2 and all(n % k for k in range(2, math.isqrt(n) + 1))


def test_prime_factorisation_answer_multiplies_back():
    for p in _problems("prime_factorisation", 300, slip_rate=0.3):
        n = int(re.search(r"\d+", p.prompt).group())
        product = 1
        for base, _, exp in re.findall(r"(\d+)(\^(\d+))?", p.answer):
            assert _is_prime(int(base))
            product *= int(base) ** int(exp or 1)
        assert product == n


def test_middle_answers_recomputed_from_the_prompt():
    for p in _problems("gcd_lcm", 200, slip_rate=0.3):
        a, b = map(int, re.findall(r"\d+", p.prompt))
        assert int(p.answer) == (math.gcd(a, b) if "greatest" in p.prompt else math.lcm(a, b))
    for p in _problems("powers", 200, slip_rate=0.3):
        base, exp = map(int, re.findall(r"-?\d+", p.prompt))
        assert Fraction(p.answer) == Fraction(base) ** exp
    for p in _problems("ratios", 200, slip_rate=0.3):
        nums = [int(v) for v in re.findall(r"\d+", p.prompt)]
        got = [int(v) for v in re.findall(r"\d+", p.answer)]
        if p.prompt.startswith("Share"):
            amount, parts = nums[0], nums[1:]
            assert sum(got) == amount and all(
                g * parts[0] == got[0] * q for g, q in zip(got, parts, strict=True)
            )
        else:
            assert math.gcd(*got) == 1 and got[0] * nums[1] == got[1] * nums[0]
    for p in _problems("fractions_decimals_percentages", 200, slip_rate=0.3):
        if p.prompt.startswith("What is"):
            pct, amount = map(int, re.findall(r"\d+", p.prompt))
            assert Fraction(p.answer) == Fraction(pct * amount, 100)
        elif "as a percentage" in p.prompt:
            a, b = map(int, re.findall(r"\d+", p.prompt))
            assert Fraction(p.answer.rstrip("%")) == Fraction(100 * a, b)
        else:
            given = re.search(r"Write (\S+) as", p.prompt).group(1)
            assert Fraction(p.answer) == Fraction(given)
            assert ("." in p.answer) == ("decimal" in p.prompt)


def test_golden_first_items():
    got = {n: generate_record(TASKS[n], LEVEL[n], 0, 0, _cfg(TASKS[n])) for n in NAMES}
    golden = {n: (r.prompt, r.answer) for n, r in got.items()}
    assert golden == GOLDEN


GOLDEN: dict[str, tuple[str, str]] = {
    'column_arithmetic': ('Compute 1003 - 610 column by column.', '393'),
    'compare_numbers': ('Which number is greater: 44 or 36?', '44'),
    'counting': ('How many stars are there? star star star star star star', '6'),
    'fractions_decimals_percentages': ('What is 40% of 325?', '130'),
    'gcd_lcm': ('Find the greatest common divisor of 12 and 11.', '1'),
    'linear_equations': ('Solve for x: -6x - 8 = -x - 3', 'x = -1'),
    'linear_systems': ('Solve the system: (1) -2x - 6y = 10, (2) -2x + 4y = -10.', 'x = 1, y = -2'),
    'long_division': ('Divide 7964 by 3 by long division; give the quotient and the remainder (like 43 R 1).', '2654 R 2'),
    'long_multiplication': ('Compute 667 × 64 by long multiplication.', '42688'),
    'next_in_sequence': ('What number comes next? 24, 21, 18, 15, ?', '12'),
    'one_digit_sums': ('What is 6 + 4?', '10'),
    'order_of_operations': ('Compute (12 - 11) × 1.', '1'),
    'powers': ('Compute 7^2.', '49'),
    'prime_factorisation': ('Write 770 as a product of primes.', '2 × 5 × 7 × 11'),
    'ratios': ('Simplify the ratio 28 : 63.', '4 : 9'),
    'simple_fractions': ('Compute 1/2 + 3/4. Give the answer in lowest terms.', '5/4'),
}  # fmt: skip
