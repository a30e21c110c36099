"""``python -m analysis evaluate quotes``: score quotation attribution on PolNeAR-format data.

Data layout (PolNeAR v1.0, Newell, Margolin & Ruths, LREC 2018): ``DIR/text/NAME.txt`` and
``DIR/attributions/NAME_ANNOTATOR.ann`` (brat standoff; where an article has several files, the
first in sorted order is used). Scoring follows ``shared/benchmarks/README.md`` (after the
GenderGapTracker evaluation): a predicted content matches a gold content when it covers at least
30% (also 80%) of the gold characters, one-to-one, greedily by coverage; precision = matches /
predictions, recall = matches / gold. "Direct" = gold contents that contain a quotation mark;
"all" = every attribution. Speaker accuracy = share of matched pairs whose predicted speaker
mention overlaps the gold Source span.

Predictions are the records of :func:`analysis.quotes.extract_quotes`, one per attribution: a
partial quotation inside a reported clause is part of that clause's attribution (PolNeAR
annotates the clause), so it is not counted again. A prediction is "direct" when it is delimited
by, or contains, one of the quotation marks that define direct gold contents.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis.errors import AnalysisError, InputError
from analysis.quotes import Quote, SpeechVerbs, extract_quotes, load_speech_verbs

__all__ = [
    "DEFAULT_DATA",
    "Attribution",
    "Score",
    "add_arguments",
    "evaluate",
    "format_table",
    "load_polnear",
    "match",
    "predictions",
    "run",
]

#: Default data folder, relative to the current directory (the project root).
DEFAULT_DATA = Path("../shared/benchmarks/polnear/dev")
#: Coverage thresholds reported (share of the gold content's characters covered).
OVERLAPS = (0.3, 0.8)
#: Characters that make a content "direct" (the benchmark's definition; the typographic single
#: quotes are left out because ’ is also the apostrophe).
DIRECT_MARKS = '"“”'

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution, gold or predicted: content segments and the speaker mention."""

    content: tuple[Span, ...]
    source: tuple[Span, ...]
    direct: bool


@dataclass(frozen=True, slots=True)
class Score:
    """Figures for one subset ("direct" or "all") at one overlap threshold."""

    subset: str
    overlap: float
    precision: float
    recall: float
    f1: float
    speaker_accuracy: float
    matched: int
    predicted: int
    gold: int
    speaker_correct: int


@dataclass(frozen=True, slots=True)
class Article:
    """A PolNeAR article with its gold attributions."""

    name: str
    text: str
    gold: tuple[Attribution, ...]


def _segments(field: str, source: str) -> tuple[Span, ...]:
    out = []
    for seg in field.split(";"):
        start, end = seg.split()
        out.append((int(start), int(end)))
    return tuple(out)


def _is_direct(text: str, spans: Sequence[Span]) -> bool:
    return any(c in text[s:e] for s, e in spans for c in DIRECT_MARKS)


def read_ann(path: Path, text: str) -> list[Attribution]:
    """Parse one brat ``.ann`` file into attributions (those without a Content are skipped).

    Raises:
        InputError: A malformed line (names the file and line).
    """
    spans: dict[str, tuple[str, tuple[Span, ...]]] = {}
    events: list[dict[str, str]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            if line.startswith("T"):
                tid, mid, *_ = line.split("\t")
                typ, rest = mid.split(" ", 1)
                spans[tid] = (typ, _segments(rest, str(path)))
            elif line.startswith("E"):
                _, rest = line.split("\t", 1)
                events.append(dict(p.split(":", 1) for p in rest.split()))
        except ValueError:
            raise InputError(f"{path}:{lineno}", "not a brat standoff line") from None
    out = []
    for ev in events:
        content = spans.get(ev.get("Content", ""))
        if content is None:
            continue
        source = spans.get(ev.get("Source", ""))
        out.append(
            Attribution(content[1], source[1] if source else (), _is_direct(text, content[1]))
        )
    return out


def load_polnear(data_dir: str | Path) -> list[Article]:
    """Read a PolNeAR-format folder (``text/`` and ``attributions/``).

    Raises:
        InputError: The folder or one of its subfolders is missing.
    """
    root = Path(data_dir)
    text_dir, ann_dir = root / "text", root / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise InputError(str(root), "no PolNeAR data here (expected text/ and attributions/)")
    anns = sorted(p.name for p in ann_dir.glob("*.ann"))
    docs = []
    for txt in sorted(text_dir.glob("*.txt")):
        name = txt.stem
        text = txt.read_text(encoding="utf-8")
        ann = next((a for a in anns if a.rsplit("_", 1)[0] == name), None)
        gold = read_ann(ann_dir / ann, text) if ann else []
        docs.append(Article(name, text, tuple(gold)))
    return docs


def predictions(text: str, quotes: Sequence[Quote]) -> list[Attribution]:
    """Project quotes onto PolNeAR's one-attribution-per-content scheme."""
    indirect = [(q.start, q.end) for q in quotes if q.kind == "indirect"]
    out = []
    for q in quotes:
        if q.kind == "partial" and any(s <= q.start and q.end <= e for s, e in indirect):
            continue
        parts = q.parts or ((q.start, q.end),)
        if q.kind == "indirect":
            direct = _is_direct(text, parts)
        else:
            direct = q.mark is not None and q.mark in DIRECT_MARKS
        source = (
            ((q.speaker_start, q.speaker_end),)
            if q.speaker_start is not None and q.speaker_end is not None
            else ()
        )
        out.append(Attribution(tuple(parts), source, direct))
    return out


def _coverage(pred: Sequence[Span], gold: Sequence[Span]) -> float:
    total = sum(e - s for s, e in gold)
    if total <= 0:
        return 0.0
    covered = sum(max(0, min(pe, ge) - max(ps, gs)) for ps, pe in pred for gs, ge in gold)
    return covered / total


def match(
    preds: Sequence[Attribution], golds: Sequence[Attribution], overlap: float
) -> list[tuple[int, int]]:
    """One-to-one greedy matching by coverage of the gold content: (prediction, gold) pairs."""
    pairs = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            c = _coverage(p.content, g.content)
            if c >= overlap:
                pairs.append((-c, i, j))
    pairs.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j))
    return out


def _speaker_ok(pred: Attribution, gold: Attribution) -> bool:
    return any(min(pe, ge) > max(ps, gs) for ps, pe in pred.source for gs, ge in gold.source)


def evaluate(
    data: str | Path | Sequence[Article] = DEFAULT_DATA, *, verbs: SpeechVerbs | None = None
) -> list[Score]:
    """Score :func:`extract_quotes` on a PolNeAR-format folder (or its loaded documents).

    Returns:
        One :class:`Score` per subset ("direct", "all") and overlap threshold.

    Raises:
        InputError: The folder is missing or malformed.
    """
    docs = load_polnear(data) if isinstance(data, (str, Path)) else list(data)
    per_doc = [(d, predictions(d.text, extract_quotes(d.text, verbs=verbs))) for d in docs]
    scores = []
    for subset in ("direct", "all"):
        for overlap in OVERLAPS:
            matched = n_pred = n_gold = correct = 0
            for doc, preds in per_doc:
                golds = [g for g in doc.gold if subset == "all" or g.direct]
                ps = [p for p in preds if subset == "all" or p.direct]
                pairs = match(ps, golds, overlap)
                matched += len(pairs)
                n_pred += len(ps)
                n_gold += len(golds)
                correct += sum(_speaker_ok(ps[i], golds[j]) for i, j in pairs)
            p = matched / n_pred if n_pred else 0.0
            r = matched / n_gold if n_gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            acc = correct / matched if matched else 0.0
            scores.append(Score(subset, overlap, p, r, f, acc, matched, n_pred, n_gold, correct))
    return scores


def format_table(scores: Sequence[Score]) -> str:
    """A Markdown table of the scores (percentages, one decimal)."""
    lines = [
        "| subset | overlap | P | R | F1 | speaker acc. | matched | predicted | gold |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.subset} | {s.overlap:.0%} | {100 * s.precision:.1f} | {100 * s.recall:.1f} | "
            f"{100 * s.f1:.1f} | {100 * s.speaker_accuracy:.1f} | {s.matched} | {s.predicted} | "
            f"{s.gold} |"
        )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis evaluate quotes``."""
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        metavar="DIR",
        help=f"PolNeAR-format folder with text/ and attributions/ (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--verbs",
        type=Path,
        default=None,
        metavar="YAML",
        help="speech-cue lexicon extending the packaged one",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    """Run the evaluation and print the table; 2 when the data folder is missing."""
    data = Path(args.data)
    if not (data / "text").is_dir():
        print(
            f"error: {data}: PolNeAR data not found (expected {data}/text and "
            f"{data}/attributions); pass --data DIR",
            file=sys.stderr,
        )
        return 2
    try:
        docs = load_polnear(data)
        verbs = load_speech_verbs(args.verbs) if getattr(args, "verbs", None) else None
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    scores = evaluate(docs, verbs=verbs)
    if getattr(args, "json", False):
        print(json.dumps([asdict(s) for s in scores], indent=1))
    else:
        print(f"Quotation attribution on {data} ({len(docs)} articles)\n")
        print(format_table(scores))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point (``python -m analysis.evaluate_quotes``)."""
    parser = argparse.ArgumentParser(prog="python -m analysis evaluate quotes")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
