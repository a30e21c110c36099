"""Synthetic corpora for benchmarks: articles assembled from the seed's sentences (fixed seed)."""

from __future__ import annotations

import random
from pathlib import Path

from analysis.corpus import load_corpus
from analysis.segment import sentences

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_bd50dbdc2ca17a54.txt"
#: Sentences per synthetic article and paragraph: about the seed's own shape (850 words).
SENTENCES_PER_ARTICLE = 32
SENTENCES_PER_PARAGRAPH = 6


def build_corpus(folder: Path, n_articles: int, *, seed: int = 20181010) -> Path:
    """Write ``n_articles`` .txt articles made of shuffled seed sentences into ``folder``."""
    doc = load_corpus(SEED)[0]
    pool = [s.text for s in sentences(doc.body)]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_articles):
        picked = [rng.choice(pool) for _ in range(SENTENCES_PER_ARTICLE)]
        paras = [
            " ".join(picked[j : j + SENTENCES_PER_PARAGRAPH])
            for j in range(0, len(picked), SENTENCES_PER_PARAGRAPH)
        ]
        text = f"Synthetic article {i} By Dr Test Author\n\n" + "\n".join(paras) + "\n"
        (folder / f"article_{i:05d}.txt").write_text(text, encoding="utf-8")
    return folder
