"""Benchmark of the foundation (issue 2): load + segment + mentions on one core, in words/s.

Usage: ``python scripts/bench_foundation.py [N_ARTICLES]`` (default 2,000).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_builder import build_corpus

from analysis.actors import find_mentions
from analysis.corpus import read_corpus
from analysis.segment import sentences


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_corpus(Path(tmp) / "corpus", n)
        find_mentions("warm up the lexicon")
        t0 = time.perf_counter()
        docs = read_corpus(folder).documents
        t1 = time.perf_counter()
        n_sent = sum(len(sentences(d.body)) for d in docs)
        t2 = time.perf_counter()
        n_ment = sum(len(find_mentions(d.body)) for d in docs)
        t3 = time.perf_counter()
    words = sum(d.words for d in docs)
    print(f"articles={len(docs)} words={words:,} sentences={n_sent:,} mentions={n_ment:,}")
    for stage, secs in (
        ("load", t1 - t0),
        ("segment", t2 - t1),
        ("mentions", t3 - t2),
        ("total", t3 - t0),
    ):
        print(f"{stage:>9}: {secs:7.3f} s  {words / secs:12,.0f} words/s")


if __name__ == "__main__":
    main()
