"""Write the golden table of the packaged transformer's class probabilities (a test fixture).

``tests/transformer_golden.tsv`` holds, for the first targets of the held-out domain
calibration file, the class probabilities the packaged int8 encoder gives them.
``tests/test_transformer.py`` checks that every machine reproduces them: the encoder's 7-bit
weights keep ONNX Runtime's integer products exact on every x86 kernel (AVX2 with or without
VNNI, AVX-512), so only float rounding may differ between CPUs. Rewrite the table whenever the
model or its encoder is replaced.

Usage (from the project root):
    .venv/bin/python scripts/golden_transformer.py [--out tests/transformer_golden.tsv] [--n 60]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import train, transformer

ROOT = Path(__file__).resolve().parents[1]
CALIB = ROOT / "analysis" / "data" / train.DOMAIN_CALIB
COLUMNS = ("sentence", "start", "end", "negative", "neutral", "positive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "transformer_golden.tsv")
    parser.add_argument("--n", type=int, default=60, help="number of targets")
    args = parser.parse_args(argv)
    examples = train.load_domain_sentences(CALIB)[: args.n]
    items = [(ex.sentence, [(ex.start, ex.end)]) for ex in examples]
    p, _, _ = transformer.class_probabilities(items)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for ex, row in zip(examples, p, strict=True):
            writer.writerow([ex.sentence, ex.start, ex.end, *(f"{v:.4f}" for v in row)])
    print(f"wrote {args.out} ({len(examples)} targets)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
