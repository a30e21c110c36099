"""Benchmark the fine-tuned transformer sentiment backend: dev accuracy and speed on one core.

Usage (from the project root):
    .venv/bin/python scripts/bench_transformer.py [--data ../shared/benchmarks/newsmtsc]
        [--model FILE] [--repeat 1]

Speed is measured with the backend as shipped (int8 encoder, ONNX Runtime on one thread, no
torch), the process pinned to one CPU where the OS allows it,
and reported per CPU-second (process time, robust to other load on the machine) and per wall
second. "batched": every dev sentence with all its targets in one ``score_batch`` call (the
targets of all sentences are encoded in length-sorted batches); "one call per target":
``score(sentence, [span])`` for each target, as a caller without batching would.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from target_bench import by_sentence, score_dev_splits, timed

from analysis import transformer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/benchmarks/newsmtsc")
    parser.add_argument("--model", default=None, help="model file (default: packaged)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    data = Path(args.data)
    if not (data / "dev-rw.jsonl").is_file():
        print(f"error: {data}: NewsMTSC dev splits not found (pass --data DIR)", file=sys.stderr)
        return 2

    c0 = time.perf_counter()
    model = transformer.load_model(args.model)
    transformer.score("Warm up.", [(0, 4)], model=model)  # loads the encoder and tokenizer
    hp = model.meta.get("hyperparameters", {})
    path = Path(args.model) if args.model else Path(transformer.__file__).parent / "data"
    path = path / transformer.MODEL_RESOURCE if path.is_dir() else path
    print(
        f"transformer: {model.source} (LoRA rank {model.rank}, input {model.input_mode}, "
        f"lr {hp.get('lr')}, {hp.get('epochs')} epochs, class offsets "
        f"{transformer.class_offsets(model)}; {path.stat().st_size / 1e6:.2f} MB); "
        f"loaded in {time.perf_counter() - c0:.1f} s"
    )

    def batch(items: list[tuple[str, list[tuple[int, int]]]]) -> Any:
        return transformer.score_batch(items, model=model)

    recorded = model.meta.get("shipped_macro_f1") or model.meta.get("dev_macro_f1", {})
    examples = score_dev_splits(data, batch, recorded)
    items = by_sentence(examples)
    n = len(examples)
    cpu, wall = timed(lambda: transformer.score_batch(items, model=model), args.repeat)
    print(
        f"batched ({n} targets in {len(items)} sentences): {n / cpu:,.0f} targets per "
        f"CPU-second, {n / wall:,.0f} per wall second (one core)"
    )
    cpu, wall = timed(
        lambda: [
            transformer.score(ex.sentence, [(ex.start, ex.end)], model=model) for ex in examples
        ],
        args.repeat,
    )
    print(
        f"one call per target: {n / cpu:,.0f} targets per CPU-second, "
        f"{n / wall:,.0f} per wall second (one core)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
