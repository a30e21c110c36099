"""Benchmark pathological long input: seconds to analyse one "sentence" that names an actor
every few words, at growing sizes (issue 15: a 1 MB file of that kind under 10 s).

Usage: ``python scripts/bench_long_input.py [--sizes 62500 ...] [--backend NAME]``

Each size is ``'Pakistan said " '`` repeated that many times (16 characters each: 62,500 repeats
make 1 MB), loaded with :func:`analysis.corpus.document_from_text` and analysed with
:func:`analysis.analyze` in this process (lexicons are compiled once before timing). Printed per
size: characters, seconds, mentions, quotations and microseconds per character, which stays
flat when the cost is linear.
"""

from __future__ import annotations

import argparse
import time

import analysis
from analysis.corpus import document_from_text
from analysis.pipeline import DEFAULT_BACKEND, Settings

#: The repeated unit: an actor, a speech verb and an unbalanced quotation mark.
UNIT = 'Pakistan said " '
#: Default sizes (repeats): 125 kB, 250 kB, 500 kB and 1 MB.
SIZES = (7_812, 15_625, 31_250, 62_500)
#: Issue 15's target for the 1 MB text.
TARGET_SECONDS = 10.0


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--backend", default=DEFAULT_BACKEND)
    args = parser.parse_args()
    settings = Settings(sentiment_backend=args.backend)
    analysis.analyze(document_from_text("Warm-up\n\nPakistan said so.", doc_id="w", path="w"),
                     settings=settings)  # fmt: skip
    print(f"backend {args.backend}; target: 1 MB under {TARGET_SECONDS:.0f} s")
    print("| repeats | characters | seconds | mentions | quotes | µs/char |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        text = "Long input\n\n" + UNIT * n
        start = time.perf_counter()
        doc = document_from_text(text, doc_id="long", path="long.txt")
        result = analysis.analyze(doc, settings=settings)
        seconds = time.perf_counter() - start
        print(
            f"| {n:,} | {len(text):,} | {seconds:.2f} | {len(result.mentions):,} | "
            f"{len(result.quotes):,} | {1e6 * seconds / len(text):.2f} |"
        )


if __name__ == "__main__":
    main()
