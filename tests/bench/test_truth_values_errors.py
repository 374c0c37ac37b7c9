"""The truth-values tally: kinds of fact per statement, and the script end to end on a tiny
checkpoint (a table row per kind and verdict, counts that add up to the exam)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
_spec = importlib.util.spec_from_file_location("truth_values_errors", ROOT / "bench" / "truth_values_errors.py")
tve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tve)


def test_kinds_name_every_fact_of_a_statement_once():
    assert tve.kinds({"atoms": {"a0": ["add", 3, 7, 9, 3, 6]}}) == "add"
    compound = {"atoms": {"a0": ["sides", "octagon", 9], "a1": ["cmp", 14, ">", 4], "a2": ["cmp", 1, "<", 2]}}
    assert tve.kinds(compound) == "cmp+sides"
    assert tve.kinds({}) == "?"


def test_the_tally_adds_up_to_the_exam(tmp_path):
    import torch

    from model.checkpoint import save_checkpoint
    from model.model import Transformer, preset
    from model.tokenizer import corpus_records, train_tokenizer
    from reasoning.render import render

    tok = train_tokenizer([render(r) for r in corpus_records(per_task=2, seed=0, levels=("preschool",))],
                          vocab_size=400)  # fmt: skip
    torch.manual_seed(0)
    model = Transformer(preset("tiny", vocab_size=tok.get_vocab_size()))
    save_checkpoint(tmp_path / "ck", model, tok, state={"form": "split+strike"})
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "truth_values_errors.py"), str(tmp_path / "ck"),
                          "--exam-size", "12", "--textbook", "40", "--max-new-tokens", "4"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr
    head = re.match(r"preschool truth values, (\d+) exam problems: (\d+) right", res.stdout)
    assert head, res.stdout
    rows = re.findall(r"^\| (\S+) \| (true|false) \| (\d+) of (\d+) \| (\d+) \|", res.stdout, re.M)
    assert sum(int(r[3]) for r in rows) == int(head.group(1)) == 12
    assert sum(int(r[2]) for r in rows) == int(head.group(2))
    assert all(int(r[2]) <= int(r[3]) and int(r[4]) <= int(r[3]) for r in rows)


def test_a_missing_checkpoint_is_one_line_and_exit_2(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "truth_values_errors.py"), str(tmp_path / "no")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)  # fmt: skip
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "no such checkpoint" in res.stderr
