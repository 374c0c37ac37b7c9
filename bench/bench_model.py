"""Our model beside transformers' LlamaForCausalLM of the same shape, in one process.

Training: tokens/s of forward + backward + AdamW step, eager vs eager and (with
--compile) torch.compile vs torch.compile. Sampling: tokens/s of batched generation with
the KV cache against `generate` of transformers on the same weights. The two sides are
interleaved repeat by repeat and medians are quoted, since the machine is shared.

    python bench/bench_model.py --preset small --repeats 5 [--compile] [--skip-train]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from model.hf import to_hf_model
from model.model import Transformer, preset
from model.sampling import SamplingConfig, generate


def train_step_fn(model, hf: bool, batch: torch.Tensor):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=False, foreach=True)

    def loss_of(x):
        if hf:
            return model(input_ids=x, labels=x, use_cache=False).loss
        logits = model(x[:, :-1])
        return torch.nn.functional.cross_entropy(logits.flatten(0, 1), x[:, 1:].flatten())

    def step():
        loss = loss_of(batch)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    return step


def timed(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


def bench_train(ours, theirs, args) -> None:
    g = torch.Generator().manual_seed(0)
    batch = torch.randint(0, ours.cfg.vocab_size, (args.batch, args.seq + 1), generator=g)
    sides = {"ours": (ours, False), "transformers": (theirs, True)}
    steps = {}
    for name, (m, hf) in sides.items():
        m.train()
        if args.compile:
            m = torch.compile(m)
        steps[name] = train_step_fn(m, hf, batch)
        for _ in range(args.warmup):  # warm-up (and compilation)
            steps[name]()
    times = {name: [] for name in sides}
    for _ in range(args.repeats):
        for name, step in steps.items():
            times[name].append(timed(step, args.steps))
    tokens = args.batch * args.seq * args.steps
    rate = {name: tokens / statistics.median(t) for name, t in times.items()}
    mode = "compile" if args.compile else "eager"
    print(f"train {mode}: ours {rate['ours']:,.0f} tok/s, transformers {rate['transformers']:,.0f} tok/s, "
          f"ratio {rate['ours'] / rate['transformers']:.2f}x (median of {args.repeats}, "
          f"batch {args.batch}x{args.seq}, {args.steps} steps each)")


def bench_sample(ours, theirs, args) -> None:
    ours.eval()
    theirs.eval()
    g = torch.Generator().manual_seed(1)
    prompt = torch.randint(3, ours.cfg.vocab_size, (args.gen_batch, args.prompt), generator=g)
    n = args.new_tokens
    # Greedy on both sides: the same work. With --compile our decoding step is compiled.
    cfg = SamplingConfig(max_new_tokens=n, temperature=0, compile=args.compile)

    def run_ours():
        out = generate(ours, prompt, cfg)
        assert out.tokens.shape == (args.gen_batch, n)

    def run_theirs():
        with torch.inference_mode():
            out = theirs.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                  max_new_tokens=n, min_new_tokens=n, pad_token_id=0)  # fmt: skip
        assert out.shape == (args.gen_batch, args.prompt + n)

    run_ours()
    run_theirs()
    times = {"ours": [], "transformers": []}
    for _ in range(args.gen_repeats):
        times["ours"].append(timed(run_ours, 1))
        times["transformers"].append(timed(run_theirs, 1))
    rate = {k: args.gen_batch * n / statistics.median(v) for k, v in times.items()}
    mode = "ours compiled" if args.compile else "ours eager"
    print(f"sample greedy ({mode}): ours {rate['ours']:,.0f} tok/s, transformers generate "
          f"{rate['transformers']:,.0f} tok/s, ratio {rate['ours'] / rate['transformers']:.2f}x "
          f"(median of {args.gen_repeats}, batch {args.gen_batch}, prompt {args.prompt}, {n} new)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="small")
    p.add_argument("--vocab", type=int, default=2048)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--compile", action="store_true", help="torch.compile both sides")
    p.add_argument("--skip-train", action="store_true")
    p.add_argument("--skip-sample", action="store_true")
    p.add_argument("--gen-batch", type=int, default=16)
    p.add_argument("--prompt", type=int, default=32)
    p.add_argument("--new-tokens", type=int, default=256)
    p.add_argument("--gen-repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (1: on a shared machine more threads only add noise)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ours = Transformer(preset(args.preset, vocab_size=args.vocab))
    theirs = to_hf_model(ours)  # same weights, fp32 both, sdpa attention
    theirs.config._attn_implementation = "sdpa"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, preset {args.preset} "
          f"({ours.num_params():,} parameters), fp32, CPU")
    if not args.skip_train:
        bench_train(ours, theirs, args)
    if not args.skip_sample:
        bench_sample(ours, theirs, args)


if __name__ == "__main__":
    main()
