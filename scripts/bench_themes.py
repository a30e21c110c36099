"""Benchmark theme matching: words per second of ``find_themes`` on one core.

Usage: ``python scripts/bench_themes.py [--rounds N] [FILE_OR_DIR ...]``

The corpus is the seed articles (or the given .txt files and folders), repeated to about
:data:`ROUND_WORDS` words per round. Each round runs ``find_themes`` over every document in this
single process (one core). Printed: the best and the median round in wall-clock time, and the
best in CPU time of this process (which leaves out time when a busy machine runs other work),
with the issue's target of 200,000 words/s.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from analysis.themes import default_lexicon, find_themes

#: Words per timed round: long enough for the timer, short enough that some rounds fall between
#: other processes' bursts on a shared machine.
ROUND_WORDS = 30_000
#: Rounds timed.
ROUNDS = 30
#: Target from issue 5.
TARGET_WORDS_PER_SECOND = 200_000
_WORD = re.compile(r"\S+")


def _texts(paths: list[str]) -> list[str]:
    files: list[Path] = []
    for p in paths or ["seeds"]:
        path = Path(p)
        files += sorted(path.glob("*.txt")) if path.is_dir() else [path]
    return [f.read_text(encoding="utf-8") for f in files]


def main(argv: list[str] | None = None) -> int:
    """Time :func:`find_themes` over the corpus and print the figures."""
    parser = argparse.ArgumentParser(description="Benchmark analysis.themes.find_themes.")
    parser.add_argument("paths", nargs="*", help="files or folders of .txt (default: seeds/)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds to time")
    args = parser.parse_args(argv)
    texts = _texts(args.paths)
    if not texts:
        print("no texts found", file=sys.stderr)
        return 1
    base_words = sum(len(_WORD.findall(t)) for t in texts)
    copies = max(1, ROUND_WORDS // max(base_words, 1))
    corpus = texts * copies
    words = base_words * copies
    t0 = time.perf_counter()
    lexicon = default_lexicon()
    compile_s = time.perf_counter() - t0
    walls: list[float] = []
    cpus: list[float] = []
    hits = 0
    for _ in range(args.rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        hits = sum(len(find_themes(t, lexicon)) for t in corpus)
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    best, median, best_cpu = min(walls), statistics.median(walls), min(cpus)
    print(f"lexicon {lexicon.version}: compiled in {compile_s:.2f} s")
    print(f"round: {len(corpus)} documents ({len(texts)} distinct), {words:,} words, {hits:,} hits")
    print(f"find_themes, one core, {args.rounds} rounds:")
    print(f"  wall best   {words / best:12,.0f} words/s")
    print(f"  wall median {words / median:12,.0f} words/s")
    print(f"  CPU best    {words / max(best_cpu, 1e-9):12,.0f} words/s")
    verdict = "met" if words / best >= TARGET_WORDS_PER_SECOND else "NOT met"
    print(f"target {TARGET_WORDS_PER_SECOND:,} words/s (wall best): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
