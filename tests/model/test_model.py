"""The transformer: config checks, presets, causality, padding, overfitting, the MoE."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from model.model import KVCache, ModelConfig, MoE, Transformer, preset

from .conftest import sharp_model


def test_config_rejects_bad_shapes_with_a_fix():
    with pytest.raises(ValueError, match="multiple of n_kv_heads"):
        ModelConfig(n_heads=8, n_kv_heads=3)
    with pytest.raises(ValueError, match="n_experts"):
        ModelConfig(n_experts=1)
    with pytest.raises(ValueError, match="unknown key"):
        ModelConfig.from_dict({**ModelConfig().to_dict(), "dropout": 0.1})
    with pytest.raises(ValueError, match="unknown model preset"):
        preset("huge")


@pytest.mark.parametrize(("name", "low", "high"),
                         [("tiny", 0.7e6, 1.4e6), ("small", 3e6, 5e6), ("base", 20e6, 30e6)])  # fmt: skip
def test_preset_sizes(name, low, high):
    assert low <= Transformer(preset(name)).num_params() <= high


def test_a_later_token_never_changes_earlier_logits():
    model = sharp_model()
    x = torch.randint(0, 512, (2, 20))
    y = x.clone()
    y[:, 12] = (y[:, 12] + 1) % 512
    with torch.no_grad():
        a, b = model(x), model(y)
    assert torch.equal(a[:, :12], b[:, :12])
    assert not torch.allclose(a[:, 12:], b[:, 12:])


@pytest.mark.parametrize("moe", [False, True])
def test_left_padding_with_positions_and_mask_matches_the_unpadded_sequence(moe):
    model = sharp_model(n_experts=4 if moe else 0)
    x = torch.randint(3, 512, (1, 10))
    padded = torch.cat([torch.zeros(1, 5, dtype=torch.long), x], dim=1)
    mask = torch.cat([torch.zeros(1, 5, dtype=torch.long), torch.ones(1, 10, dtype=torch.long)], dim=1)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        alone = model(x)
        inside = model(padded, positions, mask)[:, 5:]
    # Logits reach about 7 here; 15 and 10 rows take different fp32 summation orders, which
    # differ by up to ~1.5e-5 on some CPUs. A padding or position bug moves them by ~8.
    torch.testing.assert_close(inside, alone, atol=1e-4, rtol=1e-5)


@pytest.mark.parametrize("kw", [{}, {"n_experts": 4, "qk_norm": True, "tie_embeddings": False}])
def test_overfits_one_batch(kw):
    torch.manual_seed(0)
    model = Transformer(preset("tiny", vocab_size=64, **kw))
    batch = torch.randint(0, 64, (4, 33))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(200):
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
        (loss + 0.01 * model.aux_loss()).backward()
        opt.step()
        opt.zero_grad()
    assert loss.item() < 0.05


def test_moe_matches_a_token_by_token_reference():
    torch.manual_seed(0)
    cfg = preset("tiny", n_experts=5, top_k=2)
    moe = MoE(cfg)
    x = torch.randn(3, 7, cfg.dim)
    with torch.no_grad():
        y = moe(x)
        ref = torch.zeros_like(x).view(-1, cfg.dim)
        for i, tok in enumerate(x.view(-1, cfg.dim)):
            probs = moe.router(tok).softmax(-1)
            w, e = probs.topk(2)
            for weight, expert in zip(w / w.sum(), e.tolist(), strict=True):
                gate, up = (moe.w_gate_up[expert] @ tok).chunk(2)
                ref[i] += weight * (moe.w_down[expert] @ (F.silu(gate) * up))
    torch.testing.assert_close(y, ref.view_as(x), atol=1e-5, rtol=1e-4)


def test_moe_load_balancing_loss_evens_out_a_skewed_router():
    torch.manual_seed(0)
    cfg = preset("tiny", dim=32, n_heads=4, n_kv_heads=2, n_experts=4, top_k=2)
    moe = MoE(cfg)
    shift = torch.ones(cfg.dim)
    with torch.no_grad():  # inputs share a direction the router favours expert 0 along
        moe.router.weight[0] += shift
    x = torch.randn(1024, cfg.dim) + shift
    moe(x)
    assert moe.load[0] > 0.45  # top-2: 0.5 is every token
    opt = torch.optim.Adam(moe.router.parameters(), lr=1e-2)
    for _ in range(300):
        moe(torch.randn(1024, cfg.dim) + shift)
        moe.aux_loss.backward()
        opt.step()
        opt.zero_grad()
    moe(x)
    assert moe.load.max() < 0.3 and moe.load.min() > 0.2, moe.load
    assert moe.aux_loss.item() < 1.05  # 1.0 is perfectly even


def test_bf16_autocast_stays_close_to_fp32_and_the_cache_refuses_overflow():
    model = sharp_model()
    x = torch.randint(0, 512, (2, 16))
    with torch.no_grad():
        full = model(x).softmax(-1)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            low = model(x)
    assert low.dtype == torch.bfloat16
    assert (low.float().softmax(-1) - full).abs().max() < 0.05
    cache = KVCache(model.cfg, 2, 8, torch.float32)
    with pytest.raises(ValueError, match="KV cache holds 8"):
        model(x, cache=cache)
    with pytest.raises(ValueError, match="max_seq_len"):
        model(torch.zeros(1, model.cfg.max_seq_len + 1, dtype=torch.long))


def test_precision_picks_bf16_only_where_asked_or_native(monkeypatch, tmp_path):
    import builtins

    import model.model as mm

    x = torch.randn(3, 8)
    layer = torch.nn.Linear(8, 4)
    with mm.autocast("cpu", "bf16"):
        assert layer(x).dtype == torch.bfloat16
    with mm.autocast("cpu", "fp32"):
        assert layer(x).dtype == torch.float32
    assert mm.resolve_precision("fp32", "cpu") == "fp32" and mm.resolve_precision("bf16", "cpu") == "bf16"
    with pytest.raises(ValueError, match="unknown precision 'half'"):
        mm.resolve_precision("half", "cpu")
    # auto follows the CPU's flags: bf16 with AVX512-BF16 or AMX, fp32 without or unreadable.
    real_open = builtins.open
    for flags, want in (("fpu avx512f avx512_bf16", "bf16"), ("fpu amx_bf16 amx_tile", "bf16"),
                        ("fpu avx2 avx512f avx512bw", "fp32"), (None, "fp32")):
        info = tmp_path / "cpuinfo"
        info.write_text(f"processor : 0\nflags\t\t: {flags}\n" if flags else "")

        def fake(path, *a, _info=info, **k):
            return real_open(_info if path == "/proc/cpuinfo" else path, *a, **k)

        monkeypatch.setattr(builtins, "open", fake)
        assert mm.resolve_precision("auto", "cpu") == want, flags
        monkeypatch.undo()


def test_segments_are_for_training_rows_only():
    import pytest
    import torch

    from model.model import KVCache, ModelConfig, Transformer

    cfg = ModelConfig(vocab_size=20, dim=16, n_layers=1, n_heads=2, n_kv_heads=1, ffn_dim=32, max_seq_len=16)
    model = Transformer(cfg)
    tokens = torch.randint(0, 20, (1, 4))
    with pytest.raises(ValueError, match="segments"):
        model(tokens, segments=torch.ones(1, 4, dtype=torch.long), cache=KVCache(cfg, 1, 16, torch.float32))
