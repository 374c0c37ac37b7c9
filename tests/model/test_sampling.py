"""Batched generation with the KV cache, its log-probs, stops and padding; `score`."""

from __future__ import annotations

import pytest
import torch

from model.sampling import SamplingConfig, generate, left_pad, score
from model.tokenizer import to_hf

from .conftest import sharp_model

PROMPTS = [[5, 9, 17, 3], [40, 2], [7, 7, 7, 7, 7, 7, 7], [100]]


def greedy_without_cache(model, prompt: list[int], n: int) -> list[int]:
    seq = list(prompt)
    with torch.no_grad():
        for _ in range(n):
            seq.append(int(model(torch.tensor([seq]))[0, -1].argmax()))
    return seq[len(prompt):]


@pytest.mark.parametrize("moe", [False, True])
def test_greedy_with_the_cache_gives_the_tokens_of_decoding_without_it(moe):
    model = sharp_model(n_experts=4 if moe else 0)
    out = generate(model, PROMPTS, SamplingConfig(max_new_tokens=12, temperature=0))
    for row, prompt in zip(out.tokens.tolist(), PROMPTS, strict=True):
        assert row == greedy_without_cache(model, prompt, 12)
    assert out.lengths.tolist() == [12] * 4 and not out.finished.any()


def test_right_and_left_padded_batches_generate_like_the_list():
    model = sharp_model()
    cfg = SamplingConfig(max_new_tokens=6, temperature=0)
    want = generate(model, PROMPTS, cfg).tokens
    width = max(map(len, PROMPTS))
    right = torch.tensor([p + [0] * (width - len(p)) for p in PROMPTS])
    right_mask = torch.tensor([[1] * len(p) + [0] * (width - len(p)) for p in PROMPTS])
    left, left_mask = left_pad(PROMPTS, None, pad_id=0)
    assert torch.equal(generate(model, right, cfg, attention_mask=right_mask).tokens, want)
    assert torch.equal(generate(model, left, cfg, attention_mask=left_mask).tokens, want)


def test_each_sequence_finishes_at_its_own_stop_token():
    model = sharp_model()
    free = generate(model, PROMPTS, SamplingConfig(max_new_tokens=10, temperature=0))
    first = free.tokens[0].tolist()
    at = next(i for i in range(2, 10) if first[i] not in first[:i])  # first new token from the 3rd on
    stop = first[at]
    out = generate(model, PROMPTS, SamplingConfig(max_new_tokens=10, temperature=0,
                                                  stop_ids=(stop,), pad_id=1))  # fmt: skip
    for b, row in enumerate(free.tokens.tolist()):
        n = row.index(stop) + 1 if stop in row else 10
        assert out.lengths[b] == n and bool(out.finished[b]) == (stop in row)
        assert out.tokens[b, :n].tolist() == row[:n]
        assert (out.tokens[b, n:] == 1).all() and (out.logprobs[b, n:] == 0).all()
    assert out.lengths[0] == at + 1 and out.lengths.max() == 10  # one stopped early, one did not


def test_a_multi_token_stop_string_ends_a_sequence(tokenizer):
    model = sharp_model()
    free = generate(model, PROMPTS[:1], SamplingConfig(max_new_tokens=10, temperature=0))
    text = tokenizer.decode(free.tokens[0].tolist(), skip_special_tokens=False)
    cut = next(i for i in range(2, 10)
               if len(tokenizer.decode(free.tokens[0, :i].tolist(), skip_special_tokens=False)) >= 2)
    tail = tokenizer.decode(free.tokens[0, :cut].tolist(), skip_special_tokens=False)
    stop = tail[-2:]
    assert stop in text
    out = generate(model, PROMPTS[:1], SamplingConfig(max_new_tokens=10, temperature=0,
                                                      stop_strings=(stop,)), tokenizer=to_hf(tokenizer))  # fmt: skip
    got = tokenizer.decode(out.tokens[0, : out.lengths[0]].tolist(), skip_special_tokens=False)
    assert got.endswith(stop) and stop not in got[:-1] and bool(out.finished[0])
    with pytest.raises(ValueError, match="tokenizer"):
        generate(model, PROMPTS, SamplingConfig(stop_strings=("x",)))


def test_sampled_log_probs_are_those_of_the_model_under_temperature_one():
    model = sharp_model()
    g = torch.Generator().manual_seed(0)
    out = generate(model, PROMPTS, SamplingConfig(max_new_tokens=8, temperature=1.0), generator=g)
    for b, prompt in enumerate(PROMPTS):
        seq = torch.tensor([prompt + out.tokens[b].tolist()])
        with torch.no_grad():
            want = score(model, seq)[0, len(prompt) - 1:]
        torch.testing.assert_close(out.logprobs[b], want, atol=1e-4, rtol=1e-4)


def test_top_k_and_top_p_cut_the_distribution_and_their_log_probs_follow():
    model = sharp_model()
    greedy = generate(model, PROMPTS, SamplingConfig(max_new_tokens=6, temperature=0)).tokens
    g = torch.Generator().manual_seed(0)
    for cfg in (SamplingConfig(max_new_tokens=6, top_k=1), SamplingConfig(max_new_tokens=6, top_p=1e-6)):
        out = generate(model, PROMPTS, cfg, generator=g)
        assert torch.equal(out.tokens, greedy)
        torch.testing.assert_close(out.logprobs, torch.zeros_like(out.logprobs))
    top3 = generate(model, PROMPTS, SamplingConfig(max_new_tokens=6, top_k=3, temperature=2.0), generator=g)
    assert (top3.logprobs >= torch.log(torch.tensor(1 / 3)) - 1e-6).any()  # renormalised over 3
    assert (top3.logprobs < 0).all()


def test_sampling_is_reproducible_with_a_seeded_generator():
    model = sharp_model()
    cfg = SamplingConfig(max_new_tokens=8, temperature=1.5, top_p=0.9)
    a = generate(model, PROMPTS, cfg, generator=torch.Generator().manual_seed(3)).tokens
    b = generate(model, PROMPTS, cfg, generator=torch.Generator().manual_seed(3)).tokens
    c = generate(model, PROMPTS, cfg, generator=torch.Generator().manual_seed(4)).tokens
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_score_ignores_padding_on_either_side():
    model = sharp_model()
    seq = torch.tensor([[4, 8, 15, 16, 23, 42]])
    with torch.no_grad():
        alone = score(model, seq)
        right = score(model, torch.tensor([[4, 8, 15, 16, 23, 42, 0, 0]]),
                      torch.tensor([[1, 1, 1, 1, 1, 1, 0, 0]]))
        left = score(model, torch.tensor([[0, 0, 4, 8, 15, 16, 23, 42]]),
                     torch.tensor([[0, 0, 1, 1, 1, 1, 1, 1]]))
    torch.testing.assert_close(right[:, :5], alone, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(left[:, 2:], alone, atol=1e-5, rtol=1e-5)
    assert (right[:, 5:] == 0).all() and (left[:, :2] == 0).all()
    assert (alone < 0).all()


def test_sampling_config_rejects_bad_values():
    for bad in ({"temperature": -1}, {"top_p": 0}, {"top_k": -2}, {"max_new_tokens": 0}):
        with pytest.raises(ValueError):
            SamplingConfig(**bad)


@pytest.mark.slow
def test_a_compiled_decoding_step_gives_the_eager_tokens():
    model = sharp_model()
    eager = generate(model, PROMPTS, SamplingConfig(max_new_tokens=6, temperature=0))
    compiled = generate(model, PROMPTS, SamplingConfig(max_new_tokens=6, temperature=0, compile=True))
    assert torch.equal(compiled.tokens, eager.tokens)
    torch.testing.assert_close(compiled.logprobs, eager.logprobs, atol=1e-4, rtol=1e-4)
