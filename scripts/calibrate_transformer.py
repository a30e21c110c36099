"""Calibrate the transformer's labels on the shipped (int8) model; record it in the file.

The label of the ``transformer`` backend is ``argmax(log p + w * log p_learned + offsets)``:
its own class probabilities, the ``learned`` model's of the same target to the power ``w``, and
log-space class offsets, all recorded in the model file
(:func:`analysis.transformer.class_scores`). This script reads targets exactly as the backend
does (the exported int8 encoder, ONNX Runtime, no torch; the learned model as packaged), tries
every weight of :data:`analysis.train.FUSION_WEIGHT_GRID` with the offsets of
:data:`analysis.train.OFFSET_GRID` on the NewsMTSC dev splits (and on written domain sentences
never trained on, ``--domain``), and writes the best weight, the learned model's fingerprint,
the offsets, the splits they were chosen on and their macro-F1 into the model file's metadata.
The adapters are unchanged, so the encoder still pairs with the file. ``--no-fusion`` keeps
the weight at 0 (the transformer alone).

Usage (from the project root):
    .venv/bin/python scripts/calibrate_transformer.py [--data ../shared/benchmarks/newsmtsc]
        [--domain analysis/data/transformer_domain_calib.txt] [--model FILE] [--encoder FILE]
        [--learned FILE] [--no-fusion]
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


def learned_logs(model: learned.LinearModel, examples: Sequence[Example]) -> np.ndarray:
    """The learned model's log class probabilities of each example (its class offsets in)."""
    found = [f for ex in examples for f in learned.featurize(ex.sentence, [(ex.start, ex.end)])]
    return learned.log_probabilities(model, found)


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
    parser.add_argument("--learned", type=Path, default=None, help="default: the packaged one")
    parser.add_argument("--no-fusion", action="store_true", help="the transformer alone")
    args = parser.parse_args(argv)
    model = transformer.load_model(args.model)
    encoder = transformer.load_encoder(args.encoder)
    partner = learned.load_model(args.learned)
    splits = {s: learned.load_newsmtsc(args.data / f"{s}.jsonl") for s in ("dev-rw", "dev-mt")}
    if args.domain is not None:
        splits[train.DOMAIN_DEV_SPLIT] = train.load_domain_sentences(args.domain)
    probs = {name: probabilities(model, encoder, exs) for name, exs in splits.items()}
    gold = {name: [ex.label for ex in exs] for name, exs in splits.items()}
    if args.no_fusion:
        weight = 0.0
        offsets, scores = train.choose_class_offsets(probs, gold)
    else:
        logs = {name: learned_logs(partner, exs) for name, exs in splits.items()}
        weight, offsets, scores = train.choose_fusion(probs, logs, gold)
    meta = dict(model.meta)
    meta["class_offsets"] = list(offsets)
    meta["class_offsets_chosen_on"] = sorted(splits)
    meta[transformer.LEARNED_WEIGHT_KEY] = weight
    meta[transformer.LEARNED_FINGERPRINT_KEY] = learned.fingerprint(partner) if weight else ""
    meta["shipped_macro_f1"] = scores  # int8 encoder, these offsets: what the backend scores
    transformer.save_model(dataclasses.replace(model, meta=meta), args.model)
    print(
        f"learned weight {weight}, class offsets {offsets}: macro-F1 {scores}; wrote {args.model}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
