"""`inspect-traces`: the record view, filters, --raw, --stats, plain output off a terminal, bad input."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from cli.inspect_traces import main
from generators.math.column_arithmetic import TASK
from reasoning.dataset import write_records
from reasoning.inspect_view import record_view
from reasoning.render import render
from reasoning.schema import Check, InjectedError, Provenance, Record, Step, record_id
from reasoning.split import problem_id, split_of_id
from reasoning.task import generate_record

REPO = Path(__file__).resolve().parents[2]


def toy_record() -> Record:
    """A hand-made logic record whose text would break markup and tag parsing if unescaped."""
    prov = Provenance(generator="logic.toy", version="2", level="middle", seed=5, index=3)
    steps = [
        Step(proposal="[red]p[/red] → q", critic="q does not follow", verdict="reject",
             check=Check(checker="truth_table", ok=False, detail="row p=1 q=0"), slip="wrong_rule"),
        Step(proposal="p <think> q", critic="modus ponens ✓", verdict="accept",
             check=Check(checker="truth_table", ok=True, detail="all rows")),
    ]  # fmt: skip
    err = InjectedError(kind="slip:wrong_rule", location="step 0", original="q",
                        wrong="[red]p[/red] → q", first_divergent_step=0)  # fmt: skip
    pid = problem_id("", "Does [bold]q[/bold] follow?")
    return Record(id=record_id(prov), domain="logic", level="middle", task="toy",
                  split=split_of_id(pid), problem=pid, prompt="Does [bold]q[/bold] follow?", steps=steps, answer="yes </output>",
                  end="truncated", error=err, provenance=prov)  # fmt: skip


def math_records() -> list[Record]:
    slipping = TASK.default_config(slip_rate=0.5)
    clean = TASK.default_config(slip_rate=0.0)
    return [generate_record(TASK, "primary", 0, i, slipping) for i in range(6)] + [
        generate_record(TASK, "primary", 1, i, clean) for i in range(6)
    ]


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return [*math_records(), toy_record()]


@pytest.fixture()
def data_file(tmp_path, records) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    return path


def run_main(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def shown_ids(out: str, records: list[Record]) -> list[str]:
    """The ids of records whose panel appears in `out`, in the order they appear."""
    found = [(out.index(r.id), r.id) for r in records if r.id in out]
    return [rid for _, rid in sorted(found)]


def test_default_view_shows_first_five_plainly(capsys, data_file, records):
    code, out, err = run_main(capsys, data_file)
    assert code == 0 and err == ""
    assert shown_ids(out, records) == [r.id for r in records[:5]]
    assert out.count(f"provenance: math.column_arithmetic v{TASK.version}") == 5
    assert "\x1b[" not in out  # captured stdout is not a terminal: no colour codes
    first = records[0]
    assert first.prompt in out and "answer" in out and first.answer in out


def test_view_shows_steps_checks_error_and_literal_markup(capsys, data_file, records):
    code, out, _ = run_main(capsys, data_file, "--domain", "logic")
    assert code == 0
    assert shown_ids(out, records) == [records[-1].id]
    for text in ("Does [bold]q[/bold] follow?", "[red]p[/red] → q", "p <think> q",
                 "truth_table failed: row p=1 q=0", "truth_table ok: all rows",
                 "[slip: wrong_rule]", "slip:wrong_rule at step 0", "<truncated/>",
                 "yes </output>", "logic.toy v2 level=middle seed=5 index=3"):  # fmt: skip
        assert text in out, text
    assert "reject" in out and "accept" in out
    marked = [line for line in out.splitlines() if "◀ injected error" in line]
    assert len(marked) == 1 and "[red]p[/red] → q" in marked[0]  # on the first divergent step


def test_control_characters_in_fields_are_shown_escaped(capsys, tmp_path, records):
    rec = records[0].model_copy(update={"prompt": "evil \x1b[31mred\x07 \ttab"})
    path = tmp_path / "evil.jsonl"
    path.write_text(rec.model_dump_json() + "\n", encoding="utf-8")
    code, out, _ = run_main(capsys, path)
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "evil \\x1b[31mred\\x07" in out and "tab" in out  # (rich expands the tab)
    code, out, _ = run_main(capsys, path, "--raw")  # the raw text stays exact
    assert out == render(rec) + "\n"


def test_rejected_and_injected_steps_are_red_accepted_green_on_a_terminal():
    console = Console(force_terminal=True, color_system="standard", width=200)
    with console.capture() as cap:
        console.print(record_view(toy_record()))
    out = cap.get()
    red, green = "\x1b[1;31m", "\x1b[32m"
    assert f"{red}[red]p[/red] → q" in out  # the rejected proposal
    assert f"{red}reject" in out and f"{green}accept" in out
    assert "injected error" in out and "\x1b[2m" in out  # check details are dimmed


@pytest.mark.parametrize(
    ("flags", "want"),
    [
        (["--rejected", "--limit", "50"], lambda r: any(s.verdict == "reject" for s in r.steps)),
        (["--level", "middle"], lambda r: r.level == "middle"),
        (["--task", "column_arithmetic", "--limit", "3"], lambda r: r.task == "column_arithmetic"),
        (["--domain", "math", "--rejected", "--limit", "2"], lambda r: r.domain == "math"
         and any(s.verdict == "reject" for s in r.steps)),
        (["--task", "no_such_task"], lambda r: False),
    ],
)
def test_filters(capsys, data_file, records, flags, want):
    code, out, err = run_main(capsys, data_file, *flags)
    assert code == 0
    limit = int(flags[flags.index("--limit") + 1]) if "--limit" in flags else 5
    expected = [r.id for r in records if want(r)][:limit]
    assert shown_ids(out, records) == expected
    assert ("no records match" in err) == (not expected)
    if "--rejected" in flags:  # the fixture has both kinds, so the filter is doing work
        assert 0 < len(expected) < len(records)


def test_id_filter_takes_a_prefix(capsys, data_file, records):
    target = records[7]
    code, out, _ = run_main(capsys, data_file, "--id", target.id[:8], "--raw")
    assert code == 0 and out == render(target) + "\n"


def test_raw_prints_exact_token_text(capsys, data_file, records):
    code, out, _ = run_main(capsys, data_file, "--raw", "--limit", "3")
    assert code == 0
    assert out == "\n".join(render(r) + "\n" for r in records[:3])
    code, out, _ = run_main(capsys, data_file, "--raw", "--domain", "logic")
    assert out == render(records[-1]) + "\n"
    assert "<\\think>" in out and "<\\/output>" in out


def test_stats_counts_all_matching_records(capsys, data_file, records):
    code, out, _ = run_main(capsys, data_file, "--stats")
    assert code == 0 and "\x1b[" not in out
    math = [r for r in records if r.domain == "math"]
    steps = [len(r.steps) for r in math]
    slips = sum(any(s.verdict == "reject" for s in r.steps) for r in math)
    math_row = next(line for line in out.splitlines() if "column_arithmetic" in line).split()
    assert math_row == ["math", "primary", "column_arithmetic", str(len(math)), str(min(steps)),
                        f"{statistics.median(steps):g}", str(max(steps)),
                        f"{100 * slips / len(math):.0f}%", f"{100 * slips / len(math):.0f}%",
                        "0%"]  # fmt: skip
    toy_row = next(line for line in out.splitlines() if " toy " in line).split()
    assert toy_row == ["logic", "middle", "toy", "1", "2", "2", "2", "100%", "100%", "100%"]
    all_row = next(line for line in out.splitlines() if line.split()[:1] == ["all"]).split()
    assert all_row[1] == str(len(records))


def test_stats_respects_filters_and_an_explicit_limit(capsys, data_file):
    _, out, _ = run_main(capsys, data_file, "--stats", "--domain", "math", "--limit", "4")
    assert "toy" not in out
    all_row = next(line for line in out.splitlines() if line.split()[:1] == ["all"]).split()
    assert all_row[1] == "4"


def test_reads_a_dataset_directory(capsys, tmp_path, records):
    for k, chunk in enumerate((records[:7], records[7:])):
        (tmp_path / f"shard-{k:05d}-of-00002.jsonl").write_text(
            "".join(r.model_dump_json() + "\n" for r in chunk), encoding="utf-8"
        )
    code, out, _ = run_main(capsys, tmp_path, "--raw", "--limit", "100")
    assert code == 0 and out == "\n".join(render(r) + "\n" for r in records)


def bad_inputs(tmp_path: Path, good_line: str) -> dict[str, tuple[list[str], str]]:
    """Each case: argv and a piece of the one-line message."""
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "broken.jsonl").write_text(good_line + "\n" + good_line + "\n{not json\n")
    (tmp_path / "extra.jsonl").write_text(good_line.replace('{"id"', '{"colour": 1, "id"', 1) + "\n")
    (tmp_path / "empty").mkdir()
    good = str(tmp_path / "broken.jsonl")
    return {
        "missing path": ([str(tmp_path / "nope")], "no such file"),
        "not a dataset": ([str(tmp_path / "notes.txt")], "not a dataset file"),
        "empty directory": ([str(tmp_path / "empty")], "no .jsonl or .parquet"),
        "malformed record": ([good, "--limit", "10"], "broken.jsonl:3:"),
        "unknown key": ([str(tmp_path / "extra.jsonl")], "colour"),
        "unknown flag": ([good, "--colour"], "unrecognized arguments: --colour"),
        "limit 0": ([good, "--limit", "0"], "--limit"),
        "negative limit": ([good, "--limit", "-3"], "--limit"),
        "limit not a number": ([good, "--limit", "x"], "--limit"),
        "raw and stats": ([good, "--raw", "--stats"], "not allowed with"),
        "unknown level": ([good, "--level", "phd"], "--level"),
        "no path": ([], "path"),
    }


def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, records):
    for name, (argv, piece) in bad_inputs(tmp_path, records[0].model_dump_json()).items():
        try:
            code = main(argv)
        except SystemExit as e:  # argparse errors leave through SystemExit
            code = e.code
        _, err = capsys.readouterr()
        assert code == 2, name
        assert err.count("\n") == 1 and err.startswith("inspect-traces"), (name, err)
        assert piece in err, (name, err)


def test_malformed_line_after_the_limit_is_never_read(capsys, tmp_path, records):
    path = tmp_path / "tail.jsonl"
    path.write_text(records[0].model_dump_json() + "\n{not json\n")
    code, out, _ = run_main(capsys, path, "--limit", "1", "--raw")
    assert code == 0 and out == render(records[0]) + "\n"


@pytest.mark.slow
def test_subprocess_exit_codes_and_plain_output(tmp_path, records):
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    cases = bad_inputs(tmp_path, records[0].model_dump_json())
    for name in ("missing path", "malformed record", "unknown flag", "limit 0"):
        argv, piece = cases[name]
        proc = subprocess.run([sys.executable, "-m", "cli.inspect_traces", *argv], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert proc.returncode == 2, (name, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1 and piece in proc.stderr, (name, proc.stderr)
    data = tmp_path / "ok.jsonl"
    data.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    for flags in ([], ["--stats"]):
        proc = subprocess.run([sys.executable, "-m", "cli.inspect_traces", str(data), *flags],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert proc.returncode == 0 and proc.stderr == ""
        assert "\x1b[" not in proc.stdout and "column_arithmetic" in proc.stdout


def test_reads_parquet(capsys, tmp_path, records):
    path = tmp_path / "data.parquet"
    write_records(path, records)
    code, out, _ = run_main(capsys, path, "--raw", "--rejected", "--limit", "100")
    assert code == 0
    assert out == "\n".join(render(r) + "\n" for r in records if r.has_slip)


@pytest.mark.slow
@pytest.mark.parametrize("flags", [[], ["--raw"]])
def test_reader_closing_the_pipe_is_a_normal_end(tmp_path, records, flags):
    # `inspect-traces out | head -1`: the reader leaves early; no traceback, exit 0.
    data = tmp_path / "many.jsonl"
    data.write_text("".join(r.model_dump_json() + "\n" for r in records * 20), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "cli.inspect_traces", str(data), "--limit",
                             "200", *flags], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert b"Traceback" not in proc.stderr.read()


def test_split_filter_reads_the_train_and_test_shards_of_a_generated_dataset(capsys, tmp_path):
    from cli.gen_traces import main as gen

    out = tmp_path / "out"
    assert gen(["--domain", "math", "--level", "primary", "-n", "300", "-o", str(out), "-q",
                "--tasks", "column_arithmetic"]) == 0  # fmt: skip
    capsys.readouterr()
    import json as _json

    splits = _json.loads((out / "manifest.json").read_text())["splits"]
    for split, name in (("exam", "test"), ("train", "train")):
        code, shown, _ = run_main(capsys, out, "--split", split, "--stats")
        assert code == 0
        total = next(line for line in shown.splitlines() if line.strip().startswith("all"))
        assert int(total.split()[1]) == splits[split] > 0
        assert any(p.name.startswith(name + "-") for p in out.iterdir())
    code, shown, _ = run_main(capsys, out, "--split", "exam", "--limit", "1")
    assert code == 0 and "split=exam" in shown and "split=train" not in shown
    with pytest.raises(SystemExit) as bad:
        main([str(out), "--split", "dev"])
    assert bad.value.code == 2 and "invalid choice: 'dev'" in capsys.readouterr().err
