"""Benchmark the JupyterLab explorer: how long one update takes on a 1,000-article corpus.

The corpus is built from the seed's sentences (``scripts/corpus_builder.py``, fixed seed) with
sidecars giving each article an outlet country, outlet and month, analysed once (``textblob``
backend: the explorer's cost does not depend on the backend), then each selection below is
applied as a user's click applies it: :meth:`Explorer.update` recomputes the view (masks,
bootstrap intervals, evidence) and redraws the summary, quotations and evidence widgets.
Prints, per selection, the median and slowest update made for the first time (the summaries
the explorer keeps per selection dropped) and the median when made again (target: every
update under 300 ms).

    .venv/bin/python scripts/bench_explore.py [--articles 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus_builder import build_corpus

import analysis
from analysis.explore import Explorer

#: (country, outlet) pairs the synthetic articles are spread over, in turn.
OUTLETS = (
    ("Pakistan", "Dawn"),
    ("Pakistan", "The News"),
    ("Russia", "TASS"),
    ("Russia", "RT"),
    ("United States", "The New York Times"),
)
MONTHS = ("2018-06", "2018-07", "2018-08", "2018-09", "2018-10", "2018-11")
#: The issue's target for one update, in milliseconds.
TARGET_MS = 300


def _write_sidecars(folder: Path) -> None:
    for i, path in enumerate(sorted(folder.glob("*.txt"))):
        country, source = OUTLETS[i % len(OUTLETS)]
        month = MONTHS[(i // len(OUTLETS)) % len(MONTHS)]
        path.with_suffix(".meta.yaml").write_text(
            f'country: "{country}"\nsource: "{source}"\ndate: "{month}-15"\n', encoding="utf-8"
        )


def _selections(explorer: Explorer) -> list[tuple[str, dict[str, object]]]:
    column = "country" if "country" in explorer.column.options else "source"
    first_value = explorer.model(str(explorer.backend.value)).values(column)[0]
    months = list(explorer.months.options)
    return [
        ("actor Russia", {"actors": ("Russia",)}),
        ("actors Russia + United States", {"actors": ("Russia", "United States")}),
        (f"{column} = {first_value}", {"column": column, "values": (first_value,)}),
        ("voice quoted", {"voices": ("quoted",)}),
        ("months 2-4", {"months": (months[1], months[min(3, len(months) - 1)])}),
        ("everything selected (no filter)", {"actors": tuple(explorer.actors.options)}),
    ]


def _apply(explorer: Explorer, changes: dict[str, object], *, cold: bool) -> float:
    """Milliseconds per update for the changes (each fires one update, as a click does); the
    controls are put back afterwards (untimed), so that every repeat changes something. Cold:
    the explorer's per-selection summaries are dropped first, as for a selection never made."""
    before = {name: getattr(explorer, name).value for name in changes}
    if cold:
        for model in explorer.models.values():
            model._summaries.clear()
    started = time.perf_counter()
    for name, value in changes.items():
        getattr(explorer, name).value = value
    elapsed = (time.perf_counter() - started) * 1000 / len(changes)
    for name, value in before.items():
        getattr(explorer, name).value = value
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-explore-") as tmp:
        folder = build_corpus(Path(tmp) / "corpus", args.articles)
        _write_sidecars(folder)
        started = time.perf_counter()
        result = analysis.analyze(folder, settings=analysis.Settings(sentiment_backend="textblob"))
        print(
            f"corpus: {len(result.documents):,} articles, {len(result.mentions):,} mentions, "
            f"{len(result.quotes):,} quotations (analysed in {time.perf_counter() - started:.0f} s)"
        )
        started = time.perf_counter()
        explorer = Explorer(result)
        print(f"explorer built and first drawn in {(time.perf_counter() - started) * 1000:.0f} ms")
        worst = 0.0
        for name, changes in _selections(explorer):
            cold = [_apply(explorer, changes, cold=True) for _ in range(args.repeat)]
            warm = [_apply(explorer, changes, cold=False) for _ in range(args.repeat)]
            worst = max(worst, max(cold))
            print(
                f"update, {name}: first time median {statistics.median(cold):.0f} ms "
                f"(slowest {max(cold):.0f}); again {statistics.median(warm):.0f} ms"
            )
        started = time.perf_counter()
        explorer.evidence.value = 0
        print(
            f"click on an evidence row (annotated article): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
        verdict = "within" if worst < TARGET_MS else "OVER"
        print(f"slowest update {worst:.0f} ms: {verdict} the {TARGET_MS} ms target")


if __name__ == "__main__":
    main()
