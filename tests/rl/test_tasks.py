"""GRPO's problems: train split only (task mix or a gen-traces directory), resumable at a
position; exams from the exam split, graded by the task's verifier on the `<output>`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from model.curriculum.textbook import identity_key, problem_split
from rl.tasks import PromptSource, exam_items, grade


def test_task_mix_prompts_are_train_split_and_resume_in_place():
    src = PromptSource("preschool", ("one_digit_sums", "compare_numbers"), 0, None)
    first = src.take(5)
    pos = src.position()
    nxt = src.take(5)
    assert {p.task for p in first + nxt} == {"one_digit_sums", "compare_numbers"}
    assert all(problem_split(p) == "train" for p in first + nxt)
    again = PromptSource("preschool", ("one_digit_sums", "compare_numbers"), 0, None, pos).take(5)
    assert [p.prompt for p in again] == [p.prompt for p in nxt]
    exam = exam_items("preschool", ("one_digit_sums",), 5, None)
    assert len(exam) == 5 and all(problem_split(it.problem) == "exam" for it in exam)
    assert not {identity_key(it.problem) for it in exam} & {identity_key(p) for p in first + nxt}


def test_grading_reads_the_output_with_the_tasks_verifier():
    item = exam_items("preschool", ("one_digit_sums",), 1, None)[0]
    right, wrong = item.problem.answer, str(int(item.problem.answer) + 1)
    texts = [f"<terminated/>\n</think>\n<output>{right}</output>", f"<output>{wrong}</output>", right]
    assert grade([item] * 3, texts) == [1.0, 0.0, 0.0]  # no <output>: 0


def test_data_directory_train_and_exam_splits(tmp_path):
    data = tmp_path / "data"
    gen = subprocess.run([sys.executable, "-m", "cli.gen_traces", "--domain", "math", "--level", "preschool",
                          "--tasks", "one_digit_sums", "-n", "60", "-q", "-o", str(data)],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    src = PromptSource("preschool", None, 0, str(data))
    train = src.take(80)  # more than the split holds: cycled
    assert all(problem_split(p) == "train" for p in train)
    assert src.position() == {"offset": 80}
    resumed = PromptSource("preschool", None, 0, str(data), {"offset": 3}).take(1)[0]
    assert resumed.prompt == train[3].prompt
    exam = exam_items("preschool", None, 100, str(data))
    assert exam and all(problem_split(it.problem) == "exam" for it in exam)
    assert grade(exam[:1], [f"<output>{exam[0].problem.answer}</output>"]) == [1.0]
    with pytest.raises(ValueError, match="no exam-split records at level 'primary'"):
        exam_items("primary", None, 10, str(data))
    with pytest.raises(ValueError, match="no train-split records"):
        PromptSource("primary", None, 0, str(data))
