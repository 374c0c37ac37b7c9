"""One GRPO step of ours (`rl.grpo.grpo_step`) against TRL's `GRPOTrainer`, in one process.

Both sides start from the same tiny random Llama (built here with transformers' LlamaConfig
and saved with our tokenizer to a temporary directory; nothing is downloaded) and do the
same work per step: the same P prompts (the task mix at a level, in the same order), G
completions each, every completion exactly C tokens long (ours: no EOS ends a row; TRL:
`min_new_tokens` = C), the same rule rewards and weights on the same text, the same loss
options (beta 0, one iteration, so no reference model and no old-log-prob pass), then
gradient clipping and an AdamW step. A step is generation + scoring + update.

The sides are interleaved: ours runs inside TRL's `on_step_end` callback, so both see the
same load on a shared machine. TRL's step is the time between two of its `on_step_end`
calls with ours taken out. Medians after warm-up steps are quoted.

    python bench/bench_grpo.py --prompts 4 --group-size 8 --completion 64 --steps 6 --warmup 2
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

from model.tokenizer import BOS, corpus_records, to_hf, train_tokenizer
from reasoning.render import render, render_prompt
from reasoning.schema import DEFAULT_SYSTEM


def build_llama(directory: Path, hidden: int, layers: int, heads: int, seed: int) -> None:
    """A random LlamaForCausalLM with our tokenizer (trained here in well under a second) in
    `directory`, and the same weights as our Transformer checkpoint in `directory`/blueberry."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from model.checkpoint import save_checkpoint
    from model.hf import import_hf

    bpe = train_tokenizer([render(r) for r in corpus_records(per_task=1, seed=0)], vocab_size=512)
    tok = to_hf(bpe)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 8 // 3,
                      num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                      max_position_embeddings=4096, bos_token_id=tok.bos_token_id,
                      eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                      tie_word_embeddings=True)  # fmt: skip
    torch.manual_seed(seed)
    LlamaForCausalLM(cfg).save_pretrained(directory)
    tok.save_pretrained(directory)
    save_checkpoint(directory / "blueberry", import_hf(directory), bpe)


def trl_reward_funcs(weights: dict[str, float], tokenizer, problems: list) -> list:
    """Our rewards in TRL's calling convention, fed the text ours sees: the completion decoded
    with special tokens kept (TRL's own `completions` drop them, and our tags are special)."""
    from rl.rewards import REWARDS

    drop = {tokenizer.eos_token_id, tokenizer.pad_token_id}
    funcs = []
    for name in weights:
        def reward(prompts, completions, completion_ids, idx, _fn=REWARDS[name], **_):
            texts = [tokenizer.decode([i for i in ids if i not in drop], skip_special_tokens=False)
                     for ids in completion_ids]  # fmt: skip
            return _fn(texts, [problems[i] for i in idx])

        reward.__name__ = name
        funcs.append(reward)
    return funcs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prompts", type=int, default=4, help="prompts per step")
    ap.add_argument("--group-size", type=int, default=8, help="completions per prompt")
    ap.add_argument("--completion", type=int, default=64, help="tokens per completion (fixed)")
    ap.add_argument("--steps", type=int, default=6, help="timed steps")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    ap.add_argument("--loss-type", default="dapo", choices=("grpo", "bnpo", "dr_grpo", "dapo"))
    ap.add_argument("--reward", default="rules")
    ap.add_argument("--level", default="primary")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    ap.add_argument("--precision", default="fp32", choices=("fp32", "bf16"),
                    help="the update's forward and backward on every side (ours: --precision; TRL: bf16=)")
    args = ap.parse_args(argv)
    for name in ("prompts", "completion", "steps", "hidden", "layers", "heads", "threads"):
        if getattr(args, name) < 1:
            print(f"error: --{name} must be at least 1", file=sys.stderr)
            return 2
    if args.group_size < 2 or args.warmup < 0:
        print("error: --group-size must be at least 2 and --warmup at least 0", file=sys.stderr)
        return 2

    warnings.filterwarnings("ignore")  # TRL and transformers warn about settings chosen on purpose
    logging.getLogger("transformers").setLevel(logging.ERROR)
    if importlib.util.find_spec("trl") is None:
        print("error: TRL is not installed; run .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2
    from transformers.utils import logging as hf_logging

    from rl.rewards import parse_reward_spec
    from rl.tasks import PromptSource

    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    total = args.warmup + args.steps
    try:
        weights = parse_reward_spec(args.reward)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        problems = PromptSource(args.level, None, 0, None).take(args.prompts * total)
    except ValueError as e:  # an unknown level
        print(f"error: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench_grpo_") as tmp:
        return run(args, Path(tmp), weights, problems)


def run(args, tmp: Path, weights: dict[str, float], problems: list) -> int:
    """Build the model in `tmp`, run both trainers interleaved, print the table."""
    from datasets import Dataset
    from transformers import AutoTokenizer, PrinterCallback, ProgressCallback, TrainerCallback
    from trl import GRPOConfig as TRLConfig
    from trl import GRPOTrainer

    from rl.grpo import GRPOConfig, grpo_step
    from rl.policy import load_policy

    P, G, C = args.prompts, args.group_size, args.completion
    total = args.warmup + args.steps
    build_llama(tmp / "llama", args.hidden, args.layers, args.heads, seed=0)

    # Ours, twice: the same LlamaForCausalLM directory as a Policy, and the same weights in our
    # Transformer. eos_id -1 matches no token, so every row runs the full C tokens, as
    # min_new_tokens makes TRL's do.
    ours = {}
    for side, path in (("ours, same Llama module", tmp / "llama"), ("ours, our Transformer", tmp / "llama" / "blueberry")):
        policy = load_policy(path)
        policy.eos_id = -1
        ours[side] = (policy, torch.optim.AdamW(policy.model.parameters(), lr=1e-5, weight_decay=0.0))
    cfg = GRPOConfig(out=str(tmp / "ours"), init=str(tmp / "llama"), level=args.level, reward=args.reward,
                     group_size=G, prompts_per_step=P, max_new_tokens=C, loss_type=args.loss_type,
                     beta=0.0, num_iterations=1, lr=1e-5, max_grad_norm=1.0,
                     precision=args.precision)  # fmt: skip

    # TRL: the same prompts as text (BOS written out: its tokenizer call adds none), in order.
    prompts = [BOS + render_prompt(DEFAULT_SYSTEM, p.prompt) for p in problems]
    tok = AutoTokenizer.from_pretrained(tmp / "llama", local_files_only=True)
    same = sum(all(tok(t)["input_ids"] == pol.encode_prompt(p.prompt) for pol, _ in ours.values())
               for t, p in zip(prompts, problems, strict=True))  # fmt: skip
    targs = TRLConfig(output_dir=str(tmp / "trl"), use_cpu=True, seed=0, per_device_train_batch_size=P * G,
                      num_generations=G, gradient_accumulation_steps=1, max_completion_length=C,
                      generation_kwargs={"min_new_tokens": C}, temperature=1.0, top_p=1.0, beta=0.0,
                      num_iterations=1, loss_type=args.loss_type, scale_rewards="group",
                      epsilon=0.2, epsilon_high=0.28, learning_rate=1e-5, weight_decay=0.0, max_grad_norm=1.0,
                      reward_weights=list(weights.values()), max_steps=total, logging_steps=total,
                      save_strategy="no", report_to="none", shuffle_dataset=False, disable_dropout=True,
                      dataloader_num_workers=0, bf16=args.precision == "bf16", disable_tqdm=True)  # fmt: skip

    ours_t = {side: [] for side in ours}
    ours_rows = {side: [] for side in ours}
    trl_t, trl_gen, logged = [], [], []
    gen_clock = [0.0]  # seconds inside TRL's model.generate during the current step

    class Interleave(TrainerCallback):
        """After each TRL step, time it and run our step on the same prompts."""

        last = 0.0

        def on_train_begin(self, a, state, control, **kw):
            self.last = time.perf_counter()

        def on_step_end(self, a, state, control, **kw):
            k = state.global_step - 1  # 0-based step just finished
            trl_t.append(time.perf_counter() - self.last)
            trl_gen.append(gen_clock[0])
            gen_clock[0] = 0.0
            for side, (policy, optimizer) in ours.items():
                start = time.perf_counter()
                ours_rows[side].append(grpo_step(policy, None, optimizer, problems[k * P:(k + 1) * P], cfg,
                                                 step=k, first_prompt=k * P))  # fmt: skip
                ours_t[side].append(time.perf_counter() - start)
            self.last = time.perf_counter()

        def on_log(self, a, state, control, logs=None, **kw):
            logged.append(logs or {})

    trainer = GRPOTrainer(model=str(tmp / "llama"), reward_funcs=trl_reward_funcs(weights, tok, problems),
                          args=targs, train_dataset=Dataset.from_dict({"prompt": prompts, "idx": list(range(len(prompts)))}),
                          processing_class=tok, callbacks=[Interleave()])  # fmt: skip
    for cb in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(cb)
    generate = trainer.model.generate

    def timed_generate(*a, **kw):  # TRL's sampling time, for the table's middle column
        start = time.perf_counter()
        try:
            return generate(*a, **kw)
        finally:
            gen_clock[0] += time.perf_counter() - start

    trainer.model.generate = timed_generate
    trainer.train()

    trl_log = next((entry for entry in reversed(logged) if "completions/min_length" in entry), {})
    lengths_ok = trl_log.get("completions/min_length") == C == trl_log.get("completions/max_length") and all(
        r["completions/min_length"] == C == r["completions/max_length"] for rows in ours_rows.values() for r in rows)
    w = args.warmup
    trl_med = statistics.median(trl_t[w:])
    print(f"GRPO step: random Llama hidden {args.hidden} x {args.layers} layers, vocab {len(tok)}; "
          f"{P} prompts x {G} completions x {C} tokens; loss {args.loss_type}, beta 0, 1 iteration; "
          f"reward {args.reward}; {args.precision}; {args.threads} thread(s); median of {args.steps} steps after {w} warm-up")
    print(f"prompts tokenised alike on every side: {same}/{len(problems)}; "
          f"every completion {C} tokens on every side: {'yes' if lengths_ok else 'NO'}")
    print()
    print("| side | step s (median) | of which sampling s | ours / TRL | each timed step s |")
    print("|---|---:|---:|---:|---|")
    for side, times in ours_t.items():
        med = statistics.median(times[w:])
        sample = statistics.median(r["sample_time"] for r in ours_rows[side][w:])
        print(f"| {side} | {med:.3f} | {sample:.3f} | {med / trl_med:.2f} | "
              f"{', '.join(f'{t:.2f}' for t in times[w:])} |")
    print(f"| TRL {_version('trl')} GRPOTrainer | {trl_med:.3f} | {statistics.median(trl_gen[w:]):.3f} | 1.00 | "
          f"{', '.join(f'{t:.2f}' for t in trl_t[w:])} |")
    if not all(trl_gen):
        print("warning: TRL's sampling was not seen through model.generate; its sampling column is wrong")
    return 0 if lengths_ok else 1


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
