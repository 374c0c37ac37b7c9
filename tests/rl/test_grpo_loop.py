"""The GRPO step and loop: every logged name, micro-batches that change nothing, groups that
agree teach nothing, truncated completions masked, old log-probs held across iterations, and
a tiny policy whose reward rises on a toy task."""

from __future__ import annotations

import json

import pytest
import torch

import rl.rewards as R
from model.checkpoint import save_checkpoint
from rl.grpo import GRPOConfig, grpo_step, train
from rl.policy import load_policy
from rl.tasks import PromptSource

from .conftest import tiny_model

TRL_NAMES = ("reward", "reward_std", "frac_reward_zero_std", "clip_ratio/low_mean",
             "clip_ratio/high_mean", "clip_ratio/region_mean", "completions/mean_length",
             "completions/min_length", "completions/max_length", "completions/clipped_ratio",
             "entropy", "step_time")  # fmt: skip


def digits(completions, problems):
    """A toy reward: the share of a completion's characters that are digits."""
    return [sum(c.isdigit() for c in t) / max(1, len(t)) for t in completions]


def vowels(completions, problems):
    """A toy reward that varies a lot between random completions: the share of vowels."""
    return [sum(c in "aeiou" for c in t) / max(1, len(t)) for t in completions]


@pytest.fixture
def toy_rewards(monkeypatch):
    monkeypatch.setitem(R.REWARDS, "vowels", vowels)
    monkeypatch.setitem(R.DEFAULT_WEIGHTS, "vowels", 1.0)
    monkeypatch.setitem(R.REWARDS, "digits", digits)
    monkeypatch.setitem(R.DEFAULT_WEIGHTS, "digits", 1.0)
    monkeypatch.setitem(R.REWARDS, "same", lambda c, p: [0.5] * len(c))
    monkeypatch.setitem(R.DEFAULT_WEIGHTS, "same", 1.0)


def cfg(tmp_path, **kw) -> GRPOConfig:
    """fp32 unless asked: the tests of exact arithmetic compare updates to rounding."""
    base = dict(out=str(tmp_path / "run"), init="unused", level="preschool", tasks=("one_digit_sums",),
                reward="vowels", group_size=4, prompts_per_step=2, max_new_tokens=10, lr=1e-2,
                precision="fp32")  # fmt: skip
    return GRPOConfig(**{**base, **kw})


def problems(n=2):
    return PromptSource("preschool", ("one_digit_sums",), 0, None).take(n)


def step(ours_dir, c, sgd=False):
    """One grpo_step from the fixture's weights: (metrics, largest weight change, policy)."""
    policy = load_policy(ours_dir)
    opt = torch.optim.SGD(policy.model.parameters(), lr=1.0) if sgd else \
        torch.optim.AdamW(policy.model.parameters(), lr=c.lr, weight_decay=0.0)
    before = [p.detach().clone() for p in policy.model.parameters()]
    row = grpo_step(policy, None, opt, problems(), c)
    moved = max(float((p.detach() - q).abs().max()) for p, q in zip(policy.model.parameters(), before, strict=True))
    return row, moved, policy


def test_step_logs_trl_names_and_updates(ours_dir, tmp_path, toy_rewards):
    c = cfg(tmp_path, beta=0.1, reward="vowels,same", reward_weights="same=0.5")
    policy = load_policy(ours_dir)
    opt = torch.optim.AdamW(policy.model.parameters(), lr=c.lr, weight_decay=0.0)
    ref = policy.frozen_copy()
    first = grpo_step(policy, ref, opt, problems(), c, step=0)
    for name in (*TRL_NAMES, "kl", "rewards/vowels/mean", "rewards/vowels/std", "rewards/same/mean"):
        assert name in first and first[name] is not None, name
    assert first["rewards/same/mean"] == 0.5 and first["rewards/same/std"] == 0.0
    assert first["reward"] == pytest.approx(first["rewards/vowels/mean"] + 0.25, abs=1e-6)
    assert first["kl"] == pytest.approx(0.0, abs=1e-6)  # the policy is still the reference
    assert 0 < first["entropy"] <= torch.log(torch.tensor(400.0)) + 1e-4
    second = grpo_step(policy, ref, opt, problems(), c, step=1)
    assert second["kl"] > 1e-4  # it moved away from the reference


@pytest.mark.parametrize("loss_type", ["grpo", "dr_grpo", "dapo"])
def test_micro_batches_give_the_same_update(ours_dir, tmp_path, toy_rewards, loss_type):
    # Plain SGD with lr 1: the weight change is the gradient (Adam would magnify rounding).
    _, moved, whole = step(ours_dir, cfg(tmp_path, loss_type=loss_type), sgd=True)
    _, _, parts = step(ours_dir, cfg(tmp_path, loss_type=loss_type, micro_batch=3), sgd=True)
    pairs = zip(whole.model.parameters(), parts.model.parameters(), strict=True)
    diff = max(float((p.detach() - q.detach()).abs().max()) for p, q in pairs)
    assert moved > 1e-4 and diff < 1e-6 * max(1.0, moved), (moved, diff)


def test_bf16_update_follows_fp32(ours_dir, tmp_path, toy_rewards):
    # Sampling runs in fp32 either way, so both see the same completions and rewards; only
    # the loss's forward and backward differ, by bf16's rounding.
    _, moved, full = step(ours_dir, cfg(tmp_path, precision="fp32"), sgd=True)
    _, _, half = step(ours_dir, cfg(tmp_path, precision="bf16"), sgd=True)
    start = load_policy(ours_dir).model.parameters()
    a, b = [], []
    for p, q, s in zip(full.model.parameters(), half.model.parameters(), start, strict=True):
        a.append((p.detach() - s.detach()).flatten())
        b.append((q.detach() - s.detach()).flatten())
    a, b = torch.cat(a), torch.cat(b)
    cos = float(torch.nn.functional.cosine_similarity(a, b, dim=0))
    assert moved > 1e-4 and cos > 0.98, cos
    assert float((a - b).abs().max()) > 0  # bf16 did run: the updates are not bit-equal


def test_bf16_old_logps_come_from_the_loss_forward(ours_dir, tmp_path, toy_rewards, monkeypatch):
    """With several iterations at temperature 1, fp32 reuses the sampler's log-probs as the
    old ones; under bf16 they come from one more forward, so the first ratio is exactly 1."""
    import rl.grpo as G

    calls = []
    real = G._completion_logps
    monkeypatch.setattr(G, "_completion_logps", lambda *a, **k: calls.append(1) or real(*a, **k))
    step(ours_dir, cfg(tmp_path, num_iterations=2, precision="fp32"))
    fp32_calls = len(calls)
    calls.clear()
    row, _, _ = step(ours_dir, cfg(tmp_path, num_iterations=2, precision="bf16"))
    assert (fp32_calls, len(calls)) == (2, 3)
    assert row["loss"] == row["loss"]  # not NaN


def test_groups_that_agree_teach_nothing(ours_dir, tmp_path, toy_rewards):
    row, moved, _ = step(ours_dir, cfg(tmp_path, reward="same", dynamic_sampling=True))
    assert moved == 0.0 and row["groups_kept"] == 0.0 and row["frac_reward_zero_std"] == 1.0
    row, moved, _ = step(ours_dir, cfg(tmp_path, dynamic_sampling=True))
    assert moved > 0 and row["groups_kept"] == 1.0


def test_truncated_completions_can_be_masked(ours_dir, tmp_path, toy_rewards):
    row, moved, _ = step(ours_dir, cfg(tmp_path, max_new_tokens=3, mask_truncated=True))
    assert row["completions/clipped_ratio"] == 1.0 and moved == 0.0  # every one truncated
    row, moved, _ = step(ours_dir, cfg(tmp_path, max_new_tokens=3))
    assert moved > 0


def test_overlong_penalty_is_logged_and_added(ours_dir, tmp_path, toy_rewards):
    row, _, _ = step(ours_dir, cfg(tmp_path, max_new_tokens=4, overlong_cache=2))
    assert set(TRL_NAMES) <= set(row) and "kl" not in row  # beta 0: no reference, no KL (as TRL)
    assert row["rewards/overlong/mean"] == -1.0  # all ran to the budget
    assert row["reward"] == pytest.approx(row["rewards/vowels/mean"] - 1.0, abs=1e-6)


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_old_logps_stay_fixed_across_iterations(ours_dir, tmp_path, toy_rewards, temperature):
    # One iteration: the ratio is exactly 1, nothing is clipped. Two with a large step: the
    # second iteration's ratio is to the policy that sampled, so it leaves the clip band.
    one, _, _ = step(ours_dir, cfg(tmp_path, lr=0.05, epsilon_low=0.01, epsilon_high=0.01,
                                   temperature=temperature))  # fmt: skip
    two, _, _ = step(ours_dir, cfg(tmp_path, lr=0.05, epsilon_low=0.01, epsilon_high=0.01,
                                   temperature=temperature, num_iterations=2))  # fmt: skip
    assert one["clip_ratio/region_mean"] == 0.0
    assert two["clip_ratio/region_mean"] > 0.01


def test_reward_rises_on_a_toy_task(tokenizer, tmp_path, toy_rewards):
    init = tmp_path / "init"
    save_checkpoint(init, tiny_model(tokenizer.get_vocab_size()), tokenizer)
    c = cfg(tmp_path, init=str(init), reward="digits", steps=30, prompts_per_step=4, group_size=8, max_new_tokens=16,
            lr=3e-3, exam_size=1, exam_every=0, exam_max_tokens=4, checkpoint_every=100)  # fmt: skip
    train(c, say=lambda _: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    rewards = [r["reward"] for r in rows if r["event"] == "train"]
    assert len(rewards) == 30
    start, end = sum(rewards[:5]) / 5, sum(rewards[-5:]) / 5
    assert end > start + 0.15 and end > 3 * start, (start, end)


def test_chunk_logps_cut_padding_exactly(ours_dir):
    """The loss's log-probs of any chunk of rows (padding columns cut) are the sampler's."""
    from rl.grpo import _completion_logps
    from rl.rollout import SamplingConfig, rollout

    policy = load_policy(ours_dir)
    ps = problems(3)
    ro = rollout(policy, [p.prompt + " and more words" * i for i, p in enumerate(ps)], 2,
                 SamplingConfig(max_new_tokens=12))  # fmt: skip
    assert len({len(policy.encode_prompt(p.prompt + " and more words" * i)) for i, p in enumerate(ps)}) == 3
    with torch.no_grad():
        for rows in ([0, 1, 2, 3, 4, 5], [0], [4, 5], [1, 5]):
            logps, _ = _completion_logps(policy, policy.model, ro, torch.tensor(rows), 1.0)
            assert logps.shape == ro.old_logps[rows].shape
            assert ((logps - ro.old_logps[rows]) * ro.completion_mask[rows]).abs().max() < 1e-4
