"""The GRPO loss against a plain transcription of its formulas, and its gradients.

The reference functions below loop over rows and tokens in Python floats, written from
the definitions (TRL's GRPOTrainer, DAPO, Dr. GRPO), not from the vectorised code.
"""

from __future__ import annotations

import math
import statistics

import pytest
import torch

import rl.loss as loss_module
from rl.loss import (
    LOSS_TYPES,
    LossConfig,
    dynamic_sampling_keep,
    group_advantages,
    overlong_penalty,
    per_token_logps,
    policy_loss,
    truncation_mask,
)

# ---------------------------------------------------------------- reference transcription


def ref_advantages(rewards: list[float], group_size: int, scale: str, eps: float = 1e-4) -> list[float]:
    groups = [rewards[i:i + group_size] for i in range(0, len(rewards), group_size)]
    batch_std = statistics.stdev(rewards)
    out = []
    for group in groups:
        mean = sum(group) / len(group)
        std = statistics.stdev(group) if scale == "group" else batch_std
        for r in group:
            if scale == "none":
                out.append(r - mean)
            else:
                out.append((r - mean) / (std + eps))
    return out


def ref_loss(logps, old, ref, adv, mask, cfg: LossConfig, n_items=None):
    """Returns (loss, metrics) for nested lists of floats."""
    lo, hi = 1 - cfg.epsilon_low, 1 + cfg.epsilon_high
    row_means, total, tokens = [], 0.0, 0.0
    low = high = kl_sum = 0.0
    for i in range(len(logps)):
        row_total, row_tokens = 0.0, 0.0
        for t in range(len(logps[i])):
            if mask[i][t] == 0:
                continue
            ratio = math.exp(logps[i][t] - old[i][t])
            clipped = min(max(ratio, lo), hi)
            term = -min(ratio * adv[i], clipped * adv[i])
            if cfg.beta > 0:
                d = ref[i][t] - logps[i][t]
                kl = math.exp(d) - d - 1
                term += cfg.beta * kl
                kl_sum += kl
            row_total += term
            row_tokens += 1
            low += ratio < lo and adv[i] < 0
            high += ratio > hi and adv[i] > 0
        row_means.append(row_total / max(row_tokens, 1.0))
        total += row_total
        tokens += row_tokens
    if cfg.loss_type == "grpo":
        value = sum(row_means) / len(row_means)
    elif cfg.loss_type == "bnpo":
        value = total / max(tokens, 1.0)
    elif cfg.loss_type == "dr_grpo":
        value = total / (len(logps) * cfg.max_completion_length)
    else:
        value = total / max(tokens if n_items is None else n_items, 1.0)
    metrics = {"clip_ratio/low_mean": low / tokens, "clip_ratio/high_mean": high / tokens,
               "clip_ratio/region_mean": (low + high) / tokens}
    if cfg.beta > 0:
        metrics["kl"] = kl_sum / tokens
    return value, metrics


def fixed_batch():
    """Six completions of up to seven tokens: mixed lengths, one empty, ratios on both
    sides of the clip band, advantages of both signs and one zero."""
    g = torch.Generator().manual_seed(13)
    logps = -torch.rand(6, 7, generator=g, dtype=torch.float64) * 3
    old = logps + torch.randn(6, 7, generator=g, dtype=torch.float64) * 0.6  # ratios ~0.3..3
    ref = logps + torch.randn(6, 7, generator=g, dtype=torch.float64) * 0.3
    adv = torch.tensor([1.3, -0.7, 0.0, 2.1, -1.9, 0.4], dtype=torch.float64)
    lengths = [7, 3, 5, 0, 1, 6]
    mask = torch.tensor([[1.0] * n + [0.0] * (7 - n) for n in lengths], dtype=torch.float64)
    return logps, old, ref, adv, mask


# ---------------------------------------------------------------- the loss


@pytest.mark.parametrize("beta", [0.0, 0.04])
@pytest.mark.parametrize("loss_type", LOSS_TYPES)
def test_each_loss_type_matches_the_transcription(loss_type, beta):
    logps, old, ref, adv, mask = fixed_batch()
    cfg = LossConfig(loss_type=loss_type, beta=beta, max_completion_length=9)
    got, metrics = policy_loss(logps, old, ref if beta else None, adv, mask, cfg)
    want, want_metrics = ref_loss(logps.tolist(), old.tolist(), ref.tolist(), adv.tolist(),
                                  mask.tolist(), cfg)
    assert got.item() == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert metrics.keys() == want_metrics.keys()
    for name, value in want_metrics.items():
        assert metrics[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
    # the fixture exercises both sides of the band, so these metrics are not trivially 0
    assert metrics["clip_ratio/low_mean"] > 0 and metrics["clip_ratio/high_mean"] > 0


def test_the_normalisations_differ_on_ragged_lengths():
    logps, old, _, adv, mask = fixed_batch()
    values = {t: policy_loss(logps, old, None, adv, mask, LossConfig(loss_type=t, max_completion_length=9))[0].item()
              for t in LOSS_TYPES}
    assert len({round(values[t], 12) for t in ("grpo", "bnpo", "dr_grpo")}) == 3
    # dapo over this batch alone (one rank, no accumulation) is bnpo
    assert values["dapo"] == pytest.approx(values["bnpo"], rel=1e-12)


def test_dapo_divides_by_the_global_token_count():
    logps, old, _, adv, mask = fixed_batch()
    cfg = LossConfig(loss_type="dapo")
    local, _ = policy_loss(logps, old, None, adv, mask, cfg)
    global_, _ = policy_loss(logps, old, None, adv, mask, cfg, num_items_in_batch=100.0)
    want, _ = ref_loss(logps.tolist(), old.tolist(), None, adv.tolist(), mask.tolist(), cfg, n_items=100.0)
    assert global_.item() == pytest.approx(want, rel=1e-12)
    assert local.item() == pytest.approx(global_.item() * 100.0 / mask.sum().item(), rel=1e-12)
    as_tensor, _ = policy_loss(logps, old, None, adv, mask, cfg, num_items_in_batch=torch.tensor(100.0))
    assert as_tensor.item() == pytest.approx(global_.item(), rel=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.1])
@pytest.mark.parametrize("loss_type", LOSS_TYPES)
def test_gradient_at_ratio_one_is_minus_advantage_over_normaliser(loss_type, beta):
    _, _, _, adv, mask = fixed_batch()
    logps = (-torch.rand(6, 7, generator=torch.Generator().manual_seed(2), dtype=torch.float64)).requires_grad_()
    cfg = LossConfig(loss_type=loss_type, beta=beta, max_completion_length=9)
    # ref == logps: the k3 term's gradient vanishes there, so only the policy term remains
    loss, metrics = policy_loss(logps, logps.detach(), logps.detach() if beta else None, adv, mask, cfg,
                                num_items_in_batch=50.0 if loss_type == "dapo" else None)
    loss.backward()
    rows = mask.sum(dim=1)
    for i in range(6):
        for t in range(7):
            if loss_type == "grpo":
                norm = 6 * max(rows[i].item(), 1.0)
            elif loss_type == "bnpo":
                norm = mask.sum().item()
            elif loss_type == "dr_grpo":
                norm = 6 * 9
            else:
                norm = 50.0
            want = -adv[i].item() * mask[i, t].item() / norm
            assert logps.grad[i, t].item() == pytest.approx(want, rel=1e-12, abs=1e-15)
    assert metrics["clip_ratio/region_mean"] == 0.0
    if beta:
        assert metrics["kl"] == 0.0


@pytest.mark.parametrize(("log_ratio", "advantage", "frozen"), [
    (math.log(1.5), 1.0, True),     # above 1+eps_high, pushing up: clipped, no gradient
    (math.log(0.5), -1.0, True),    # below 1-eps_low, pushing down: clipped, no gradient
    (math.log(1.5), -1.0, False),   # above the band but A < 0: the unclipped term is smaller
    (math.log(0.5), 1.0, False),    # below the band but A > 0: likewise
    (math.log(1.1), 1.0, False),    # inside the band
])
def test_clipping_stops_the_gradient_only_in_the_favourable_direction(log_ratio, advantage, frozen):
    old = torch.tensor([[-1.0, -2.0]], dtype=torch.float64)
    logps = (old + log_ratio).clone().requires_grad_()
    mask = torch.ones(1, 2, dtype=torch.float64)
    cfg = LossConfig(loss_type="bnpo")
    loss, metrics = policy_loss(logps, old, None, torch.tensor([advantage], dtype=torch.float64), mask, cfg)
    loss.backward()
    ratio = math.exp(log_ratio)
    if frozen:
        assert torch.all(logps.grad == 0)
        assert metrics["clip_ratio/region_mean"] == 1.0
    else:
        # d(-r*A)/d logp = -r*A, averaged over 2 tokens
        assert logps.grad[0].tolist() == pytest.approx([-ratio * advantage / 2] * 2, rel=1e-12)
        assert metrics["clip_ratio/region_mean"] == 0.0
    assert metrics["clip_ratio/high_mean"] == (1.0 if frozen and advantage > 0 else 0.0)
    assert metrics["clip_ratio/low_mean"] == (1.0 if frozen and advantage < 0 else 0.0)


def test_k3_kl_value_and_sign():
    g = torch.Generator().manual_seed(5)
    logps = -torch.rand(4, 50, generator=g, dtype=torch.float64) * 4
    ref = -torch.rand(4, 50, generator=g, dtype=torch.float64) * 4
    mask = torch.ones(4, 50, dtype=torch.float64)
    zero = torch.zeros(4, dtype=torch.float64)
    cfg = LossConfig(loss_type="bnpo", beta=1.0)
    # zero advantages: the loss is the mean k3 term itself
    loss, metrics = policy_loss(logps, logps, ref, zero, mask, cfg)
    terms = [math.exp(r - p) - (r - p) - 1 for p, r in zip(logps.flatten().tolist(), ref.flatten().tolist(), strict=True)]
    assert min(terms) >= 0
    assert loss.item() == pytest.approx(sum(terms) / len(terms), rel=1e-12)
    assert metrics["kl"] == pytest.approx(sum(terms) / len(terms), rel=1e-12)
    same, same_metrics = policy_loss(logps, logps, logps, zero, mask, cfg)
    assert same.item() == 0.0 and same_metrics["kl"] == 0.0
    # d = 1: e - 2
    one, _ = policy_loss(torch.zeros(1, 1), torch.zeros(1, 1), torch.ones(1, 1), torch.zeros(1),
                         torch.ones(1, 1), cfg)
    assert one.item() == pytest.approx(math.e - 2, rel=1e-6)


def test_masked_tokens_change_nothing():
    logps, old, ref, adv, mask = fixed_batch()
    cfg = LossConfig(loss_type="grpo", beta=0.1)
    base, _ = policy_loss(logps, old, ref, adv, mask, cfg)
    noisy = torch.where(mask.bool(), logps, logps + 7.0)
    moved, _ = policy_loss(noisy, old, ref, adv, mask, cfg)
    assert moved.item() == pytest.approx(base.item(), rel=1e-12)


def test_truncation_mask_zeroes_truncated_rows():
    mask = torch.ones(3, 4)
    mask[1, 3] = 0
    out = truncation_mask(mask, torch.tensor([False, True, False]))
    assert out.tolist() == [[1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]]
    with pytest.raises(ValueError, match="truncated must have shape"):
        truncation_mask(mask, torch.tensor([True]))


def test_policy_loss_rejects_bad_inputs():
    logps, old, _, adv, mask = fixed_batch()
    with pytest.raises(ValueError, match="beta > 0 needs ref_logps"):
        policy_loss(logps, old, None, adv, mask, LossConfig(beta=0.1))
    with pytest.raises(ValueError, match="share one"):
        policy_loss(logps, old[:, :3], None, adv, mask, LossConfig())
    with pytest.raises(ValueError, match="advantages must have shape"):
        policy_loss(logps, old, None, adv[:2], mask, LossConfig())


# ---------------------------------------------------------------- advantages and DAPO shaping

REWARDS = [1.0, 0.0, 0.5, 0.25,   0.3, 0.3, 0.3, 0.3,   2.0, -1.0, 0.0, 0.0]


@pytest.mark.parametrize("scale", ["group", "batch", "none"])
def test_advantages_match_the_transcription(scale):
    got = group_advantages(torch.tensor(REWARDS, dtype=torch.float64), 4, scale).tolist()
    want = ref_advantages(REWARDS, 4, scale)
    want[4:8] = [0.0] * 4  # the group that agrees: no signal
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert got[4:8] == [0.0] * 4  # exactly, not ~1e-13 from rounding in the mean


def test_group_and_batch_scaling_differ():
    r = torch.tensor(REWARDS, dtype=torch.float64)
    group = group_advantages(r, 4, "group")
    batch = group_advantages(r, 4, "batch")
    assert not torch.allclose(group, batch)
    # batch scaling is one common divisor: the ratio to unscaled advantages is constant
    none = group_advantages(r, 4, "none")
    nz = none != 0
    quotient = none[nz] / batch[nz]
    assert torch.allclose(quotient, quotient[0].expand_as(quotient))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("scale", ["group", "batch", "none"])
def test_agreeing_groups_get_exactly_zero(dtype, scale):
    # in float64 the mean of three 0.1s is 0.1 + 2.8e-17: a naive (r - mean) / (std + eps) leaves ~1e-13
    r = torch.tensor([0.1, 0.1, 0.1, 0.7, 0.7, 0.7, 0.0, 1.0, 0.5], dtype=dtype)
    out = group_advantages(r, 3, scale)
    assert not torch.isnan(out).any()
    assert out[:6].tolist() == [0.0] * 6
    assert out[6] < 0 < out[7]


def test_advantages_reject_bad_shapes():
    with pytest.raises(ValueError, match="do not split into groups of 4"):
        group_advantages(torch.zeros(6), 4, "group")
    with pytest.raises(ValueError, match="scale_rewards must be one of"):
        group_advantages(torch.zeros(4), 4, "mean")
    with pytest.raises(ValueError, match="finite"):
        group_advantages(torch.tensor([1.0, float("nan")]), 2, "group")


def test_dynamic_sampling_drops_groups_that_agree():
    keep = dynamic_sampling_keep(torch.tensor(REWARDS), 4)
    assert keep.tolist() == [True] * 4 + [False] * 4 + [True] * 4
    assert dynamic_sampling_keep(torch.tensor([1.0, 1.0, 0.0, 0.0]), 2).tolist() == [False] * 4


def test_overlong_penalty_values():
    lengths = torch.tensor([0, 6, 7, 8, 9, 10, 12])
    got = overlong_penalty(lengths, max_completion_length=10, cache=4).tolist()
    assert got == pytest.approx([0.0, 0.0, -0.25, -0.5, -0.75, -1.0, -1.0])
    with pytest.raises(ValueError, match="overlong cache"):
        overlong_penalty(lengths, 10, 0)
    with pytest.raises(ValueError, match="overlong cache"):
        overlong_penalty(lengths, 10, 11)


# ---------------------------------------------------------------- token log-probs


@pytest.mark.parametrize("chunk", [1 << 24, 7, 30])  # one chunk; several steps; several rows
def test_per_token_logps_match_log_softmax(monkeypatch, chunk):
    monkeypatch.setattr(loss_module, "_CHUNK_ELEMENTS", chunk)
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(3, 5, 11, generator=g, dtype=torch.float64, requires_grad=True)
    targets = torch.randint(0, 11, (3, 5), generator=g)
    weights = torch.randn(3, 5, generator=g, dtype=torch.float64)
    ours = per_token_logps(logits, targets, temperature=0.7)
    (ours * weights).sum().backward()
    grad_ours = logits.grad.clone()
    logits.grad = None
    theirs = torch.log_softmax(logits / 0.7, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    (theirs * weights).sum().backward()
    assert torch.allclose(ours, theirs, rtol=0, atol=1e-12)
    assert torch.allclose(grad_ours, logits.grad, rtol=0, atol=1e-12)


def test_per_token_logps_upcast_bf16_and_keep_no_copy_of_the_logits():
    g = torch.Generator().manual_seed(4)
    logits = torch.randn(2, 6, 40, generator=g).bfloat16().requires_grad_()
    targets = torch.randint(0, 40, (2, 6), generator=g)
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        out = per_token_logps(logits, targets)
    assert out.dtype == torch.float32
    want = torch.log_softmax(logits.detach().float(), -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    assert torch.allclose(out, want, atol=1e-5)
    big = [t for t in saved if t.numel() == logits.numel()]
    assert big and all(t.data_ptr() == logits.data_ptr() for t in big)  # only the logits themselves
    out.sum().backward()
    assert logits.grad.dtype == torch.bfloat16


# ---------------------------------------------------------------- config


@pytest.mark.parametrize(("field", "value", "message"), [
    ("loss_type", "ppo", "loss_type must be one of"),
    ("scale_rewards", "std", "scale_rewards must be one of"),
    ("epsilon_low", 1.0, "epsilon_low must lie in"),
    ("epsilon_low", -0.1, "epsilon_low must lie in"),
    ("epsilon_high", -0.01, "epsilon_high must be"),
    ("epsilon_high", float("nan"), "epsilon_high must be"),
    ("beta", -0.04, "beta must be"),
    ("beta", float("inf"), "beta must be"),
    ("max_completion_length", 0, "max_completion_length must be"),
    ("max_completion_length", 12.5, "max_completion_length must be"),
    ("mask_truncated", "yes", "mask_truncated must be"),
])
def test_config_validation(field, value, message):
    with pytest.raises(ValueError, match=message):
        LossConfig(**{field: value})


def test_config_defaults_are_valid_and_frozen():
    cfg = LossConfig()
    assert (cfg.loss_type, cfg.epsilon_low, cfg.epsilon_high, cfg.beta, cfg.scale_rewards) == \
        ("dapo", 0.2, 0.28, 0.0, "group")
    with pytest.raises(AttributeError):
        cfg.beta = 1.0  # type: ignore[misc]
