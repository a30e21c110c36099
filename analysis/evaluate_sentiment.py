"""``python -m analysis evaluate sentiment``: target-dependent sentiment scored on NewsMTSC.

NewsMTSC (Hamborg & Donnay, EACL 2021) is news sentences with a target mention and a human label
for the sentiment toward it (-1, 0, 1). Each sentiment backend scores every target through the
public :func:`analysis.sentiment.target_sentiment` (the code path the pipeline uses), and the
table reports 3-class macro-F1 and accuracy, with the confusion matrices, next to the baseline of
plain TextBlob polarity of the whole sentence (positive above 0, negative below 0).

The data are read from a path (by default ``../shared/benchmarks/newsmtsc/dev-rw.jsonl``,
relative to the current directory); they are never copied into the project.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.errors import InputError
from analysis.sentiment import (
    LABELS,
    BackendUnavailableError,
    available_backends,
    target_sentiment,
)

__all__ = [
    "BASELINE",
    "DEFAULT_DATA",
    "Example",
    "Result",
    "add_arguments",
    "evaluate",
    "format_results",
    "load_examples",
    "run",
]

#: Default benchmark file, relative to the current directory.
DEFAULT_DATA = Path("..") / "shared" / "benchmarks" / "newsmtsc" / "dev-rw.jsonl"
#: Name of the baseline row: TextBlob's PatternAnalyzer on the whole sentence, threshold 0.
BASELINE = "baseline: TextBlob, whole sentence"
_POLARITY_TO_INDEX = {-1: 0, 0: 1, 1: 2}
_LABEL_TO_INDEX = {label: i for i, label in enumerate(LABELS)}


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled target: ``sentence[start:end]`` is the mention; ``gold`` indexes LABELS."""

    sentence: str
    start: int
    end: int
    gold: int


@dataclass(frozen=True, slots=True)
class Result:
    """Scores of one backend on a set of examples (percentages).

    Attributes:
        name: Backend name (or :data:`BASELINE`).
        macro_f1: Macro-averaged F1 over the three classes, in percent.
        accuracy: Share of correct labels, in percent.
        confusion: 3x3 counts, rows gold, columns predicted, in LABELS order.
        n: Number of examples.
    """

    name: str
    macro_f1: float
    accuracy: float
    confusion: tuple[tuple[int, int, int], ...]
    n: int


def load_examples(path: str | Path) -> list[Example]:
    """Read a NewsMTSC ``.jsonl`` file.

    Args:
        path: One JSON object per line with ``sentence``, ``from``, ``to``, ``polarity``
            (and ``mention``, checked against the offsets when present).

    Returns:
        The labelled targets in file order.

    Raises:
        InputError: The file is missing or unreadable, or a row is malformed (names ``file:row``).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(
            str(p),
            "NewsMTSC file not found (pass --data FILE; the benchmarks live in "
            "../shared/benchmarks/newsmtsc/)",
        )
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot read ({exc})") from None
    out: list[Example] = []
    for row, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{p}:{row}"
        try:
            obj = json.loads(line)
            sentence, start, end = obj["sentence"], int(obj["from"]), int(obj["to"])
            polarity = int(obj["polarity"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(
                where, f"not a NewsMTSC row ({exc.__class__.__name__}: {exc})"
            ) from None
        if polarity not in _POLARITY_TO_INDEX:
            raise InputError(where, f"polarity {polarity} is not -1, 0 or 1")
        if not (isinstance(sentence, str) and 0 <= start < end <= len(sentence)):
            raise InputError(where, f"offsets {start}-{end} do not fit the sentence")
        if "mention" in obj and sentence[start:end] != obj["mention"]:
            raise InputError(
                where, f"sentence[{start}:{end}] is not the mention {obj['mention']!r}"
            )
        out.append(Example(sentence, start, end, _POLARITY_TO_INDEX[polarity]))
    if not out:
        raise InputError(str(p), "no examples in file")
    return out


def _scores(name: str, gold: np.ndarray, pred: np.ndarray) -> Result:
    confusion = np.zeros((3, 3), dtype=np.int64)
    np.add.at(confusion, (gold, pred), 1)
    f1s = []
    for c in range(3):
        tp = confusion[c, c]
        denom = confusion[c, :].sum() + confusion[:, c].sum()
        f1s.append(2.0 * tp / denom if denom else 0.0)
    return Result(
        name=name,
        macro_f1=100.0 * float(np.mean(f1s)),
        accuracy=100.0 * float(np.trace(confusion)) / len(gold),
        confusion=tuple(tuple(int(x) for x in r) for r in confusion),  # type: ignore[misc]
        n=len(gold),
    )


def _predict_backend(examples: Sequence[Example], backend: str) -> np.ndarray:
    # One call per distinct sentence with all its targets, as the pipeline calls once per text.
    by_sentence: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        by_sentence.setdefault(ex.sentence, []).append(i)
    pred = np.empty(len(examples), dtype=np.int64)
    for sentence, idx in by_sentence.items():
        spans = [(examples[i].start, examples[i].end) for i in idx]
        for i, rec in zip(idx, target_sentiment(sentence, spans, backend=backend), strict=True):
            pred[i] = _LABEL_TO_INDEX[rec.label]
    return pred


def _predict_baseline(examples: Sequence[Example]) -> np.ndarray:
    from textblob.en.sentiments import PatternAnalyzer

    analyzer = PatternAnalyzer()
    pol = np.array([analyzer.analyze(ex.sentence)[0] for ex in examples], dtype=float)
    return np.where(pol > 0, 2, np.where(pol < 0, 0, 1))


def evaluate(
    examples: Sequence[Example],
    backends: Sequence[str],
    *,
    baseline: bool = True,
    on_skip: Callable[[str, str], None] | None = None,
) -> list[Result]:
    """Score backends (and the whole-sentence TextBlob baseline) on labelled targets.

    Args:
        examples: From :func:`load_examples`.
        backends: Backend names (see :func:`analysis.sentiment.available_backends`).
        baseline: Also score plain TextBlob on the whole sentence (first row).
        on_skip: Called with ``(backend, reason)`` for a backend that cannot be loaded; when
            None, the :class:`BackendUnavailableError` propagates.

    Returns:
        One result per scored backend, the baseline first.
    """
    gold = np.array([ex.gold for ex in examples], dtype=np.int64)
    results: list[Result] = []
    if baseline:
        results.append(_scores(BASELINE, gold, _predict_baseline(examples)))
    for backend in backends:
        try:
            pred = _predict_backend(examples, backend)
        except BackendUnavailableError as exc:
            if on_skip is None:
                raise
            on_skip(backend, str(exc))
            continue
        results.append(_scores(backend, gold, pred))
    return results


def format_results(results: Sequence[Result], *, title: str = "") -> str:
    """A plain-text table (macro-F1, accuracy) followed by the confusion matrices."""
    width = max([len(r.name) for r in results] + [len("backend")])
    lines = [title] if title else []
    lines.append(f"{'backend':<{width}}  macro-F1  accuracy")
    lines += [f"{r.name:<{width}}  {r.macro_f1:8.1f}  {r.accuracy:8.1f}" for r in results]
    short = ("neg", "neu", "pos")
    for r in results:
        lines.append("")
        lines.append(f"confusion, {r.name} (rows gold, columns predicted)")
        lines.append("       " + "".join(f"{s:>6}" for s in short))
        for s, row in zip(short, r.confusion, strict=True):
            lines.append(f"  {s:<5}" + "".join(f"{x:6d}" for x in row))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``evaluate sentiment`` to ``parser``."""
    parser.add_argument(
        "--data",
        default=str(DEFAULT_DATA),
        help="NewsMTSC-format JSONL file (default: %(default)s)",
    )
    parser.add_argument(
        "--backend",
        default="all",
        help=f"backend to score: {', '.join(available_backends())} or all (default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the table; returns the exit status.

    Raises:
        InputError: The data file is missing or malformed (the CLI prints it on one line).
    """
    names = available_backends()
    if args.backend == "all":
        backends: list[str] = list(names)
    elif args.backend in names:
        backends = [args.backend]
    else:
        print(
            f"error: unknown sentiment backend {args.backend!r}; available: "
            f"{', '.join(names)}, all",
            file=sys.stderr,
        )
        return 2
    examples = load_examples(args.data)
    counts = np.bincount([ex.gold for ex in examples], minlength=3)
    title = (
        f"NewsMTSC {Path(args.data).name}: {len(examples)} targets "
        f"(negative {counts[0]}, neutral {counts[1]}, positive {counts[2]})\n"
    )
    skipped: list[tuple[str, str]] = []
    explicit = args.backend != "all"
    results = evaluate(
        examples,
        backends,
        on_skip=None if explicit else (lambda name, reason: skipped.append((name, reason))),
    )
    print(format_results(results, title=title))
    for name, reason in skipped:
        print(f"\nskipped {name}: {reason}")
    return 0
