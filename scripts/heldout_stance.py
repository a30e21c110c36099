"""Stance toward each actor on the held-out written articles: how the neutral polarity counts.

For every article of ``analysis/data/transformer_domain_calib.txt`` (never trained on) and every
actor whose gold labels lean clearly (mean of -1 / 0 / +1 at least 1/3 from zero, as
``evaluate domain`` counts stance), the sign of the mean predicted polarity is compared with the
gold lean, with three polarities for a neutral label: 0 (the definition before issue 17's
lean), the shipped lean (``analysis.learned.signed_probability``) and the full
``P(positive) - P(negative)``. Each target is read alone in its sentence, as the calibration
script reads it.

Usage (from the project root):
    .venv/bin/python scripts/heldout_stance.py [--model M --encoder E] [--learned L]
        [--domain CALIB.txt]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import actors, learned, train, transformer
from analysis.learned import Example

CALIB = Path(__file__).resolve().parents[1] / "analysis" / "data" / train.DOMAIN_CALIB
LEAN = 1 / 3


def _groups(path: Path, examples: Sequence[Example]) -> dict[tuple[int, str], list[int]]:
    """Target indices per (article, actor); the actor is the one the package finds there."""
    article_of_line: dict[int, int] = {}
    article = -1
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        article += line.startswith("# ARTICLE")
        article_of_line[number] = article
    groups: dict[tuple[int, str], list[int]] = {}
    for i, ex in enumerate(examples):
        found = [
            m for m in actors.find_mentions(ex.sentence) if m.start < ex.end and ex.start < m.end
        ]
        if found:
            key = (article_of_line[int(ex.id.rsplit(":", 1)[1])], found[0].actor)
            groups.setdefault(key, []).append(i)
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="default: the packaged one")
    parser.add_argument("--encoder", type=Path, default=None, help="default: the packaged one")
    parser.add_argument(
        "--learned", type=Path, default=None, help="fusion partner; default: the packaged one"
    )
    parser.add_argument(
        "--domain", type=Path, default=CALIB, help="held-out articles (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    model = transformer.load_model(args.model)
    examples = train.load_domain_sentences(args.domain)
    items = [(ex.sentence, [(ex.start, ex.end)]) for ex in examples]
    # the scores the backend labels: class offsets and the fusion with the learned model in
    z, _, _ = transformer.target_scores(
        items, model=model, encoder=args.encoder, learned_model=args.learned
    )
    shipped, labels = learned.signed_probability(z)
    q = np.exp(z - z.max(axis=1, keepdims=True))
    q /= q.sum(axis=1, keepdims=True)
    neutral = labels == 1
    ways = {
        "neutral counts 0": np.where(neutral, 0.0, shipped),
        "neutral lean (shipped)": shipped,
        "P(+) - P(-) for all": q[:, 2] - q[:, 0],
    }
    agree = dict.fromkeys(ways, 0)
    pairs = 0
    for indices in _groups(args.domain, examples).values():
        gold = float(np.mean([examples[i].label - 1 for i in indices]))
        if abs(gold) < LEAN:
            continue
        pairs += 1
        for name, polarity in ways.items():
            agree[name] += int(np.sign(polarity[indices].mean()) == np.sign(gold))
    for name, count in agree.items():
        print(f"{name}: {count} of {pairs} actor-articles ({100 * count / max(pairs, 1):.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
