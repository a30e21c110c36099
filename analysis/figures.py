"""Figures and tables for the report notebooks, drawn from the :class:`analysis.Analysis` tables.

Each ``*_section`` function returns an :class:`Html` display object that a notebook cell shows as
its result; the chart functions return matplotlib figures for reuse in other notebooks. Every
piece of text that comes from an article (titles, names, quotations, sentences) is HTML-escaped
here, so an article containing markup shows it as text.

Charts are drawn on matplotlib's own defaults (a user's ``matplotlibrc`` is ignored) with the
Agg backend and embedded as PNG (``data:`` URLs) without the software tag: for fixed library
versions the bytes are the same on every run. Colours keep their meaning in greyscale: one dark
colour for single series, hatching for categories, monotone-luminance colour maps with the value
written in each cell of a heatmap.

A section whose capability this version of the package lacks (sentiment, quotations, themes,
keyword in context, keyness) says so plainly instead of showing made-up figures.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "Html",
    "actor_theme_heatmap",
    "chart",
    "concat",
    "cooccurrence_heatmap",
    "cooccurrence_section",
    "documents_table",
    "header",
    "key_findings",
    "keyness_section",
    "kwic_section",
    "load_failures",
    "mentions_chart",
    "mentions_section",
    "most_quoted_section",
    "note",
    "provenance",
    "quotes_section",
    "sentiment_by_section",
    "sentiment_chart",
    "sentiment_section",
    "table",
    "theme_rates_chart",
    "theme_trends_section",
    "themes_section",
    "voices_section",
]

#: Actors shown in charts and tables: the most mentioned; the rest are rare in the seed corpus.
TOP_ACTORS = 10
#: Themes shown in the actor × theme heatmap and the trends chart.
TOP_THEMES = 12
#: Rows of a long table shown in the page (quotations, KWIC): more is a download, not a report.
MAX_TABLE_ROWS = 40
#: KWIC lines shown per term.
KWIC_LINES = 8
#: Characters of context on each side of a KWIC match.
KWIC_WIDTH = 60
#: Figure width in inches: about the width of the report's text column at 100 dpi.
FIG_WIDTH = 8.5
#: Height per bar/row in inches, so that labels never overlap.
ROW_HEIGHT = 0.34
#: Resolution of embedded PNGs: sharp at the text column's width, small enough to embed.
DPI = 100
#: Decimal places for polarity and rates.
DECIMALS = 2
#: One dark colour for single-series charts (dark enough to read in greyscale).
INK = "#1f4e79"
#: Sentiment label colours and hatches: the hatch tells the labels apart in greyscale.
LABEL_STYLE = {
    "negative": ("#b2182b", "////"),
    "neutral": ("#dddddd", ""),
    "positive": ("#2166ac", "...."),
}
#: Colour map for counts: luminance rises monotonically, so greyscale keeps the order.
COUNT_CMAP = "Blues"
#: Colour map for polarity: diverging around zero (values are written in the cells as well).
POLARITY_CMAP = "PuOr"
#: Markers and line styles cycled through series, so lines differ without colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
#: Matplotlib settings on top of matplotlib's defaults (applied to every chart).
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "text.parse_math": False,  # article text may contain "$": never read it as mathematics
    "svg.hashsalt": "analysis",
    "hatch.linewidth": 0.8,
}


# --------------------------------------------------------------------------------------------
# Display objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Html:
    """A piece of a report: HTML for the page and plain text for consoles.

    Attributes:
        html: Markup, with every piece of article text already escaped.
        text: A plain-text rendering (shown where HTML is not, and by ``repr``).
    """

    html: str
    text: str = ""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or "(report section)"

    def __str__(self) -> str:
        return self.html


def esc(value: Any) -> str:
    """HTML-escape any value's text (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def concat(*parts: Html | None) -> Html:
    """Join sections into one."""
    kept = [p for p in parts if p is not None]
    return Html("\n".join(p.html for p in kept), "\n\n".join(p.text for p in kept if p.text))


def note(message: str) -> Html:
    """A plainly worded note (for instance: this capability is not available)."""
    return Html(f'<p class="note">{esc(message)}</p>', f"Note: {message}")


def _missing(what: str, module: str) -> Html:
    return note(
        f"{what}: not available. This version of the analysis package does not provide it "
        f"yet ({module} is not part of analysis.analyze), so this section shows nothing "
        "rather than made-up figures."
    )


def _heading(text: str, level: int = 3) -> Html:
    return Html(f"<h{level}>{esc(text)}</h{level}>", text)


def _absent(value: Any) -> bool:
    """None, NaN or pandas' NA."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _format(value: Any, fmt: str | Callable[[Any], str] | None) -> str:
    if _absent(value):
        return "–"
    if callable(fmt):
        return fmt(value)
    if fmt is not None:
        return fmt.format(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{DECIMALS}f}"
    return str(value)


def signed(value: float) -> str:
    """A polarity with its sign (+0.12, -0.30)."""
    return f"{value:+.{DECIMALS}f}"


def percent(value: float) -> str:
    """A share as a percentage (29.6%)."""
    return f"{100 * value:.1f}%"


def table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    formats: Mapping[str, str | Callable[[Any], str]] | None = None,
    labels: Mapping[str, str] | None = None,
    max_rows: int | None = MAX_TABLE_ROWS,
    cell_html: Mapping[str, Callable[[Any, pd.Series], str]] | None = None,
    css_class: str | None = None,
) -> Html:
    """An HTML table with every cell escaped and numbers right-aligned.

    Args:
        df: The rows (the index is not shown).
        caption: A caption above the table.
        formats: Column → format string (``"{:.2f}"``) or function.
        labels: Column → header text.
        max_rows: Rows shown; the caption says how many were left out.
        cell_html: Column → function ``(value, row) -> markup`` for cells that need markup
            (the function must escape what it shows).
        css_class: Extra class of the ``<table>``.

    Returns:
        The table.
    """
    formats = formats or {}
    labels = labels or {}
    cell_html = cell_html or {}
    shown = df if max_rows is None else df.head(max_rows)
    columns = list(df.columns)
    numeric = {
        c
        for c in columns
        if pd.api.types.is_numeric_dtype(df[c].dtype)
        and not pd.api.types.is_bool_dtype(df[c].dtype)
    }
    cap = caption or ""
    if max_rows is not None and len(df) > max_rows:
        cap = f"{cap} (first {max_rows} of {len(df):,} rows)".strip()
    cls = f' class="{esc(css_class)}"' if css_class else ""
    out = [f"<table{cls}>"]
    if cap:
        out.append(f"<caption>{esc(cap)}</caption>")
    head = "".join(
        f'<th scope="col"{" class=" + chr(34) + "num" + chr(34) if c in numeric else ""}>'
        f"{esc(labels.get(c, c))}</th>"
        for c in columns
    )
    out.append(f"<thead><tr>{head}</tr></thead>")
    out.append("<tbody>")
    text_rows = []
    for _, row in shown.iterrows():
        cells = []
        plain = []
        for c in columns:
            value = row[c]
            shown_text = _format(value, formats.get(c))
            plain.append(shown_text)
            inner = cell_html[c](value, row) if c in cell_html else esc(shown_text)
            number = c in numeric or (_is_number(value) and not _absent(value))
            cls_attr = ' class="num"' if number else ""
            cells.append(f"<td{cls_attr}>{inner}</td>")
        out.append(f"<tr>{''.join(cells)}</tr>")
        text_rows.append(" | ".join(plain))
    if shown.empty:
        out.append(f'<tr><td colspan="{max(len(columns), 1)}">(no rows)</td></tr>')
    out.append("</tbody></table>")
    text = "\n".join([cap, " | ".join(labels.get(c, c) for c in columns), *text_rows]).strip()
    return Html("\n".join(out), text)


def _figure(height: float, width: float = FIG_WIDTH) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, max(height, 1.6)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _styled(draw: Callable[[], Figure]) -> Figure:
    import matplotlib
    import matplotlib.style

    rc: Any = STYLE
    with matplotlib.style.context("default"), matplotlib.rc_context(rc):
        return draw()


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, identical on every run (no software tag, no timestamp)."""
    import matplotlib
    import matplotlib.style

    buf = io.BytesIO()
    rc: Any = STYLE
    with matplotlib.style.context("default"), matplotlib.rc_context(rc):
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def chart(fig: Figure, *, alt: str, caption: str | None = None) -> Html:
    """Embed a figure as a PNG ``<img>`` with alternative text and a caption."""
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    markup = f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'
    return Html(markup, f"[figure] {alt}")


# --------------------------------------------------------------------------------------------
# Capabilities
# --------------------------------------------------------------------------------------------


def _frame(result: Any, name: str) -> pd.DataFrame | None:
    value = getattr(result, name, None)
    return value if isinstance(value, pd.DataFrame) else None


def has_sentiment(result: Any) -> bool:
    """Whether the analysis scored sentiment toward each mention."""
    return "polarity" in result.mentions.columns and callable(
        getattr(result, "actor_summary", None)
    )


def has_quotes(result: Any) -> bool:
    """Whether the analysis attributed quotations."""
    return _frame(result, "quotes") is not None


def has_themes(result: Any) -> bool:
    """Whether the analysis found themes."""
    return _frame(result, "themes") is not None and callable(getattr(result, "theme_rates", None))


def _actor_order(result: Any, top: int = TOP_ACTORS) -> list[str]:
    m = result.mentions
    if m.empty:
        return []
    counts = m.astype({"actor": str}).groupby("actor").size()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [actor for actor, _ in ranked[:top]]


def _actor_summary(result: Any) -> pd.DataFrame:
    summary: pd.DataFrame = result.actor_summary(level="corpus")
    return summary


# --------------------------------------------------------------------------------------------
# Header, findings, provenance
# --------------------------------------------------------------------------------------------


def header(result: Any) -> Html:
    """Title and metadata of the (first) article: author, date, outlet, words, sentences."""
    if result.documents.empty:
        return note("No article could be analysed.")
    doc = result.documents.iloc[0]
    title = doc["title"] if isinstance(doc["title"], str) and doc["title"] else doc["doc_id"]
    fields = [
        ("Author", doc["author"]),
        ("Date", doc["date"]),
        ("Outlet", doc["source"]),
        ("Address", doc["url"]),
        ("Words", f"{int(doc['words']):,}"),
        ("Sentences", f"{int(doc['n_sentences']):,}"),
        ("File", doc["path"]),
    ]
    rows = "".join(
        f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in fields if isinstance(v, str) and v
    )
    about = doc.get("author_note")
    about_html = f'<p class="about">{esc(about)}</p>' if isinstance(about, str) and about else ""
    text = "\n".join([str(title), *(f"{k}: {v}" for k, v in fields if isinstance(v, str) and v)])
    return Html(f'<h1>{esc(title)}</h1>\n<dl class="meta">{rows}</dl>{about_html}', text)


def corpus_header(result: Any) -> Html:
    """Title and size of a corpus: articles, words, outlets, dates."""
    docs = result.documents
    n = len(docs)
    words = int(docs["words"].sum()) if n else 0
    outlets = sorted({s for s in docs["source"] if isinstance(s, str) and s})
    dates = sorted({d for d in docs["date"] if isinstance(d, str) and d})
    fields = [
        ("Articles", f"{n:,}"),
        ("Words", f"{words:,}"),
        ("Outlets", ", ".join(outlets) if outlets else "not given"),
        ("Dates", f"{dates[0]} to {dates[-1]}" if dates else "not given"),
    ]
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in fields)
    title = "Pakistan–Russia–US relations discourse: corpus report"
    text = "\n".join([title, *(f"{k}: {v}" for k, v in fields)])
    return Html(f'<h1>{esc(title)}</h1>\n<dl class="meta">{rows}</dl>', text)


def key_findings(result: Any) -> Html:
    """A few lines stating the main results, each backed by a section below."""
    lines: list[str] = []
    order = _actor_order(result, top=3)
    if order:
        counts = result.mentions.astype({"actor": str}).groupby("actor").size()
        total = int(counts.sum())
        named = ", ".join(f"{a} ({int(counts[a])})" for a in order)
        lines.append(
            f"Most mentioned actors: {named}, of {total:,} actor mentions; "
            f"{order[0]} accounts for {percent(int(counts[order[0]]) / total)}."
        )
        pairs = result.cooccurrence()
        if not pairs.empty:
            top = pairs.iloc[0]
            lines.append(
                f"Most often named together: {top['actor_a']} and {top['actor_b']} "
                f"({int(top['sentences'])} sentences)."
            )
    else:
        lines.append("No actor of the lexicon is mentioned.")
    if has_sentiment(result):
        summary = _actor_summary(result)
        summary = summary[summary["mentions"] >= MIN_MENTIONS_FOR_FINDING]
        if not summary.empty:
            neg = summary.sort_values(["mean_polarity", "actor"], kind="stable").iloc[0]
            pos = summary.sort_values(
                ["mean_polarity", "actor"], ascending=[False, True], kind="stable"
            ).iloc[0]
            lines.append(
                f"Most negative portrayal: {neg['actor']} (mean polarity "
                f"{signed(neg['mean_polarity'])}, 95% interval {signed(neg['ci_low'])} to "
                f"{signed(neg['ci_high'])}, {int(neg['mentions'])} mentions); most positive: "
                f"{pos['actor']} ({signed(pos['mean_polarity'])}, {signed(pos['ci_low'])} to "
                f"{signed(pos['ci_high'])})."
            )
    else:
        lines.append("Sentiment toward actors is not available in this version of the package.")
    quotes = _frame(result, "quotes")
    if quotes is not None and callable(getattr(result, "speakers", None)):
        named = result.speakers()
        named = named[named["speaker"] != UNATTRIBUTED]
        if not named.empty:
            top = named.iloc[0]
            lines.append(
                f"{len(quotes):,} quotations and reported statements; most quoted: "
                f"{top['speaker']} ({int(top['attributions'])})."
            )
        else:
            lines.append(f"{len(quotes):,} quotations, none with an identified speaker.")
    else:
        lines.append("Quotation attribution is not available in this version of the package.")
    if has_themes(result):
        rates = result.theme_rates(level="corpus")
        rates = rates[rates["hits"] > 0]
        if not rates.empty:
            top_theme = rates.sort_values(
                ["rate_per_1000_words", "theme"], ascending=[False, True], kind="stable"
            ).iloc[0]
            lines.append(
                f"Most frequent theme: {top_theme['theme']} "
                f"({top_theme['rate_per_1000_words']:.1f} hits per 1,000 words)."
            )
    else:
        lines.append("Theme frequencies are not available in this version of the package.")
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return Html(f'<ul class="findings">{items}</ul>', "\n".join(f"- {x}" for x in lines))


#: The speaker name :meth:`analysis.Analysis.speakers` gives quotations without a speaker.
UNATTRIBUTED = "(unattributed)"
#: Fewest mentions for an actor to be named in the key findings' sentiment line: a mean over one
#: or two mentions is too unstable to headline.
MIN_MENTIONS_FOR_FINDING = 3


def provenance(result: Any, parameters: Mapping[str, Any]) -> Html:
    """Footer: input SHA-256, package and lexicon versions, and the notebook's parameters."""
    docs = result.documents[["doc_id", "path", "sha256"]]
    prov = dict(getattr(result, "provenance", {}) or {})
    versions = "".join(
        f"<dt>{esc(k)}</dt><dd><code>{esc(v)}</code></dd>" for k, v in sorted(prov.items())
    )
    params = "".join(
        f"<dt>{esc(k)}</dt><dd><code>{esc(repr(v))}</code></dd>" for k, v in parameters.items()
    )
    inputs = table(
        docs,
        caption="Inputs (SHA-256 of each file's bytes)",
        max_rows=None,
        labels={"doc_id": "document", "sha256": "SHA-256"},
        cell_html={"sha256": lambda v, _: f"<code>{esc(v)}</code>"},
    )
    markup = (
        '<footer class="provenance">'
        f"{inputs.html}"
        f'<h3>Versions</h3><dl class="meta">{versions}</dl>'
        f'<h3>Parameters</h3><dl class="meta">{params}</dl>'
        "</footer>"
    )
    text = "\n".join(
        [
            inputs.text,
            *(f"{k}: {v}" for k, v in sorted(prov.items())),
            *(f"{k} = {v!r}" for k, v in parameters.items()),
        ]
    )
    return Html(markup, text)


def documents_table(result: Any) -> Html:
    """The articles of a corpus: title, author, date, outlet, words, actor mentions."""
    docs = result.documents
    if docs.empty:
        return note("No article could be analysed.")
    mentions = result.mentions.groupby("doc_id").size()
    df = pd.DataFrame(
        {
            "doc_id": docs["doc_id"].astype(str),
            "title": docs["title"],
            "author": docs["author"],
            "date": docs["date"],
            "source": docs["source"],
            "words": docs["words"].astype("int64"),
            "mentions": [int(mentions.get(d, 0)) for d in docs["doc_id"]],
        }
    )
    return table(
        df, caption="Articles", max_rows=None, labels={"doc_id": "document", "source": "outlet"}
    )


def load_failures(result: Any) -> Html:
    """The inputs that could not be read, or a line saying that all were."""
    failures = list(getattr(result, "failures", []) or [])
    if not failures:
        return Html("<p>Every input file was read.</p>", "Every input file was read.")
    df = pd.DataFrame(
        {"input": [f.source for f in failures], "reason": [f.reason for f in failures]}
    )
    return table(df, caption="Inputs that could not be read", max_rows=None)


# --------------------------------------------------------------------------------------------
# Mentions and salience
# --------------------------------------------------------------------------------------------


def salience(result: Any, top: int = TOP_ACTORS) -> pd.DataFrame:
    """The most mentioned actors' salience (:meth:`analysis.Analysis.salience`)."""
    table: pd.DataFrame = result.salience(top)
    return table


def mentions_chart(sal: pd.DataFrame, *, title: str = "Actor mentions") -> Figure:
    """Horizontal bars: mentions per actor, most mentioned on top, with the count written."""

    def draw() -> Figure:
        fig = _figure(0.8 + ROW_HEIGHT * len(sal))
        ax = fig.add_subplot()
        actors = list(sal["actor"])[::-1]
        values = list(sal["mentions"])[::-1]
        bars = ax.barh(actors, values, color=INK)
        ax.bar_label(bars, labels=[f"{v}" for v in values], padding=3)
        ax.set_title(title)
        ax.set_xlabel("Mentions (names, demonyms, places, institutions, leaders)")
        ax.set_ylabel("Actor")
        ax.margins(x=0.1)
        return fig

    return _styled(draw)


def mentions_section(result: Any, top: int = TOP_ACTORS) -> Html:
    """Actor mentions and salience: a bar chart and a table."""
    sal = salience(result, top)
    if sal.empty:
        return note("No actor of the lexicon is mentioned, so there is nothing to chart.")
    alt = "Bar chart of mentions per actor: " + ", ".join(
        f"{a} {n}" for a, n in zip(sal["actor"], sal["mentions"], strict=True)
    )
    return concat(
        chart(
            mentions_chart(sal),
            alt=alt,
            caption="Mentions per actor. Compounds such as “Pak-Russia” count for each actor.",
        ),
        table(
            sal,
            caption="Salience: how much, and how early, each actor is mentioned",
            formats={"share": percent, "share_of_sentences": percent},
            labels={
                "share": "share of mentions",
                "sentences": "sentences naming it",
                "share_of_sentences": "share of sentences",
                "first_sentence": "first sentence (0 = first)",
            },
        ),
    )


# --------------------------------------------------------------------------------------------
# Sentiment
# --------------------------------------------------------------------------------------------


def sentiment_chart(summary: pd.DataFrame, *, title: str = "Sentiment toward each actor") -> Figure:
    """Mean polarity per actor with its 95% interval (point and whiskers), zero line dashed."""

    def draw() -> Figure:
        df = summary.reset_index(drop=True)
        fig = _figure(1.0 + ROW_HEIGHT * len(df))
        ax = fig.add_subplot()
        ys = list(range(len(df)))[::-1]
        mean = df["mean_polarity"].astype(float)
        lo = (mean - df["ci_low"].astype(float)).clip(lower=0)
        hi = (df["ci_high"].astype(float) - mean).clip(lower=0)
        ax.axvline(0, color="#777777", linestyle="--", linewidth=1)
        ax.errorbar(mean, ys, xerr=[lo, hi], fmt="o", color=INK, ecolor="#333333", capsize=3)
        for y, m in zip(ys, mean, strict=True):
            ax.annotate(
                signed(m),
                (m, y),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=8,
            )
        ax.set_yticks(
            ys, [f"{a} (n={n})" for a, n in zip(df["actor"], df["mentions"], strict=True)]
        )
        ax.set_xlim(-1.05, 1.05)
        ax.set_title(title)
        ax.set_xlabel("Mean polarity of the mentions (−1 negative, +1 positive), 95% interval")
        ax.set_ylabel("Actor")
        return fig

    return _styled(draw)


def labels_chart(summary: pd.DataFrame, *, title: str = "Mentions by sentiment label") -> Figure:
    """Stacked bars: negative, neutral and positive mentions per actor (hatched for greyscale)."""

    def draw() -> Figure:
        df = summary.reset_index(drop=True).iloc[::-1]
        fig = _figure(1.0 + ROW_HEIGHT * len(df))
        ax = fig.add_subplot()
        left = [0] * len(df)
        for label, (color, hatch) in LABEL_STYLE.items():
            values = [int(v) for v in df[f"n_{label}"]]
            ax.barh(
                list(df["actor"]),
                values,
                left=left,
                color=color,
                hatch=hatch,
                edgecolor="#222222",
                linewidth=0.6,
                label=label,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_title(title)
        ax.set_xlabel("Mentions")
        ax.set_ylabel("Actor")
        ax.legend(loc="lower right", frameon=False)
        return fig

    return _styled(draw)


def _marked_sentence(result: Any, doc_id: Any, sentence: Any, actor: str) -> str:
    """The sentence's text, escaped, with the actor's mentions in ``<mark>``."""
    s = result.sentences
    row = s[(s["doc_id"] == doc_id) & (s["sentence"] == sentence)]
    if row.empty:
        return ""
    text, start = str(row.iloc[0]["text"]), int(row.iloc[0]["start"])
    m = result.mentions
    spans = m[(m["doc_id"] == doc_id) & (m["sentence"] == sentence) & (m["actor"] == actor)]
    out, pos = [], 0
    for a, b in sorted(
        {
            (int(x) - start, int(y) - start)
            for x, y in zip(spans["start"], spans["end"], strict=True)
        }
    ):
        if a < pos or a < 0 or b > len(text):
            continue
        out += [esc(text[pos:a]), f"<mark>{esc(text[a:b])}</mark>"]
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


def sentiment_section(result: Any, top: int = TOP_ACTORS) -> Html:
    """Sentiment toward each actor: means with 95% intervals, labels, and evidence sentences."""
    if not has_sentiment(result):
        return _missing("Sentiment toward actors", "analysis.sentiment")
    summary = _actor_summary(result)
    order = _actor_order(result, top)
    summary = summary[summary["actor"].astype(str).isin(order)].copy()
    summary["_rank"] = [order.index(a) for a in summary["actor"].astype(str)]
    summary = summary.sort_values("_rank", kind="stable").drop(columns="_rank")
    if summary.empty:
        return note("No actor mention to score.")
    alt = "Dot plot of mean polarity per actor with 95% intervals: " + ", ".join(
        f"{a} {signed(m)} ({signed(lo)} to {signed(hi)})"
        for a, m, lo, hi in zip(
            summary["actor"],
            summary["mean_polarity"],
            summary["ci_low"],
            summary["ci_high"],
            strict=True,
        )
    )
    cols = [
        "actor",
        "mentions",
        "mean_polarity",
        "ci_low",
        "ci_high",
        "n_negative",
        "n_neutral",
        "n_positive",
    ]
    evidence_rows = []
    for _, row in summary.iterrows():
        for kind in ("most_negative", "most_positive"):
            sent = row.get(f"{kind}_sentence")
            if sent is None or _absent(sent):
                continue
            doc = row.get(f"{kind}_doc")
            if _absent(doc):
                doc = result.documents.iloc[0]["doc_id"]
            evidence_rows.append(
                {
                    "actor": str(row["actor"]),
                    "evidence": kind.replace("_", " "),
                    "doc_id": doc,
                    "sentence": int(sent),
                    "text": _marked_sentence(result, doc, int(sent), str(row["actor"])),
                }
            )
    evidence = pd.DataFrame(
        evidence_rows, columns=["actor", "evidence", "doc_id", "sentence", "text"]
    )
    return concat(
        chart(
            sentiment_chart(summary),
            alt=alt,
            caption="Mean polarity of the mentions of each actor; whiskers: 95% bootstrap "
            "interval of the mean. Left of the dashed line: negative.",
        ),
        chart(
            labels_chart(summary),
            alt="Stacked bars of negative, neutral and positive "
            "mentions per actor: "
            + ", ".join(
                f"{a} {n}/{u}/{p}"
                for a, n, u, p in zip(
                    summary["actor"],
                    summary["n_negative"],
                    summary["n_neutral"],
                    summary["n_positive"],
                    strict=True,
                )
            ),
            caption="Mentions per sentiment label (negative hatched ////, positive ....).",
        ),
        table(
            summary[cols],
            caption="Sentiment toward each actor",
            formats={"mean_polarity": signed, "ci_low": signed, "ci_high": signed},
            labels={
                "mean_polarity": "mean polarity",
                "ci_low": "95% low",
                "ci_high": "95% high",
                "n_negative": "negative",
                "n_neutral": "neutral",
                "n_positive": "positive",
            },
        ),
        table(
            evidence.drop(columns=["doc_id"]) if evidence["doc_id"].nunique() <= 1 else evidence,
            caption="Evidence: the most negative and most positive sentence about each actor "
            "(the mention is highlighted)",
            cell_html={"text": lambda v, _: str(v)},
            max_rows=None,
            labels={"doc_id": "document", "sentence": "sentence #"},
        ),
    )


#: Voices in the order shown, with marker, edge colour and face colour (told apart in grey by
#: the marker's shape and fill).
VOICE_STYLE = {
    "author": ("o", INK, INK),
    "quoted": ("s", "#444444", "white"),
    "reported": ("^", "#444444", "#bbbbbb"),
}


def voices_section(result: Any, top: int = TOP_ACTORS) -> Html:
    """Sentiment toward each actor in the author's own voice and in quoted or reported voices."""
    if not has_sentiment(result):
        return _missing("Sentiment by voice", "analysis.sentiment")
    if "voice" not in result.mentions.columns:
        return _missing("The author's voice apart from quoted voices", "analysis.quotes")
    order = _actor_order(result, top)
    summary = result.actor_summary(level="corpus", by_voice=True)
    summary = summary[summary["actor"].astype(str).isin(order)].astype({"actor": str, "voice": str})
    if summary.empty:
        return note("No actor mention to score.")
    voices = [v for v in VOICE_STYLE if v in set(summary["voice"])]
    voices += sorted(set(summary["voice"]) - set(voices))
    summary = summary.assign(
        _actor=[order.index(a) for a in summary["actor"]],
        _voice=[voices.index(v) for v in summary["voice"]],
    ).sort_values(["_actor", "_voice"], kind="stable")

    def draw() -> Figure:
        fig = _figure(1.0 + ROW_HEIGHT * len(order) * 1.4)
        ax = fig.add_subplot()
        ax.axvline(0, color="#777777", linestyle="--", linewidth=1)
        ys = {a: len(order) - 1 - i for i, a in enumerate(order)}
        step = 0.6 / max(len(voices), 1)
        for j, voice in enumerate(voices):
            part = summary[summary["voice"] == voice]
            marker, edge, face = VOICE_STYLE.get(
                voice, (MARKERS[j % len(MARKERS)], "#444444", "white")
            )
            y = [ys[a] - (j - (len(voices) - 1) / 2) * step for a in part["actor"]]
            mean = part["mean_polarity"].astype(float)
            ax.errorbar(
                mean,
                y,
                xerr=[
                    (mean - part["ci_low"].astype(float)).clip(lower=0),
                    (part["ci_high"].astype(float) - mean).clip(lower=0),
                ],
                fmt=marker,
                color=edge,
                mfc=face,
                mec=edge,
                capsize=3,
                label=f"{voice} voice",
            )
        ax.set_yticks(list(ys.values()), list(ys))
        ax.set_xlim(-1.05, 1.05)
        ax.set_title("Sentiment by voice: the author's own, quoted and reported speech")
        ax.set_xlabel("Mean polarity of the mentions (−1 negative, +1 positive), 95% interval")
        ax.set_ylabel("Actor")
        ax.legend(loc="best", frameon=False)
        return fig

    cols = ["actor", "voice", "mentions", "mean_polarity", "ci_low", "ci_high"]
    alt = "Dot plot of mean polarity per actor and voice: " + ", ".join(
        f"{a} {v} {signed(p)}"
        for a, v, p in zip(
            summary["actor"], summary["voice"], summary["mean_polarity"], strict=True
        )
    )
    return concat(
        chart(
            _styled(draw),
            alt=alt,
            caption="Circles: the author's own voice; squares: quoted speech; triangles: "
            "reported speech. Whiskers: 95% bootstrap intervals.",
        ),
        table(
            summary[cols],
            caption="Sentiment by voice",
            formats={"mean_polarity": signed, "ci_low": signed, "ci_high": signed},
            labels={"mean_polarity": "mean polarity", "ci_low": "95% low", "ci_high": "95% high"},
        ),
    )


# --------------------------------------------------------------------------------------------
# Quotations
# --------------------------------------------------------------------------------------------


def quotes_section(result: Any, max_rows: int = MAX_TABLE_ROWS) -> Html:
    """The quotations: speaker, description, actor, cue, quote and its sentiment."""
    quotes = _frame(result, "quotes")
    if quotes is None:
        return _missing("Quotations", "analysis.quotes")
    if quotes.empty:
        return note("No quotation was found.")
    cols = [
        c
        for c in ("speaker", "description", "actor", "kind", "cue", "content", "polarity", "label")
        if c in quotes.columns
    ]
    df = quotes[cols]
    return table(
        df,
        caption=f"Quotations ({len(quotes):,})",
        max_rows=max_rows,
        formats={"polarity": signed},
        labels={"content": "quote", "label": "sentiment", "kind": "kind"},
    )


def most_quoted_section(result: Any, top: int = TOP_ACTORS) -> Html:
    """Who is quoted most: attributions per speaker, by kind, with the speaker's actor."""
    if _frame(result, "quotes") is None or not callable(getattr(result, "speakers", None)):
        return _missing("Most quoted speakers", "analysis.quotes")
    speakers = result.speakers()
    if speakers.empty:
        return note("No quotation was found.")
    cols = [
        c
        for c in (
            "speaker",
            "actor",
            "attributions",
            "direct",
            "partial",
            "indirect",
            "mean_polarity",
        )
        if c in speakers.columns
    ]
    return table(
        speakers[cols].head(top),
        caption="Most quoted speakers (a partial quotation inside reported speech counts once)",
        max_rows=None,
        formats={"mean_polarity": signed},
        labels={"mean_polarity": "mean polarity of what they say"},
    )


# --------------------------------------------------------------------------------------------
# Themes
# --------------------------------------------------------------------------------------------


def theme_rates_chart(rates: pd.DataFrame, *, title: str = "Theme frequency") -> Figure:
    """Horizontal bars: hits per 1,000 words for each theme, most frequent on top."""

    def draw() -> Figure:
        df = rates.iloc[::-1]
        fig = _figure(0.8 + ROW_HEIGHT * len(df))
        ax = fig.add_subplot()
        bars = ax.barh(list(df["theme"].astype(str)), list(df["rate_per_1000_words"]), color=INK)
        ax.bar_label(bars, labels=[f"{v:.1f}" for v in df["rate_per_1000_words"]], padding=3)
        ax.set_title(title)
        ax.set_xlabel("Theme terms per 1,000 words")
        ax.set_ylabel("Theme")
        ax.margins(x=0.12)
        return fig

    return _styled(draw)


def _heatmap(
    matrix: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    cbar: str,
    cmap: str,
    fmt: Callable[[float], str],
    center: bool = False,
) -> Figure:
    import numpy as np

    def draw() -> Figure:
        values = matrix.to_numpy(dtype=float)
        fig = _figure(
            1.4 + 0.42 * len(matrix.index), width=min(FIG_WIDTH, 3.0 + 0.75 * len(matrix.columns))
        )
        ax = fig.add_subplot()
        finite = values[np.isfinite(values)]
        if center:
            bound = max(float(np.abs(finite).max()) if finite.size else 1.0, 0.05)
            vmin, vmax = -bound, bound
        else:
            vmin, vmax = 0.0, max(float(finite.max()) if finite.size else 1.0, 1.0)
        image = ax.imshow(
            np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto"
        )
        ax.set_xticks(
            range(len(matrix.columns)), [str(c) for c in matrix.columns], rotation=35, ha="right"
        )
        ax.set_yticks(range(len(matrix.index)), [str(i) for i in matrix.index])
        span = vmax - vmin
        for (i, j), v in np.ndenumerate(values):
            if not math.isfinite(v):
                ax.text(j, i, "–", ha="center", va="center", color="#555555", fontsize=8)
                continue
            strength = abs(v) / vmax if center else (v - vmin) / span
            ax.text(
                j,
                i,
                fmt(v),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if strength > HEATMAP_LIGHT_TEXT else "black",
            )
        ax.spines[:].set_visible(False)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        fig.colorbar(image, ax=ax, label=cbar, shrink=0.8)
        return fig

    return _styled(draw)


#: Share of a colour map's range above which a heatmap cell's value is written in white.
HEATMAP_LIGHT_TEXT = 0.6


def actor_theme_heatmap(
    cells: pd.DataFrame, actors: Sequence[str], themes: Sequence[str]
) -> Figure:
    """Heatmap: sentences in which an actor and a theme occur together."""
    matrix = (
        cells.astype({"actor": str, "theme": str})
        .pivot_table(
            index="actor", columns="theme", values="sentences", aggfunc="sum", fill_value=0
        )
        .reindex(index=list(actors), columns=list(themes), fill_value=0)
    )
    return _heatmap(
        matrix,
        title="Actors × themes",
        xlabel="Theme",
        ylabel="Actor",
        cbar="Sentences with both",
        cmap=COUNT_CMAP,
        fmt=lambda v: f"{v:.0f}",
    )


def themes_section(result: Any, top_actors: int = TOP_ACTORS, top_themes: int = TOP_THEMES) -> Html:
    """Theme rates (hits per 1,000 words) and the actor × theme heatmap."""
    if not has_themes(result):
        return _missing("Themes", "analysis.themes")
    rates = result.theme_rates(level="corpus")
    rates = rates[rates["hits"] > 0].sort_values(
        ["rate_per_1000_words", "theme"], ascending=[False, True], kind="stable"
    )
    if rates.empty:
        return note("No theme term of the lexicon occurs.")
    shown = rates.head(top_themes)
    parts = [
        chart(
            theme_rates_chart(shown),
            alt="Bar chart of theme terms per 1,000 words: "
            + ", ".join(
                f"{t} {r:.1f}"
                for t, r in zip(shown["theme"], shown["rate_per_1000_words"], strict=True)
            ),
            caption="Theme terms per 1,000 words (themes without hits left out).",
        ),
        table(
            rates[
                [
                    "theme",
                    "hits",
                    "rate_per_1000_words",
                    "sentences_with_theme",
                    "share_of_sentences",
                ]
            ],
            caption="Theme rates",
            max_rows=None,
            formats={"rate_per_1000_words": "{:.1f}", "share_of_sentences": percent},
            labels={
                "rate_per_1000_words": "per 1,000 words",
                "sentences_with_theme": "sentences",
                "share_of_sentences": "share of sentences",
            },
        ),
    ]
    if callable(getattr(result, "actor_theme", None)):
        cells = result.actor_theme()
        actors = [a for a in _actor_order(result, top_actors)]
        themes = list(shown["theme"].astype(str))
        if actors and themes:
            parts.append(
                chart(
                    actor_theme_heatmap(cells, actors, themes),
                    alt="Heatmap of sentences in which each actor and theme occur together.",
                    caption="Sentences in which the actor is mentioned and the theme occurs.",
                )
            )
    else:
        parts.append(_missing("The actor × theme heatmap", "Analysis.actor_theme"))
    return concat(*parts)


def theme_trends_section(result: Any, top_themes: int = 6) -> Html:
    """Theme rates per month of publication, when the articles give at least two months."""
    if not has_themes(result):
        return _missing("Theme trends", "analysis.themes")
    periods = result.groups("date")
    known = sorted({p for p in periods.values() if p is not None})
    if len(known) < 2:
        return note(
            f"Theme trends need articles from at least two months; this corpus has "
            f"{len(known)} dated month(s)."
        )
    grouped = result.theme_rates_by("date").rename(
        columns={"group": "period", "rate_per_1000_words": "rate"}
    )
    totals = grouped.groupby("theme")["hits"].sum().sort_values(ascending=False, kind="stable")
    themes = [t for t in totals.index if totals[t] > 0][:top_themes]

    def draw() -> Figure:
        fig = _figure(4.0)
        ax = fig.add_subplot()
        for k, theme in enumerate(themes):
            part = grouped[grouped["theme"] == theme].set_index("period").reindex(known)
            ax.plot(
                known,
                part["rate"].fillna(0.0),
                marker=MARKERS[k % len(MARKERS)],
                linestyle=LINESTYLES[k % len(LINESTYLES)],
                color="#222222" if k % 2 else INK,
                label=str(theme),
            )
        ax.set_title("Theme trends by month")
        ax.set_xlabel("Month of publication")
        ax.set_ylabel("Theme terms per 1,000 words")
        ax.legend(frameon=False, fontsize=8, ncols=2)
        return fig

    return chart(
        _styled(draw),
        alt="Line chart of theme rates by month for " + ", ".join(map(str, themes)),
        caption="Each line is a theme; markers and dashes tell them apart.",
    )


# --------------------------------------------------------------------------------------------
# Co-occurrence, KWIC, keyness, comparisons
# --------------------------------------------------------------------------------------------


def cooccurrence_heatmap(pairs: pd.DataFrame, actors: Sequence[str]) -> Figure:
    """Heatmap: sentences in which two actors are both mentioned (diagonal left blank)."""
    import numpy as np

    position = {a: i for i, a in enumerate(actors)}
    values = np.zeros((len(actors), len(actors)))
    np.fill_diagonal(values, np.nan)
    for a, b, n in zip(pairs["actor_a"], pairs["actor_b"], pairs["sentences"], strict=True):
        if a in position and b in position:
            values[position[a], position[b]] = values[position[b], position[a]] = float(n)
    matrix = pd.DataFrame(values, index=list(actors), columns=list(actors))
    return _heatmap(
        matrix,
        title="Actor co-occurrence",
        xlabel="Actor",
        ylabel="Actor",
        cbar="Sentences naming both",
        cmap=COUNT_CMAP,
        fmt=lambda v: f"{v:.0f}",
    )


def cooccurrence_section(result: Any, top: int = TOP_ACTORS) -> Html:
    """Which actors are mentioned in the same sentence: heatmap and table of pairs."""
    pairs = result.cooccurrence()
    actors = _actor_order(result, top)
    if pairs.empty or len(actors) < 2:
        return note("No two actors are mentioned in the same sentence.")
    return concat(
        chart(
            cooccurrence_heatmap(pairs, actors),
            alt="Heatmap of sentences naming both actors: "
            + ", ".join(f"{a} and {b} {n}" for a, b, n in pairs.head(8).itertuples(index=False)),
            caption="Sentences in which both actors are mentioned.",
        ),
        table(
            pairs.head(15),
            caption="Actor pairs named in the same sentence",
            max_rows=None,
            labels={"actor_a": "actor", "actor_b": "with", "sentences": "sentences"},
        ),
    )


def kwic_section(
    result: Any,
    terms: Iterable[str] | None = None,
    *,
    width: int = KWIC_WIDTH,
    lines: int = KWIC_LINES,
) -> Html:
    """Keyword-in-context lines for terms or themes (None: the three most frequent themes)."""
    if not callable(getattr(result, "kwic", None)):
        return _missing("Keyword in context", "Analysis.kwic")
    chosen = list(terms) if terms is not None else []
    if not chosen and has_themes(result):
        rates = result.theme_rates(level="corpus")
        rates = rates[rates["hits"] > 0].sort_values(
            ["hits", "theme"], ascending=[False, True], kind="stable"
        )
        chosen = [str(t) for t in rates["theme"].head(3)]
    if not chosen:
        return note("No term to show in context.")
    parts = []
    for term in chosen:
        rows = result.kwic(term, width=width)
        if rows.empty:
            parts.append(note(f"“{term}” does not occur."))
            continue
        df = rows[["left", "match", "right"]]
        parts.append(
            table(
                df,
                caption=f"“{term}”: {len(rows):,} occurrence(s)",
                max_rows=lines,
                css_class="kwic",
                cell_html={"match": lambda v, _: f"<mark>{esc(v)}</mark>"},
                labels={"left": "left context", "match": "match", "right": "right context"},
            )
        )
    return concat(*parts)


#: Groups compared in the keyness section (each against the rest): more is a download.
MAX_KEYNESS_GROUPS = 6
#: Key terms shown per group.
KEYNESS_TERMS = 10


def keyness_section(result: Any, by: str = "source", top: int = KEYNESS_TERMS) -> Html:
    """Words most characteristic of each group of articles (outlet, month…) against the rest.

    Keyness is Dunning's log-likelihood G² with the log ratio of relative frequencies, computed
    by :meth:`analysis.Analysis.keyness`; only significant terms key for the group are shown.
    """
    if not callable(getattr(result, "keyness", None)):
        return _missing("Keyness", "Analysis.keyness")
    values = result.groups(by)
    groups = sorted({v for v in values.values() if v is not None})
    label = {"source": "outlets", "date": "dated months", "doc_id": "articles"}.get(by, by)
    if len(groups) < 2:
        return note(
            f"Keyness compares groups of articles; this corpus has {len(groups)} "
            f"{label}, so there is nothing to compare."
        )
    parts = []
    for group in groups[:MAX_KEYNESS_GROUPS]:
        try:
            key = result.keyness("doc_id", [d for d, g in values.items() if g == group])
        except ValueError as exc:
            parts.append(note(f"{group}: {exc}"))
            continue
        key = key[(key["key_for"] == "A") & key["significant"]].head(top)
        if key.empty:
            parts.append(note(f"{group}: no significantly key term."))
            continue
        parts.append(
            table(
                key[["term", "freq_a", "freq_b", "per_1000_a", "per_1000_b", "g2", "log_ratio"]],
                caption=f"Key terms of {group} against the other {label}",
                max_rows=None,
                formats={
                    "per_1000_a": "{:.2f}",
                    "per_1000_b": "{:.2f}",
                    "g2": "{:.1f}",
                    "log_ratio": "{:+.2f}",
                },
                labels={
                    "freq_a": "count here",
                    "freq_b": "count elsewhere",
                    "per_1000_a": "per 1,000 words here",
                    "per_1000_b": "elsewhere",
                    "g2": "G²",
                    "log_ratio": "log₂ ratio",
                },
            )
        )
    if len(groups) > MAX_KEYNESS_GROUPS:
        parts.append(note(f"Showing {MAX_KEYNESS_GROUPS} of {len(groups)} {label}."))
    return concat(*parts)


def sentiment_by_section(result: Any, by: str = "doc_id", top: int = 8) -> Html:
    """Mean polarity toward each actor per document, outlet (``source``), month (``date``) or
    any column of the documents table, drawn from :meth:`analysis.Analysis.sentiment_by`."""
    if not has_sentiment(result):
        return _missing("Sentiment by " + by, "analysis.sentiment")
    names = sorted({g for g in result.groups(by).values() if g is not None})
    if len(names) < 2:
        label = {"doc_id": "documents", "source": "outlets", "date": "dated months"}.get(by, by)
        return note(
            f"Comparing sentiment across {label} needs at least two; this corpus has {len(names)}."
        )
    order = _actor_order(result, top)
    summary = result.sentiment_by(by, actors=order)
    matrix = summary.pivot_table(
        index="actor", columns="group", values="mean_polarity", aggfunc="first"
    ).reindex(index=order, columns=names)
    label = {"doc_id": "Document", "source": "Outlet", "date": "Month"}.get(by, by)
    fig = _heatmap(
        matrix,
        title=f"Sentiment toward each actor by {label.lower()}",
        xlabel=label,
        ylabel="Actor",
        cbar="Mean polarity",
        cmap=POLARITY_CMAP,
        fmt=signed,
        center=True,
    )
    return concat(
        chart(
            fig,
            alt=f"Heatmap of mean polarity per actor and {label.lower()}.",
            caption="Mean polarity of the mentions; – where the actor is not mentioned.",
        ),
        table(
            summary[["group", "actor", "mentions", "mean_polarity", "ci_low", "ci_high"]],
            caption=f"Sentiment by {label.lower()} with 95% intervals",
            formats={"mean_polarity": signed, "ci_low": signed, "ci_high": signed},
            labels={
                "group": label.lower(),
                "mean_polarity": "mean polarity",
                "ci_low": "95% low",
                "ci_high": "95% high",
            },
        ),
    )
