"""``python -m analysis evaluate domain``: score every capability on the annotated domain set.

Data layout (``shared/benchmarks/domain/README.md``): ``DIR/NAME.txt`` (the article as saved from
the web), ``DIR/NAME.meta.yaml`` (its sidecar) and ``DIR/NAME.gold.json`` (the annotation: title,
drops, mentions with sentiment, traps, quotations with speaker and speaker's actor). Every gold
offset indexes the ``.txt`` text; the package's offsets index the cleaned body (or the title, for
headline rows), so predictions are mapped back with :meth:`Document.raw_offset` and
:attr:`Document.title_start` before they are compared.

What is scored, with the package's public API (``load_corpus``, ``analyze``,
``sentiment.target_sentiment``), as a user would get it:

- body: gold drop spans left in the body (furniture kept) and gold mentions lost from the body and
  headline (text dropped as if it were furniture);
- title: the document's title equals the gold headline (whitespace normalised);
- mentions: a prediction matches a gold mention of the same actor whose span it overlaps,
  one-to-one; precision, recall and F1 overall and by actor; predictions overlapping a trap span
  are false positives, also counted apart;
- sentiment: macro-F1 of the label over matched mentions, per backend, scored by
  ``target_sentiment`` on the text the mention was found in;
- stance: per article and actor whose gold mean (negative −1, neutral 0, positive +1) leans
  clearly (:data:`LEAN_THRESHOLD`), the share where the mean predicted polarity has the same sign;
- quotations: F1 at 30% coverage of the gold content for all attributions (a partial quote inside
  a reported clause belongs to that clause, on both sides) and for direct/partial ones; speaker
  accuracy over the matched attributions (the predicted speaker or description equals the gold
  speaker or one of its aliases, case-insensitively, a leading article aside, or contains the
  gold speaker's full canonical name as whole words) and speaker-actor
  accuracy (the quotes table's ``actor`` equals the gold actor, both empty counting as equal).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.corpus import Document, load_corpus
from analysis.errors import AnalysisError, InputError
from analysis.evaluate_quotes import Attribution, match
from analysis.learned import macro_f1
from analysis.pipeline import DEFAULT_BACKEND, Analysis, Settings, analyze
from analysis.sentiment import BackendUnavailableError, available_backends, target_sentiment

__all__ = [
    "DEFAULT_DATA",
    "DomainScores",
    "GoldArticle",
    "add_arguments",
    "evaluate",
    "format_table",
    "load_domain",
    "run",
]

#: Default data folder, relative to the current directory (the project root).
DEFAULT_DATA = Path("../shared/benchmarks/domain/built")
#: A gold stance leans clearly when the mean of its mentions' signs is at least this far from 0
#: (a third of the way from neutral to unanimous).
LEAN_THRESHOLD = 1 / 3
#: Coverage of the gold content a predicted quotation needs to match it (GenderGapTracker's 30%).
QUOTE_OVERLAP = 0.3
LABELS = ("negative", "neutral", "positive")
_SIGN = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)

Span = tuple[int, int]


@dataclass(frozen=True)
class GoldArticle:
    """One annotated article: its file and its gold annotation."""

    name: str
    path: Path
    text: str
    gold: dict[str, Any]


@dataclass(frozen=True)
class Prediction:
    """A predicted mention, in raw (``.txt``) offsets, with the text it was scored in and the
    polarity and label the pipeline gave it (with the pipeline's backend)."""

    actor: str
    raw: Span
    text: str
    span: Span
    polarity: float
    label: str


@dataclass(frozen=True)
class DomainScores:
    """Every figure of one evaluation run (counts and percentages)."""

    articles: int
    drops: int
    drops_kept: int
    articles_with_furniture_kept: int
    mentions_lost: int
    titles_right: int
    mention_precision: float
    mention_recall: float
    mention_f1: float
    trap_hits: int
    by_actor: dict[str, dict[str, float]]
    sentiment_macro_f1: dict[str, float]
    stance_agreement: dict[str, float]
    stance_pairs: int
    quotes_all: dict[str, float]
    quotes_direct: dict[str, float]
    speaker_accuracy: float
    speaker_actor_accuracy: float
    speaker_matched: int
    errors: dict[str, list[str]]


def load_domain(data_dir: str | Path) -> list[GoldArticle]:
    """Read a built domain folder (``NAME.txt`` + ``NAME.gold.json``).

    Raises:
        InputError: The folder is missing, holds no gold files, or a gold file is malformed.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise InputError(str(root), "domain data not found; pass --data DIR")
    articles = []
    for gold_path in sorted(root.glob("*.gold.json")):
        name = gold_path.name.removesuffix(".gold.json")
        txt = root / f"{name}.txt"
        try:
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(str(gold_path), f"unreadable gold file ({exc})") from None
        if not txt.is_file():
            raise InputError(str(gold_path), f"no article text {txt.name} beside it")
        articles.append(GoldArticle(name, txt, txt.read_text(encoding="utf-8"), gold))
    if not articles:
        raise InputError(str(root), "no NAME.gold.json files here; pass --data DIR")
    return articles


def _overlaps(a: Span, b: Span) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def _body_raw(doc: Document) -> set[int]:
    """Raw offsets of the characters that made it into the body (and the headline)."""
    covered = set()
    for i in range(len(doc.body)):
        raw = doc.raw_offset(i)
        if raw is not None:
            covered.add(raw)
    if doc.title and doc.title_start is not None:
        covered.update(range(doc.title_start, doc.title_start + len(doc.title)))
    return covered


def _to_raw(doc: Document, start: int, end: int, in_headline: bool) -> Span | None:
    if in_headline:
        if doc.title_start is None:
            return None
        return doc.title_start + start, doc.title_start + end
    raw_start, raw_end = doc.raw_offset(start), doc.raw_offset(end)
    if raw_start is None or raw_end is None:
        return None
    return raw_start, raw_end


def _norm(text: object) -> str:
    """Whitespace-normalised text; missing values (None, NaN) are empty."""
    return " ".join(text.split()) if isinstance(text, str) else ""


def _mention_predictions(doc: Document, result: Analysis) -> list[Prediction]:
    rows = result.mentions[result.mentions["doc_id"] == doc.id]
    headline = rows["in_headline"] if "in_headline" in rows else [False] * len(rows)
    out = []
    for (_, row), in_head in zip(rows.iterrows(), headline, strict=True):
        start, end = int(row["start"]), int(row["end"])
        raw = _to_raw(doc, start, end, bool(in_head))
        if raw is not None:
            text = (doc.title or "") if in_head else doc.body
            out.append(
                Prediction(
                    str(row["actor"]),
                    raw,
                    text,
                    (start, end),
                    float(row["polarity"]),
                    str(row["label"]),
                )
            )
    return out


def _match_mentions(
    preds: Sequence[Prediction], golds: Sequence[dict[str, Any]]
) -> list[tuple[int, int]]:
    """One-to-one pairs (prediction, gold) of the same actor with overlapping spans."""
    candidates = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if p.actor == g["actor"] and _overlaps(p.raw, (g["start"], g["end"])):
                shared = min(p.raw[1], g["end"]) - max(p.raw[0], g["start"])
                candidates.append((-shared, i, j))
    candidates.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _prf(matched: int, predicted: int, gold: int) -> dict[str, float]:
    p = matched / predicted if predicted else 0.0
    r = matched / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": 100 * p, "recall": 100 * r, "f1": 100 * f}


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Macro-F1 in percent of label names (the project's one :func:`analysis.learned.macro_f1`)."""
    return 100 * macro_f1([LABELS.index(g) for g in gold], [LABELS.index(p) for p in pred])


def _score_backend(
    preds: Sequence[Prediction], backend: str, pipeline_backend: str
) -> list[tuple[float, str]]:
    """Polarity and label of every predicted mention, scored on its own text (the pipeline's
    own scores for its backend: the same call on the same text and spans)."""
    if backend == pipeline_backend:
        return [(p.polarity, p.label) for p in preds]
    by_text: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(preds):
        by_text[p.text].append(i)
    out: list[tuple[float, str]] = [(0.0, "neutral")] * len(preds)
    for text, indices in by_text.items():
        scores = target_sentiment(text, [preds[i].span for i in indices], backend=backend)
        for i, s in zip(indices, scores, strict=True):
            out[i] = (s.polarity, s.label)
    return out


def _stance(
    preds: Sequence[Prediction],
    golds: Sequence[dict[str, Any]],
    scored: Sequence[tuple[float, str]],
) -> tuple[int, int, list[str]]:
    """(agreeing, compared) actor stances of one article, and a line for each disagreement:
    the actor, its gold mean over its gold mentions and its mean predicted polarity."""
    gold_by_actor: dict[str, list[float]] = defaultdict(list)
    for g in golds:
        gold_by_actor[g["actor"]].append(_SIGN[g["sentiment"]])
    pred_by_actor: dict[str, list[float]] = defaultdict(list)
    for p, (polarity, _) in zip(preds, scored, strict=True):
        pred_by_actor[p.actor].append(polarity)
    agree = compared = 0
    misses: list[str] = []
    for actor, signs in gold_by_actor.items():
        gold_mean = sum(signs) / len(signs)
        if abs(gold_mean) < LEAN_THRESHOLD:
            continue
        compared += 1
        values = pred_by_actor.get(actor, [])
        pred_mean = sum(values) / len(values) if values else 0.0
        agree += pred_mean * gold_mean > 0
        if pred_mean * gold_mean <= 0:
            misses.append(
                f"{actor} gold mean {gold_mean:+.2f} over {len(signs)} mentions, "
                f"predicted mean {pred_mean:+.2f} over {len(values)}"
            )
    return agree, compared, misses


def _gold_attributions(golds: Sequence[dict[str, Any]], subset: str) -> list[int]:
    """Indices of the gold quotes scored in a subset ("all" or "direct")."""
    if subset == "direct":
        return [i for i, g in enumerate(golds) if g["kind"] in ("direct", "partial")]
    indirect = [(g["start"], g["end"]) for g in golds if g["kind"] == "indirect"]
    return [
        i
        for i, g in enumerate(golds)
        if not (
            g["kind"] == "partial" and any(s <= g["start"] and g["end"] <= e for s, e in indirect)
        )
    ]


def _pred_attributions(rows: pd.DataFrame, subset: str) -> list[int]:
    """Indices of the predicted quotes scored in a subset: the quotes table's ``nested`` marks a
    partial quotation inside a reported clause of the same text (body or headline)."""
    kinds = list(rows["kind"])
    if subset == "direct":
        return [i for i, k in enumerate(kinds) if k in ("direct", "partial")]
    return [i for i, nested in enumerate(rows["nested"]) if not nested]


def _names(text: object) -> str:
    text = _norm(text).lower().replace("’", "'")
    text = re.sub(r"'s$", "", text)
    return _LEADING_ARTICLE.sub("", text).strip(" ,.;:")


def _speaker_right(row: pd.Series, gold: dict[str, Any]) -> bool:
    predicted = {_names(row.get("speaker")), _names(row.get("description"))} - {""}
    if gold.get("speaker") is None:
        return not predicted
    aliases = {_names(a) for a in (gold.get("speaker_aliases") or [gold["speaker"]])}
    if predicted & aliases:
        return True
    # a prediction that names the speaker in full inside a longer phrase ("Foreign Minister Hina
    # Rabbani Khar") names the speaker; the shorter aliases ("officials") must match whole
    canonical = re.compile(rf"(?<!\w){re.escape(_names(gold['speaker']))}(?!\w)")
    return any(canonical.search(p) for p in predicted)


def _actor_right(row: pd.Series, gold: dict[str, Any]) -> bool:
    predicted = row.get("actor")
    predicted = None if predicted is None or pd.isna(predicted) or predicted == "" else predicted
    return predicted == gold.get("actor")


@dataclass
class _Tally:
    """Running counts over articles (local to :func:`evaluate`)."""

    counts: Counter[str]
    by_actor: dict[str, Counter[str]]
    gold_labels: list[str]
    pred_labels: dict[str, list[str]]
    stance: dict[str, list[int]]
    errors: dict[str, list[str]]


def _quote_rows(doc: Document, result: Analysis) -> tuple[pd.DataFrame, list[Span | None]]:
    rows = result.quotes[result.quotes["doc_id"] == doc.id].reset_index(drop=True)
    headline = rows["in_headline"] if "in_headline" in rows else [False] * len(rows)
    spans = [
        _to_raw(doc, int(s), int(e), bool(h))
        for s, e, h in zip(rows["start"], rows["end"], headline, strict=True)
    ]
    return rows, spans


def _score_quotes(article: GoldArticle, doc: Document, result: Analysis, tally: _Tally) -> None:
    golds = article.gold.get("quotes", [])
    rows, spans = _quote_rows(doc, result)
    for subset in ("all", "direct"):
        gold_idx = _gold_attributions(golds, subset)
        pred_idx = [i for i in _pred_attributions(rows, subset) if spans[i] is not None]
        gold_attr = [
            Attribution(((golds[j]["start"], golds[j]["end"]),), (), False) for j in gold_idx
        ]
        pred_attr = [Attribution((spans[i],), (), False) for i in pred_idx]  # type: ignore[arg-type]
        pairs = match(pred_attr, gold_attr, QUOTE_OVERLAP)
        tally.counts[f"quotes_{subset}_matched"] += len(pairs)
        tally.counts[f"quotes_{subset}_predicted"] += len(pred_idx)
        tally.counts[f"quotes_{subset}_gold"] += len(gold_idx)
        if subset != "all":
            continue
        for i, j in pairs:
            row, gold = rows.iloc[pred_idx[i]], golds[gold_idx[j]]
            speaker_ok, actor_ok = _speaker_right(row, gold), _actor_right(row, gold)
            tally.counts["speaker_right"] += speaker_ok
            tally.counts["speaker_actor_right"] += actor_ok
            if not (speaker_ok and actor_ok):
                tally.errors["speakers"].append(
                    f"{article.name}: {gold['content'][:50]!r} gold {gold['speaker']!r}/"
                    f"{gold.get('actor')!r}, predicted {row.get('speaker')!r}/{row.get('actor')!r}"
                )
        found = {gold_idx[j] for _, j in pairs}
        for j in gold_idx:
            if j not in found:
                tally.errors["quotes missed"].append(
                    f"{article.name}: {golds[j]['kind']} {golds[j]['content'][:60]!r}"
                )


def _score_body(article: GoldArticle, doc: Document, tally: _Tally) -> None:
    covered = _body_raw(doc)
    kept = 0
    for drop in article.gold.get("drops", []):
        chars = [k for k in range(drop["start"], drop["end"]) if article.text[k].isalnum()]
        tally.counts["drops"] += 1
        if any(k in covered for k in chars):
            kept += 1
            tally.errors["furniture kept"].append(f"{article.name}: {drop['text'][:60]!r}")
    tally.counts["drops_kept"] += kept
    tally.counts["articles_with_furniture_kept"] += bool(kept)
    for g in article.gold.get("mentions", []):
        if not all(k in covered for k in range(g["start"], g["end"])):
            tally.counts["mentions_lost"] += 1
            tally.errors["mentions lost"].append(
                f"{article.name}: {g['surface']!r} at {g['start']}"
            )
    if _norm(doc.title) == _norm(article.gold.get("title")):
        tally.counts["titles_right"] += 1
    else:
        tally.errors["titles"].append(f"{article.name}: {doc.title!r}")


def _score_mentions(
    article: GoldArticle, preds: Sequence[Prediction], backends: Sequence[str], tally: _Tally
) -> None:
    golds = article.gold.get("mentions", [])
    traps = [(t["start"], t["end"]) for t in article.gold.get("traps", [])]
    pairs = _match_mentions(preds, golds)
    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    for p in preds:
        tally.by_actor[p.actor]["predicted"] += 1
    for g in golds:
        tally.by_actor[g["actor"]]["gold"] += 1
    for i, _ in pairs:
        tally.by_actor[preds[i].actor]["matched"] += 1
    for i, p in enumerate(preds):
        if i not in matched_p:
            trap = any(_overlaps(p.raw, t) for t in traps)
            tally.counts["trap_hits"] += trap
            where = "trap hit" if trap else "false mention"
            surface = article.text[p.raw[0] : p.raw[1]]
            tally.errors["mentions wrong"].append(
                f"{article.name}: {where} {surface!r} as {p.actor} at {p.raw[0]}"
            )
    for j, g in enumerate(golds):
        if j not in matched_g:
            tally.errors["mentions missed"].append(
                f"{article.name}: {g['surface']!r} ({g['actor']}) at {g['start']}"
            )
    tally.gold_labels.extend(golds[j]["sentiment"] for _, j in pairs)
    for backend in backends:
        try:
            scored = _score_backend(preds, backend, backends[0])
        except BackendUnavailableError as exc:
            unavailable = tally.errors["backends unavailable"]
            if not any(line.startswith(f"{backend}:") for line in unavailable):
                unavailable.append(f"{backend}: {exc}")
            continue
        tally.pred_labels[backend].extend(scored[i][1] for i, _ in pairs)
        tally.errors[f"sentiment {backend}"].extend(
            _sentiment_error(article.name, preds[i], golds[j], scored[i][1])
            for i, j in pairs
            if scored[i][1] != golds[j]["sentiment"]
        )
        agree, compared, misses = _stance(preds, golds, scored)
        tally.errors[f"stance {backend}"].extend(f"{article.name}: {line}" for line in misses)
        tally.stance[backend][0] += agree
        tally.stance[backend][1] += compared


def _sentiment_error(name: str, pred: Prediction, gold: dict[str, Any], label: str) -> str:
    """One line of ``--errors``: the mention, gold and predicted labels, and its context."""
    start, end = pred.span
    before = " ".join(pred.text[max(0, start - 70) : start].split())
    after = " ".join(pred.text[end : end + 50].split())
    surface = pred.text[start:end]
    return (
        f"{name}: {pred.actor} gold {gold['sentiment']} predicted {label}: "
        f"…{before} [{surface}] {after}…"
    )


def _confusion(gold: Sequence[str], pred: Sequence[str]) -> list[str]:
    """Rows of a confusion table: gold label, then the count of each predicted label."""
    counts = Counter(zip(gold, pred, strict=True))
    return [f"gold {g}: " + ", ".join(f"{p} {counts[(g, p)]}" for p in LABELS) for g in LABELS]


def evaluate(
    data: str | Path | Sequence[GoldArticle] = DEFAULT_DATA,
    *,
    backends: Sequence[str] = (DEFAULT_BACKEND,),
) -> DomainScores:
    """Score the package on a domain folder (or its loaded articles).

    Args:
        data: The built domain folder, or articles from :func:`load_domain`.
        backends: Sentiment backends to score (each on the same matched mentions).

    Returns:
        All figures, with the errors behind them (for ``--errors``).

    Raises:
        InputError: The folder is missing or malformed, or an article fails to load.
    """
    articles = load_domain(data) if isinstance(data, (str, Path)) else list(data)
    docs = load_corpus([a.path for a in articles], errors="raise")
    result = analyze(docs, settings=Settings(sentiment_backend=backends[0]))
    tally = _Tally(Counter(), defaultdict(Counter), [], defaultdict(list), {}, defaultdict(list))
    tally.stance.update({b: [0, 0] for b in backends})
    for article, doc in zip(articles, docs, strict=True):
        _score_body(article, doc, tally)
        preds = _mention_predictions(doc, result)
        _score_mentions(article, preds, backends, tally)
        _score_quotes(article, doc, result, tally)
    return _scores(len(articles), tally, backends)


def _scores(n_articles: int, tally: _Tally, backends: Iterable[str]) -> DomainScores:
    c = tally.counts
    totals = {
        key: sum(v[key] for v in tally.by_actor.values())
        for key in ("matched", "predicted", "gold")
    }
    overall = _prf(totals["matched"], totals["predicted"], totals["gold"])
    by_actor = {
        actor: {**_prf(v["matched"], v["predicted"], v["gold"]), "gold": float(v["gold"])}
        for actor, v in sorted(tally.by_actor.items())
    }
    matched = c["quotes_all_matched"]
    return DomainScores(
        articles=n_articles,
        drops=c["drops"],
        drops_kept=c["drops_kept"],
        articles_with_furniture_kept=c["articles_with_furniture_kept"],
        mentions_lost=c["mentions_lost"],
        titles_right=c["titles_right"],
        mention_precision=overall["precision"],
        mention_recall=overall["recall"],
        mention_f1=overall["f1"],
        trap_hits=c["trap_hits"],
        by_actor=by_actor,
        sentiment_macro_f1={
            b: _macro_f1(tally.gold_labels, tally.pred_labels[b])
            for b in backends
            if len(tally.pred_labels[b]) == len(tally.gold_labels)
        },
        stance_agreement={
            b: 100 * agree / compared if compared else 0.0
            for b, (agree, compared) in tally.stance.items()
            if compared
        },
        stance_pairs=max((compared for _, compared in tally.stance.values()), default=0),
        quotes_all=_prf(matched, c["quotes_all_predicted"], c["quotes_all_gold"]),
        quotes_direct=_prf(
            c["quotes_direct_matched"], c["quotes_direct_predicted"], c["quotes_direct_gold"]
        ),
        speaker_accuracy=100 * c["speaker_right"] / matched if matched else 0.0,
        speaker_actor_accuracy=100 * c["speaker_actor_right"] / matched if matched else 0.0,
        speaker_matched=matched,
        errors={
            **{
                f"sentiment confusion {b}": _confusion(tally.gold_labels, tally.pred_labels[b])
                for b in backends
                if len(tally.pred_labels[b]) == len(tally.gold_labels)
            },
            **tally.errors,
        },
    )


def format_table(scores: DomainScores) -> str:
    """One Markdown table of every figure (percentages with one decimal)."""
    s = scores
    rows = [
        (
            "body",
            "furniture kept (drop spans / articles)",
            f"{s.drops_kept} of {s.drops} / {s.articles_with_furniture_kept}",
        ),
        ("body", "gold mentions lost", f"{s.mentions_lost}"),
        ("title", "right", f"{s.titles_right} of {s.articles}"),
        (
            "mentions",
            "precision / recall / F1",
            f"{s.mention_precision:.1f} / {s.mention_recall:.1f} / {s.mention_f1:.1f}",
        ),
        ("mentions", "trap hits", f"{s.trap_hits}"),
    ]
    for actor, v in s.by_actor.items():
        rows.append(
            (
                "mentions",
                f"{actor} (gold {int(v['gold'])}) P / R / F1",
                f"{v['precision']:.1f} / {v['recall']:.1f} / {v['f1']:.1f}",
            )
        )
    for backend, f1 in s.sentiment_macro_f1.items():
        rows.append(("sentiment", f"{backend}: macro-F1 over matched mentions", f"{f1:.1f}"))
        rows.append(
            (
                "stance",
                f"{backend}: sign agreement ({s.stance_pairs} leaning actor-articles)",
                f"{s.stance_agreement[backend]:.1f}",
            )
        )
    for name, q in (("all attributions", s.quotes_all), ("direct/partial", s.quotes_direct)):
        rows.append(
            (
                "quotes",
                f"{name} P / R / F1 at 30%",
                f"{q['precision']:.1f} / {q['recall']:.1f} / {q['f1']:.1f}",
            )
        )
    rows.append(
        ("quotes", f"speaker accuracy ({s.speaker_matched} matched)", f"{s.speaker_accuracy:.1f}")
    )
    rows.append(("quotes", "speaker-actor accuracy", f"{s.speaker_actor_accuracy:.1f}"))
    lines = ["| task | measure | value |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis evaluate domain``."""
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        metavar="DIR",
        help=f"built domain folder with NAME.txt and NAME.gold.json (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--backend",
        action="append",
        choices=available_backends(),
        metavar="NAME",
        help="sentiment backend to score (repeatable; default: every backend that loads)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--errors", action="store_true", help="also list every error behind the figures"
    )


def _default_backends() -> list[str]:
    """The pipeline's default backend first, then every other registered one."""
    return [DEFAULT_BACKEND, *(b for b in available_backends() if b != DEFAULT_BACKEND)]


def run(args: argparse.Namespace) -> int:
    """Run the evaluation and print the table; 2 when the data folder is missing."""
    try:
        articles = load_domain(args.data)
        scores = evaluate(articles, backends=args.backend or _default_backends())
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(asdict(scores), indent=1))
        return 0
    print(f"Domain set {args.data} ({scores.articles} articles)\n")
    print(format_table(scores))
    for line in scores.errors.get("backends unavailable", []):
        print(f"\nnot scored: {line}")
    if args.errors:
        for kind, lines in scores.errors.items():
            print(f"\n## {kind} ({len(lines)})")
            print("\n".join(f"- {line}" for line in lines))
    return 0
