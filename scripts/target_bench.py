"""Shared steps of the target-sentiment benchmarks (``bench_learned.py``, ``bench_transformer.py``):
dev-split scores of a backend, targets grouped by sentence, best-of-N timing."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis import learned

#: ``batch(items)`` scores ``(sentence, spans)`` items, per span ``(polarity, label, ...)``.
Batch = Callable[[list[tuple[str, list[tuple[int, int]]]]], Any]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best (CPU seconds, wall seconds) over ``repeat`` runs of ``fn()``."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return best_cpu, best_wall


def score_dev_splits(
    data: Path, batch: Batch, recorded: Mapping[str, Any]
) -> list[learned.Example]:
    """Print macro-F1 and accuracy of ``batch`` on NewsMTSC's dev splits (beside the figures
    ``recorded`` in the model file); returns the examples of both splits."""
    examples: list[learned.Example] = []
    for split in ("dev-rw", "dev-mt"):
        split_examples = learned.load_newsmtsc(data / f"{split}.jsonl")
        examples.extend(split_examples)
        results = batch([(ex.sentence, [(ex.start, ex.end)]) for ex in split_examples])
        pred = [learned.LABELS.index(r[0][1]) for r in results]
        gold = [ex.label for ex in split_examples]
        f1 = 100 * learned.macro_f1(gold, pred)
        acc = 100 * sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
        print(
            f"{split}: macro-F1 {f1:.1f}  accuracy {acc:.1f}  (n={len(gold)}; "
            f"recorded in the model file: {recorded.get(split)})"
        )
    return examples


def by_sentence(examples: Sequence[learned.Example]) -> list[tuple[str, list[tuple[int, int]]]]:
    """The examples' targets grouped by sentence, as one batch call receives them."""
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for ex in examples:
        groups[ex.sentence].append((ex.start, ex.end))
    return list(groups.items())
