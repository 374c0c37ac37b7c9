"""`export-hf CKPT OUT`: write a Blueberry checkpoint as a transformers model directory."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cli.common import Parser, run

PROG = "export-hf"


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="Export a checkpoint for transformers' "
               "AutoModelForCausalLM / AutoTokenizer (no custom code).")  # fmt: skip
    p.add_argument("checkpoint", help="checkpoint directory written by training")
    p.add_argument("out", help="new output directory (must not exist)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `export-hf`; returns the exit code (2 on bad input or a bad checkpoint)."""
    args = build_parser().parse_args(argv)

    def body() -> int:
        from model.checkpoint import load_checkpoint
        from model.hf import export_hf, hf_class_name

        ckpt = load_checkpoint(args.checkpoint)
        out = export_hf(ckpt.model, ckpt.tokenizer, args.out)
        print(f"wrote {out} ({hf_class_name(ckpt.model.cfg)} with {ckpt.model.num_params():,} parameters)")
        return 0

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
