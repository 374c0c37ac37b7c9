"""The tokenizer: byte-level BPE trained on generated records of every domain.

Every digit is its own token (arithmetic is done digit by digit in the records), every tag
of the step format and BOS/EOS/PAD are special tokens (ids 0.. in a fixed order), and the
saved tokenizer.json loads as `transformers.PreTrainedTokenizerFast` with the same ids and
a chat template that renders a problem into the prompt the model is trained on.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from reasoning import tokens as T
from reasoning.render import render, render_prompt
from reasoning.schema import DEFAULT_SYSTEM, Record

PAD, BOS, EOS = "<|pad|>", "<|bos|>", "<|eos|>"
SPECIAL_TOKENS: tuple[str, ...] = (PAD, BOS, EOS, *T.SPECIAL_TOKENS)
DEFAULT_VOCAB_SIZE = 2048  # chosen by measurement: see BENCHMARKS.md (bench_tokenizer.py)
KINDS = ("blueberry", "gpt2")


def corpus_records(per_task: int = 4, seed: int = 0, domains: Iterable[str] | None = None,
                   levels: Iterable[str] | None = None) -> Iterator[Record]:  # fmt: skip
    """Records of every task at every level it has (`per_task` items each), deterministic."""
    from generators.registry import tasks_at
    from reasoning.levels import DOMAINS, LEVELS
    from reasoning.task import Dropped, generate_record

    for domain in domains or DOMAINS:
        for level in levels or LEVELS:
            for task in tasks_at(domain, level):
                for i in range(per_task):
                    try:
                        yield generate_record(task, level, seed, i, task.default_config())
                    except Dropped:
                        continue


WORD_REPEATS = 4000  # copies of the word list in the training text: more than any pair of the records


def generator_words() -> list[str]:
    """Words a learner must tell apart whole and find by position in a row: counting's
    objects, singular and plural (``How many dogs are there? dog cat dog``). Left to BPE's
    counts, `` owl`` is four tokens and `` dog`` one, so the k-th object of a row is no fixed
    number of tokens in; made whole, counting with the `strike` form learned 55% where it had
    learned 9% (BENCHMARKS.md, "Counting with one token per object")."""
    from generators.math.counting import PLURALS

    return sorted(set(PLURALS) | set(PLURALS.values()))


def train_tokenizer(texts: Iterable[str], vocab_size: int = DEFAULT_VOCAB_SIZE,
                    kind: str = "blueberry", words: Iterable[str] = ()) -> Tokenizer:  # fmt: skip
    """Train byte-level BPE on `texts`. kind "blueberry": digits split, tags special;
    "gpt2": plain byte-level BPE with neither (the comparison in bench_tokenizer.py).
    `words` (e.g. `generator_words()`), each after a space as the records write them, are
    made one token each: the training text holds them WORD_REPEATS times over."""
    if kind not in KINDS:
        raise ValueError(f"unknown tokenizer kind {kind!r}; choose one of: {', '.join(KINDS)}")
    specials = list(SPECIAL_TOKENS) if kind == "blueberry" else []
    if vocab_size < 256 + len(specials):
        raise ValueError(f"vocab_size must be at least {256 + len(specials)} (bytes + special tokens)")
    tok = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if kind == "blueberry":
        tok.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), byte_level]
        )
    else:
        tok.pre_tokenizer = byte_level
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    line = "".join(f" {w}" for w in words)
    tok.train_from_iterator(itertools.chain(texts, [line] * (WORD_REPEATS if line else 0)), trainer=trainer)
    return tok


def _escaped(expr: str) -> str:
    """A Jinja expression that applies `reasoning.render.escape` to `expr` (for up to three
    backslashes already after a `<`; more never occur in generated text)."""
    for tag in T.SPECIAL_TOKENS:
        body = tag[1:]
        for k in (3, 2, 1, 0):  # most backslashes first, so no text is escaped twice
            old = "<" + "\\" * k + body
            expr += f".replace({json.dumps(old)}, {json.dumps('<' + chr(92) + old[1:])})"
    return expr


# Renders [{"role": "system"?, ...}, {"role": "user", "content": QUESTION}] exactly as
# `reasoning.render.render_prompt` does, after BOS: the prompt the model continues.
CHAT_TEMPLATE = (
    "{{- bos_token -}}"
    "{%- set ns = namespace(system=" + json.dumps(DEFAULT_SYSTEM) + ") -%}"
    "{%- for m in messages if m['role'] == 'system' -%}{%- set ns.system = m['content'] -%}"
    "{%- endfor -%}"
    + json.dumps(T.SYSTEM)[1:-1] + "{{- " + _escaped("ns.system") + " -}}" + T.SYSTEM_END
    + "{%- for m in messages if m['role'] == 'user' -%}"
    + T.USER + "{{- " + _escaped("m['content']") + " -}}" + T.USER_END
    + "{%- endfor -%}"
    "{{- '\\n" + T.THINK + "\\n' -}}"
)


def to_hf(tok: Tokenizer):
    """The tokenizer as a transformers PreTrainedTokenizerFast with its special tokens and
    chat template (what the checkpoint and the HF export carry)."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        additional_special_tokens=list(T.SPECIAL_TOKENS),
        chat_template=CHAT_TEMPLATE,
        model_max_length=1 << 30,
        clean_up_tokenization_spaces=False,
    )


def save_tokenizer(tok: Tokenizer, directory: str | Path) -> None:
    """Write tokenizer.json into `directory` (the caller makes it atomic)."""
    tok.save(str(Path(directory) / "tokenizer.json"))


def load_tokenizer(directory: str | Path) -> Tokenizer:
    """Read tokenizer.json from `directory` and check it has our special tokens in order."""
    path = Path(directory) / "tokenizer.json"
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as e:  # the Rust side raises a bare Exception on a bad file
        raise ValueError(f"{path}: not a readable tokenizer ({str(e).splitlines()[0]})") from None
    ids = [tok.token_to_id(s) for s in SPECIAL_TOKENS]
    if ids != list(range(len(SPECIAL_TOKENS))):
        raise ValueError(f"{path}: special tokens are missing or out of order")
    return tok


def encode_record(tok: Tokenizer, record: Record) -> list[int]:
    """BOS + the record's token text + EOS: one training sequence."""
    return [tok.token_to_id(BOS), *tok.encode(render(record), add_special_tokens=False).ids,
            tok.token_to_id(EOS)]  # fmt: skip


def encode_prompt(tok: Tokenizer, prompt: str, system: str = DEFAULT_SYSTEM) -> list[int]:
    """BOS + the prompt part of a record (up to `<think>` and its newline): what the model
    continues. A prefix of `encode_record` of any record with that prompt."""
    return [tok.token_to_id(BOS), *tok.encode(render_prompt(system, prompt), add_special_tokens=False).ids]
