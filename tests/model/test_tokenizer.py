"""The tokenizer: digits and tags, round trips, transformers loading, the chat template."""

from __future__ import annotations

import json

import pytest
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from model.tokenizer import (
    BOS,
    EOS,
    SPECIAL_TOKENS,
    encode_prompt,
    encode_record,
    generator_words,
    load_tokenizer,
    save_tokenizer,
    to_hf,
    train_tokenizer,
)
from reasoning import tokens as T
from reasoning.render import render, render_prompt
from reasoning.schema import DEFAULT_SYSTEM


def test_the_corpus_covers_every_domain(records):
    assert {r.domain for r in records} == {"math", "logic", "code"}
    assert len({r.level for r in records}) == 5


def test_every_digit_is_its_own_token_and_every_tag_one_special_token(tokenizer):
    enc = tokenizer.encode("x = 1234567890 + 42", add_special_tokens=False)
    digits = [t for t in enc.tokens if any(c.isdigit() for c in t)]
    assert digits == list("123456789042")
    for i, tag in enumerate(SPECIAL_TOKENS):
        assert tokenizer.token_to_id(tag) == i
        assert tokenizer.encode(f"a{tag}b", add_special_tokens=False).ids[1] == i
    assert tokenizer.get_vocab_size() == 512


def test_records_round_trip_and_tags_stay_whole(tokenizer, records):
    for r in records:
        text = render(r)
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        assert tokenizer.decode(ids, skip_special_tokens=False) == text
        judges = sum(1 for i in ids if i == tokenizer.token_to_id(T.JUDGE))
        assert judges == len(r.steps)


def test_transformers_loads_the_saved_file_with_identical_ids(tokenizer, records, tmp_path):
    save_tokenizer(tokenizer, tmp_path)
    again = load_tokenizer(tmp_path)
    fast = PreTrainedTokenizerFast(tokenizer_file=str(tmp_path / "tokenizer.json"))
    for r in records:
        text = render(r)
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        assert again.encode(text, add_special_tokens=False).ids == ids
        assert fast(text, add_special_tokens=False)["input_ids"] == ids


def test_the_chat_template_renders_the_training_prompt(tokenizer, records, tmp_path):
    to_hf(tokenizer).save_pretrained(tmp_path)
    hf = AutoTokenizer.from_pretrained(tmp_path)
    assert (hf.bos_token, hf.eos_token) == (BOS, EOS)
    tricky = "Is <think> a tag? Or <\\user> or <\\\\output>? 12 < 3"
    for system, question in [(DEFAULT_SYSTEM, records[0].prompt), ("Be brief.", tricky)]:
        messages = [{"role": "user", "content": question}]
        if system != DEFAULT_SYSTEM:
            messages.insert(0, {"role": "system", "content": system})
        text = hf.apply_chat_template(messages, tokenize=False)
        assert text == BOS + render_prompt(system, question)
        ids = hf.apply_chat_template(messages, tokenize=True, return_dict=False)
        assert ids == encode_prompt(tokenizer, question, system)
    for r in records[:20]:  # the prompt's tokens start the record's tokens
        prompt = encode_prompt(tokenizer, r.prompt)
        assert encode_record(tokenizer, r)[: len(prompt)] == prompt


def test_counting_objects_are_one_token_each_when_asked(records):
    texts = [render(r) for r in records]
    words = generator_words()
    assert {"sheep", "dog", "dogs", "mice", "leaves"} <= set(words)
    plain = train_tokenizer(texts, vocab_size=600)
    whole = train_tokenizer(texts, vocab_size=600, words=words)
    assert any(len(plain.encode(" " + w).ids) > 1 for w in words)  # what the option changes
    assert all(len(whole.encode(" " + w).ids) == 1 for w in words)
    row = "How many sheep are there? sheep dog sheep mouse mice"
    assert whole.decode(whole.encode(row).ids) == row
    assert len(whole.encode(row).ids) == len(whole.encode("How many sheep are there?").ids) + 5


def test_the_gpt2_comparison_splits_neither_digits_nor_tags(records):
    plain = train_tokenizer([render(r) for r in records], vocab_size=512, kind="gpt2")
    assert plain.token_to_id(T.JUDGE) is None
    assert len(plain.encode("<judge>").ids) > 1
    with pytest.raises(ValueError, match="kind"):
        train_tokenizer(["x"], kind="unigram")


def test_a_bad_tokenizer_file_is_one_clear_error(tokenizer, tmp_path):
    (tmp_path / "tokenizer.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a readable tokenizer"):
        load_tokenizer(tmp_path)
    plain = train_tokenizer(["a b c"], vocab_size=300, kind="gpt2")
    save_tokenizer(plain, tmp_path)
    with pytest.raises(ValueError, match="special tokens"):
        load_tokenizer(tmp_path)
    assert json.loads((tmp_path / "tokenizer.json").read_text())["model"]["type"] == "BPE"
