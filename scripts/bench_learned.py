"""Benchmark the learned sentiment backend: accuracy on the NewsMTSC dev splits and speed.

Usage (from the project root):
    .venv/bin/python scripts/bench_learned.py [--data ../shared/benchmarks/newsmtsc]
        [--model FILE] [--repeat 3]

(``scripts/bench_transformer.py`` measures the ``transformer`` backend.)

Speed is measured on one core (the process is pinned to one CPU where the OS allows it) and
reported per CPU-second (process time, robust to other load on the machine) and per wall
second. "batched": every sentence with all its targets in one ``score_batch`` call;
"one call per target": ``score(sentence, [span])`` for each target, as a caller without
batching would.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from target_bench import by_sentence, score_dev_splits, timed

from analysis import learned

Scored = tuple[float, str, int, int]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/benchmarks/newsmtsc")
    parser.add_argument("--model", default=None, help="model/head file (default: packaged)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    data = Path(args.data)
    if not (data / "dev-rw.jsonl").is_file():
        print(f"error: {data}: NewsMTSC dev splits not found (pass --data DIR)", file=sys.stderr)
        return 2

    c0 = time.perf_counter()
    model = learned.load_model(args.model)
    recorded = model.meta.get("dev_macro_f1", {})
    hp = model.meta.get("hyperparameters", {})
    described = (
        f"{model.source}, {len(model.vocab)} n-gram features, C={hp.get('C')}, "
        f"dense_weight={hp.get('dense_weight')}"
    )

    def batch(items: list[tuple[str, list[tuple[int, int]]]]) -> list[list[Scored]]:
        return learned.score_batch(items, model=model)

    resource = learned.MODEL_RESOURCE
    load_s = time.perf_counter() - c0
    path = Path(args.model) if args.model else Path(learned.__file__).parent / "data" / resource
    print(f"learned: {described} ({path.stat().st_size / 1e6:.2f} MB); loaded in {load_s:.1f} s")

    examples = score_dev_splits(data, batch, recorded)
    items = by_sentence(examples)
    n = len(examples)
    batch(items[:10])  # warm up

    cpu, wall = timed(lambda: batch(items), args.repeat)
    print(
        f"batched ({n} targets in {len(items)} sentences): {n / cpu:,.0f} targets per "
        f"CPU-second, {n / wall:,.0f} per wall second (one core)"
    )
    cpu, wall = timed(
        lambda: [batch([(ex.sentence, [(ex.start, ex.end)])]) for ex in examples], args.repeat
    )
    print(
        f"one call per target: {n / cpu:,.0f} targets per CPU-second, "
        f"{n / wall:,.0f} per wall second (one core)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
