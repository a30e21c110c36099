"""Benchmark ``python -m analysis report`` against the naive papermill-then-nbconvert sequence.

Prints, side by side on the same machine (targets from issue 6):

1. The reports for ``seeds/`` (article and corpus notebooks) with ``--jobs 1`` against the naive
   sequence: for each notebook, the ``papermill`` CLI, then the ``jupyter nbconvert --to html``
   CLI. Target: ratio at most 0.6.
2. N article reports (default 50, built from the seed's sentences in a temporary folder) with
   ``--jobs 2`` against the naive sequential loop over the same articles. Target: ratio at most
   0.35.

Every timing is wall-clock time of whole commands, interpreter start-up included, and the
report command runs with ``--force`` so that nothing is skipped.

Usage::

    .venv/bin/python scripts/bench_report.py [--articles 50] [--jobs 2] [--naive-sample K]

``--naive-sample K`` times the naive loop on K of the articles and scales it to N (the full
naive loop takes many minutes); the output says when it did.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED = ROOT / "seeds" / "000_bd50dbdc2ca17a54.txt"
ARTICLE_NB = ROOT / "notebooks" / "article.ipynb"
CORPUS_NB = ROOT / "notebooks" / "corpus.ipynb"
#: Sentences per synthetic article: about the seed's length.
SENTENCES_PER_ARTICLE = 24
#: Targets from the issue.
TARGET_SEED = 0.6
TARGET_BATCH = 0.35


def _run(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _naive(notebook: Path, params: list[str], work: Path, name: str) -> float:
    executed = work / f"{name}.ipynb"
    return _run(
        [str(BIN / "papermill"), str(notebook), str(executed), "--no-progress-bar", *params]
    ) + _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)])


def _ours(paths: list[str], out: Path, jobs: int, *extra: str) -> float:
    return _run(
        [
            sys.executable,
            "-m",
            "analysis",
            "report",
            *paths,
            "--out",
            str(out),
            "--jobs",
            str(jobs),
            "--force",
            "--no-progress",
            *extra,
        ]
    )


def _articles(folder: Path, n: int) -> list[Path]:
    """N articles from the seed's sentences: each a different rotation of them."""
    import analysis

    (doc,) = analysis.load_corpus(SEED)
    sents = [s.text for s in analysis.segment.sentences(doc.body)]
    files = []
    for i in range(n):
        picked = [sents[(i * 7 + k) % len(sents)] for k in range(SENTENCES_PER_ARTICLE)]
        paragraphs = [" ".join(picked[k : k + 4]) for k in range(0, len(picked), 4)]
        path = folder / f"article_{i:03d}.txt"
        path.write_text(
            f"Synthetic article {i}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=0,
        help="time the naive loop on this many articles and scale (0: all)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        work = Path(tmp)
        # 1. The seed reports, --jobs 1, against papermill CLI + nbconvert CLI per notebook.
        _ours(["seeds/"], work / "warm", 1)  # warm the file cache and the font cache
        ours = _ours(["seeds/"], work / "ours-seed", 1)
        naive = _naive(
            ARTICLE_NB, ["-p", "input_path", str(SEED.relative_to(ROOT))], work, "seed-article"
        )
        naive += _naive(CORPUS_NB, ["-y", "input_paths: [seeds/]"], work, "seed-corpus")
        ratio = ours / naive
        print(
            f"seed reports (article + corpus), --jobs 1: {ours:.1f} s; naive papermill CLI + "
            f"nbconvert CLI: {naive:.1f} s; ratio {ratio:.2f} (target <= {TARGET_SEED}) "
            f"{'OK' if ratio <= TARGET_SEED else 'MISSED'}"
        )
        # 2. N article reports with --jobs N against the naive sequential loop.
        folder = work / "articles"
        folder.mkdir()
        files = _articles(folder, args.articles)
        ours = _ours([str(folder)], work / "ours-batch", args.jobs, "--no-corpus")
        sample = files[: args.naive_sample] if args.naive_sample else files
        naive = sum(
            _naive(ARTICLE_NB, ["-p", "input_path", str(f)], work, f"naive-{f.stem}")
            for f in sample
        )
        scaled = naive * len(files) / len(sample)
        note = "" if len(sample) == len(files) else f" (timed on {len(sample)}, scaled)"
        ratio = ours / scaled
        print(
            f"{len(files)} article reports, --jobs {args.jobs}: {ours:.1f} s; naive loop: "
            f"{scaled:.1f} s{note}; ratio {ratio:.2f} (target <= {TARGET_BATCH}) "
            f"{'OK' if ratio <= TARGET_BATCH else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
