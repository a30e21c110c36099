"""Paired bootstrap of two transformer models on the calibration criterion (three-split mean).

Both models are read as the backend reads them (``transformer.target_scores``: the int8
encoder, the class offsets and the fusion with the learned model their files record) on
NewsMTSC dev-rw and dev-mt and on the held-out written domain targets of
``analysis/data/transformer_domain_calib.txt``; the criterion is the mean of the three macro-F1
(as ``scripts/calibrate_transformer.py`` chooses). The targets of each split are resampled with
replacement, the same resample for both models, and the difference of the criterion (B − A)
is reported with its spread.

Usage (from the project root), e.g. the shipped model against a copy calibrated without the
fusion (``calibrate_transformer.py --model ALONE.npz --no-fusion``):
    .venv/bin/python scripts/compare_models.py --a ALONE.npz --b analysis/data/transformer_lora.npz
        [--encoder-a E.onnx] [--encoder-b E.onnx] [--resamples 300]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import learned, train, transformer
from analysis.learned import Example

ROOT = Path(__file__).resolve().parents[1]


def criterion(
    scores: Mapping[str, np.ndarray],
    gold: Mapping[str, np.ndarray],
    rows: Mapping[str, np.ndarray],
) -> float:
    """Mean macro-F1 over the splits of the labels ``argmax(scores)`` on the given rows."""
    return float(
        np.mean(
            [
                100 * learned.macro_f1(gold[name][rows[name]], z[rows[name]].argmax(axis=1))
                for name, z in scores.items()
            ]
        )
    )


def split_scores(
    splits: Mapping[str, Sequence[Example]],
    model: Path | None,
    encoder: Path | None,
    learned_model: Path | None = None,
) -> dict[str, np.ndarray]:
    """The backend's class scores of every target of every split."""
    return {
        name: transformer.target_scores(
            [(ex.sentence, [(ex.start, ex.end)]) for ex in examples],
            model=model,
            encoder=encoder,
            learned_model=learned_model,
        )[0]
        for name, examples in splits.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/benchmarks/newsmtsc"))
    parser.add_argument("--a", type=Path, required=True, help="model file A")
    parser.add_argument("--b", type=Path, required=True, help="model file B")
    parser.add_argument("--encoder-a", type=Path, default=None, help="default: the packaged one")
    parser.add_argument("--encoder-b", type=Path, default=None, help="default: the packaged one")
    parser.add_argument(
        "--learned-a", type=Path, default=None, help="A's fusion partner; default: the packaged one"
    )
    parser.add_argument(
        "--learned-b", type=Path, default=None, help="B's fusion partner; default: the packaged one"
    )
    parser.add_argument(
        "--domain",
        type=Path,
        default=ROOT / "analysis" / "data" / train.DOMAIN_CALIB,
        help="the written domain split (default: the packaged calibration sentences)",
    )
    parser.add_argument("--resamples", type=int, default=300)
    args = parser.parse_args(argv)
    splits: dict[str, Sequence[Example]] = {
        s: learned.load_newsmtsc(args.data / f"{s}.jsonl") for s in ("dev-rw", "dev-mt")
    }
    splits[train.DOMAIN_DEV_SPLIT] = train.load_domain_sentences(args.domain)
    gold = {name: np.asarray([ex.label for ex in exs]) for name, exs in splits.items()}
    score_a = split_scores(splits, args.a, args.encoder_a, args.learned_a)
    score_b = split_scores(splits, args.b, args.encoder_b, args.learned_b)
    every = {name: np.arange(len(g)) for name, g in gold.items()}
    print(f"A {criterion(score_a, gold, every):.2f}  B {criterion(score_b, gold, every):.2f}")
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(args.resamples):
        rows = {name: rng.integers(0, len(g), len(g)) for name, g in gold.items()}
        diffs.append(criterion(score_b, gold, rows) - criterion(score_a, gold, rows))
    d = np.asarray(diffs)
    low, high = np.percentile(d, [2.5, 97.5])
    print(
        f"B - A: {d.mean():.2f} ± {d.std():.2f} (95% of resamples in [{low:.2f}, {high:.2f}]; "
        f"B ahead in {100 * (d > 0).mean():.0f}% of {args.resamples})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
