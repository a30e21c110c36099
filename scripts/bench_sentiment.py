"""Throughput of target-dependent sentiment: words of article text per second, one core.

Scores every actor mention of the seed article's body (repeated to make a corpus of about
``--words`` words, one call per article as the pipeline does) and prints words/s per backend.
Mention finding is timed separately: it is analysis.actors' job, not this module's. Times are
CPU seconds of this process (``time.process_time``), so other work on a shared machine does not
count; the best and the median of ``--repeat`` runs are printed.

Usage::

    python scripts/bench_sentiment.py [--words 200000] [--backend textblob|vader|all] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from analysis.actors import find_mentions
from analysis.corpus import load_corpus
from analysis.sentiment import available_backends, target_sentiment

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_bd50dbdc2ca17a54.txt"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200_000, help="words of text to score")
    parser.add_argument("--backend", default="textblob", help="backend name or 'all'")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the median is kept)")
    args = parser.parse_args(argv)

    body = load_corpus(SEED)[0].body
    words_per_doc = len(body.split())
    n_docs = max(1, args.words // words_per_doc)
    spans = [(m.start, m.end) for m in find_mentions(body)]
    total_words = words_per_doc * n_docs
    print(
        f"seed body: {words_per_doc} words, {len(spans)} mentions; "
        f"corpus: {n_docs} copies = {total_words} words"
    )
    backends = (
        [b for b in available_backends() if b in ("textblob", "vader")]
        if args.backend == "all"
        else [args.backend]
    )
    for backend in backends:
        target_sentiment(body, spans, backend=backend)  # warm-up: lexicon loading
        times = []
        for _ in range(args.repeat):
            t0 = time.process_time()
            for _doc in range(n_docs):
                target_sentiment(body, spans, backend=backend)
            times.append(time.process_time() - t0)
        best, median = min(times), statistics.median(times)
        print(
            f"{backend:9s} {total_words / best:10,.0f} words/s best, "
            f"{total_words / median:10,.0f} median of {args.repeat} runs "
            f"({len(spans) * n_docs / median:,.0f} mentions/s)"
        )
    t0 = time.process_time()
    for _doc in range(n_docs):
        find_mentions(body)
    print(f"(find_mentions alone: {total_words / (time.process_time() - t0):,.0f} words/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
