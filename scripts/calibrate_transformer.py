"""Calibrate the transformer's neutral class on the shipped (int8) model; record it in the file.

The label of the ``transformer`` backend is ``argmax(log p + offsets)`` with log-space class
offsets recorded in the model file (:func:`analysis.transformer.polarity_and_label`). This
script reads targets exactly as the backend does (the exported int8 encoder, ONNX Runtime, no
torch), tries the offsets of :data:`analysis.train.OFFSET_GRID` on the NewsMTSC dev splits
(and on written domain sentences never trained on, ``--domain``), and writes the best offsets,
the splits they were chosen on and their macro-F1 into the model file's metadata. The
adapters are unchanged, so the encoder still pairs with the file.

Usage (from the project root):
    .venv/bin/python scripts/calibrate_transformer.py [--data ../shared/benchmarks/newsmtsc]
        [--domain analysis/data/transformer_domain_calib.txt] [--model FILE] [--encoder FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import learned, train, transformer
from analysis.learned import Example

DATA = Path(__file__).resolve().parents[1] / "analysis" / "data"


def probabilities(
    model: transformer.LoraModel, encoder: transformer.Encoder, examples: Sequence[Example]
) -> np.ndarray:
    """Class probabilities of each example, read as the backend reads it."""
    items = [(ex.sentence, [(ex.start, ex.end)]) for ex in examples]
    p, _, _ = transformer.class_probabilities(items, model=model, encoder=encoder)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/benchmarks/newsmtsc"))
    parser.add_argument(
        "--domain",
        type=Path,
        default=None,
        help="written domain sentences never trained on, a third split "
        f"(analysis/data/{train.DOMAIN_CALIB})",
    )
    parser.add_argument("--model", type=Path, default=DATA / transformer.MODEL_RESOURCE)
    parser.add_argument("--encoder", type=Path, default=None, help="default: the packaged one")
    args = parser.parse_args(argv)
    model = transformer.load_model(args.model)
    encoder = transformer.load_encoder(args.encoder)
    splits = {s: learned.load_newsmtsc(args.data / f"{s}.jsonl") for s in ("dev-rw", "dev-mt")}
    if args.domain is not None:
        splits[train.DOMAIN_DEV_SPLIT] = train.load_domain_sentences(args.domain)
    probs = {name: probabilities(model, encoder, exs) for name, exs in splits.items()}
    gold = {name: [ex.label for ex in exs] for name, exs in splits.items()}
    offsets, scores = train.choose_class_offsets(probs, gold)
    meta = dict(model.meta)
    meta["class_offsets"] = list(offsets)
    meta["class_offsets_chosen_on"] = sorted(splits)
    meta["shipped_macro_f1"] = scores  # int8 encoder, these offsets: what the backend scores
    transformer.save_model(dataclasses.replace(model, meta=meta), args.model)
    print(f"class offsets {offsets}: macro-F1 {scores}; wrote {args.model}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
