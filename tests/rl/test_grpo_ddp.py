"""`grpo` under torchrun with 2 CPU processes (DDP, gloo) samples the same completions and
trains the same weights as one process with the same global batch and seed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from rl.policy import load_policy

RUN = ["--level", "preschool", "--tasks", "one_digit_sums", "--group-size", "4", "--prompts-per-step", "4",
       "--max-new-tokens", "16", "--exam-size", "3", "--threads", "1", "--lr", "1e-3", "--steps", "2",
       "--exam-every", "0", "--beta", "0.05", "--micro-batch", "3",
       "--precision", "fp32"]  # fmt: skip (fp32: bf16 rounds each rank's rows apart)


def _train_rows(out):
    return [r for r in map(json.loads, (out / "metrics.jsonl").read_text().splitlines()) if r["event"] == "train"]


@pytest.mark.slow
def test_two_ranks_equal_one_process(tmp_path, ours_dir):
    one, two = tmp_path / "one", tmp_path / "two"
    subprocess.run([sys.executable, "-m", "cli.grpo", "--init", str(ours_dir), "-o", str(one), *RUN],
                   check=True, capture_output=True, timeout=600)  # fmt: skip
    res = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                          "-m", "cli.grpo", "--init", str(ours_dir), "-o", str(two), *RUN],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    a, b = load_policy(one / "final").model.state_dict(), load_policy(two / "final").model.state_dict()
    start = load_policy(ours_dir).model.state_dict()
    moved = max(float((a[k] - start[k]).abs().max()) for k in a)
    diff = max(float((a[k] - b[k]).abs().max()) for k in a)
    # The weights moved, and the two runs agree to float rounding (Adam magnifies it where a
    # gradient is near zero), far below the move.
    assert moved > 1e-3 and diff < 1e-5, (moved, diff)
    ra, rb = _train_rows(one), _train_rows(two)
    assert len(ra) == len(rb) == 2
    for x, y in zip(ra, rb, strict=True):
        # Rewards are gathered over ranks: the logged batch statistics are the whole batch's.
        for k in ("reward", "reward_std", "rewards/format/mean", "completions/mean_length",
                  "completions/max_length", "kl", "entropy", "clip_ratio/region_mean"):  # fmt: skip
            assert x[k] == pytest.approx(y[k], rel=1e-4, abs=1e-6), k
    assert torch.tensor([r["completions/mean_length"] for r in ra]).min() > 1
    exams = lambda d: [(r["task"], r["n"], r["score"]) for r in map(json.loads, (d / "metrics.jsonl").read_text().splitlines())  # noqa: E731
                       if r["event"] == "exam"]  # fmt: skip
    assert exams(one) == exams(two)


def _zero_rank_worker(rank: int, world: int, ck: str, port: int, out: str) -> None:
    """One rank of test_a_rank_whose_groups_all_agree_still_steps."""
    import os

    import torch.distributed as dist

    import rl.rewards as R
    from rl.grpo import GRPOConfig, grpo_step
    from rl.tasks import PromptSource

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(1)
    problems = PromptSource("preschool", ("one_digit_sums",), 0, None).take(4)
    flat = {problems[0].prompt, problems[1].prompt}  # rank 0's prompts: every reward 0
    R.REWARDS["toy"] = lambda cs, ps: [0.0 if p.prompt in flat else sum(ch in "aeiou" for ch in c) / max(1, len(c))
                                       for c, p in zip(cs, ps, strict=True)]  # fmt: skip
    R.DEFAULT_WEIGHTS["toy"] = 1.0
    cfg = GRPOConfig(out=out, init=ck, level="preschool", tasks=("one_digit_sums",), reward="toy", group_size=4,
                     prompts_per_step=4, max_new_tokens=8, dynamic_sampling=True, lr=1e-2)  # fmt: skip
    policy = load_policy(ck)
    net = torch.nn.parallel.DistributedDataParallel(policy.model)
    opt = torch.optim.AdamW(policy.model.parameters(), lr=1e-2)
    row = grpo_step(policy, None, opt, problems[2 * rank:2 * rank + 2], cfg, first_prompt=2 * rank, net=net,
                    world=world)  # fmt: skip
    torch.save((row["groups_kept"], [p.detach() for p in policy.model.parameters()]), f"{out}/rank{rank}.pt")
    dist.barrier()
    dist.destroy_process_group()


@pytest.mark.slow
def test_a_rank_whose_groups_all_agree_still_steps(tmp_path, ours_dir):
    """Dynamic sampling drops every group of rank 0: it runs a zero-weight backward, so DDP
    does not hang, and both ranks take rank 1's update."""
    import socket

    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_zero_rank_worker, args=(2, str(ours_dir), port, str(tmp_path)), nprocs=2, join=True)
    (kept0, w0), (kept1, w1) = (torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1))
    start = list(load_policy(ours_dir).model.parameters())
    assert kept0 == kept1 == 0.5  # half the batch's groups kept: all of them rank 1's
    assert all(torch.equal(a, b) for a, b in zip(w0, w1, strict=True))
    assert max(float((a - b.detach()).abs().max()) for a, b in zip(w0, start, strict=True)) > 1e-3
