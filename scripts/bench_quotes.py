"""Throughput of quotation attribution (``analysis.quotes.extract_quotes``) on one core.

Usage::

    python scripts/bench_quotes.py                    # the seed articles, repeated
    python scripts/bench_quotes.py --data ../shared/benchmarks/polnear/dev/text
    python scripts/bench_quotes.py --words 500000 --repeat 5

Texts are concatenated (blank line between articles) until about ``--words`` words, then timed
with ``time.process_time`` (CPU time of this process, so other processes on the machine matter
less); the best of ``--repeat`` runs is reported. The lexicons are loaded before timing. Target:
at least 150,000 words/s (issue 16; issue 4 asked for 100,000).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.quotes import extract_quotes  # noqa: E402
from analysis.segment import sentences  # noqa: E402

#: Words timed by default: large enough that per-call overheads do not matter.
DEFAULT_WORDS = 200_000


def corpus(folder: Path, words: int) -> str:
    """Concatenate the ``.txt``/``.md`` files in ``folder`` until about ``words`` words."""
    texts = [
        p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.suffix in (".txt", ".md")
    ]
    if not texts:
        raise SystemExit(f"error: {folder}: no .txt or .md files")
    out: list[str] = []
    n = 0
    while n < words:
        for t in texts:
            out.append(t)
            n += len(t.split())
            if n >= words:
                break
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT / "seeds", help="folder of articles (default: seeds/)"
    )
    parser.add_argument("--words", type=int, default=DEFAULT_WORDS, help="words to time")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: {args.data}: folder not found", file=sys.stderr)
        return 2
    text = corpus(args.data, args.words)
    words = len(text.split())
    extract_quotes(text[:20_000])  # load the lexicons outside the timing
    best = best_seg = float("inf")
    n_quotes = 0
    for _ in range(max(1, args.repeat)):
        t0 = time.process_time()
        n_quotes = len(extract_quotes(text))
        best = min(best, time.process_time() - t0)
        t0 = time.process_time()
        sentences(text)
        best_seg = min(best_seg, time.process_time() - t0)
    print(f"text: {args.data} ({words:,} words, {len(text):,} characters)")
    print(f"extract_quotes: {best:.3f} s, {words / best:,.0f} words/s, {n_quotes:,} records")
    print(
        f"  of which sentence splitting alone: {best_seg:.3f} s ({words / best_seg:,.0f} words/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
