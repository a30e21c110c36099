"""Instruction counts of the whole analysis and of a bare TextBlob pass (valgrind).

Wall-clock ratios on a shared or virtual machine vary by a quarter from run to run; the number
of instructions executed does not (within about 1%). This script counts them with valgrind's
cachegrind for ``analyze`` (one core) and for a bare TextBlob polarity pass over the same
sentences of a small synthetic corpus (the seed's sentences, fixed random seed, as
``make bench``), each after a warm-up run so that start-up and lazy loading are not counted,
and prints their ratio. Use it to compare two versions of the code; the wall-clock figures of
``make bench`` remain the ones the targets are stated in (instructions and time differ: the
analysis reads large dictionaries, so it retires fewer instructions per second than TextBlob's
tight loop, and its time ratio is lower than its instruction ratio).

Needs valgrind (Debian: ``apt-get install valgrind``). Takes a few minutes.

Usage: ``python scripts/bench_instructions.py [--articles 30]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus_builder import build_corpus  # noqa: E402

_CHILD = """
import sys
import analysis
from textblob import TextBlob
from analysis.corpus import read_corpus
from analysis.segment import sentences

folder, mode = sys.argv[1], sys.argv[2]
texts = [s.text for d in read_corpus(folder).documents for s in sentences(d.body)]
analysis.analyze(folder, jobs=1)  # warm-up: lexicons, models, imports
for t in texts:
    TextBlob(t).sentiment.polarity
if mode == "bare":
    for t in texts:
        TextBlob(t).sentiment.polarity
elif mode == "analyze":
    analysis.analyze(folder, jobs=1)
"""
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _count(folder: Path, mode: str) -> int:
    """Instructions executed by the child script in ``mode`` ("none", "bare", "analyze")."""
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same dictionary probes in every run
    out = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            _CHILD,
            str(folder),
            mode,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found = _REFS.search(out.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output for {mode!r}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30, help="corpus size (default 30)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_corpus(Path(tmp) / "corpus", args.articles)
        modes = ("none", "bare", "analyze")
        with ThreadPoolExecutor(max_workers=min(len(modes), os.cpu_count() or 1)) as pool:
            counts = dict(zip(modes, pool.map(lambda m: _count(folder, m), modes), strict=True))
    bare = counts["bare"] - counts["none"]
    whole = counts["analyze"] - counts["none"]
    print(f"{args.articles} articles (the seed's sentences), instructions executed:")
    print(f"  bare TextBlob polarity pass: {bare / 1e6:,.0f}M")
    print(f"  analyze, one core:           {whole / 1e6:,.0f}M")
    print(f"  bare / analyze:              {bare / whole:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
