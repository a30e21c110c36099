"""Report sections comparing groups of articles: by outlet country, outlet, month or any column.

The corpus report's ``group_by`` parameter picks the documents column (default: ``country``
when the corpus has it, else the outlet, ``source``). Each section draws a summary of
:class:`analysis.Analysis` (``sentiment_by``, ``speakers_by``, ``theme_rates_by``,
``keyness``); nothing here analyses. The headline figure shows how the outlets of each group
portray each actor: the mean polarity toward the actor with its 95% bootstrap interval, one
marker per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.figures import (
    FIG_WIDTH,
    MARKERS,
    ROW_HEIGHT,
    Html,
    _actor_order,
    _figure,
    _heatmap,
    _styled,
    chart,
    concat,
    esc,
    keyness_section,
    note,
    signed,
    table,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "group_header",
    "portrayal_chart",
    "portrayal_section",
    "quoted_by_section",
    "themes_by_section",
]

#: Groups drawn in the headline figure and tables: more markers per row would not read.
MAX_GROUPS = 8
#: Speakers listed per group.
SPEAKERS_PER_GROUP = 5
#: Themes shown in the theme-by-group heatmap.
TOP_THEMES = 10
#: Colours of the groups' markers (Okabe–Ito, safe for colour-blind readers); markers differ too.
GROUP_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
#: Vertical room the markers of one actor's row share (rows are 1 apart).
ROW_SPREAD = 0.7
#: Words for well-known grouping columns, in headings and captions.
GROUP_WORDS = {
    "country": ("outlet country", "outlet countries"),
    "source": ("outlet", "outlets"),
    "date": ("month", "months"),
    "doc_id": ("article", "articles"),
}


def _words(by: str) -> tuple[str, str]:
    return GROUP_WORDS.get(by, (by, f"{by} values"))


def _group_names(result: Any, by: str) -> list[str]:
    return sorted({g for g in result.groups(by).values() if g is not None})


def group_header(result: Any, by: str) -> Html:
    """Which column the comparisons group by, and the articles in each group."""
    labels = result.groups(by)
    counts = pd.Series([g for g in labels.values() if g is not None], dtype=object).value_counts()
    one, many = _words(by)
    items = "".join(
        f"<li>{esc(g)}: {int(counts[g])} article{'s' if counts[g] != 1 else ''}</li>"
        for g in sorted(counts.index)
    )
    missing = sum(g is None for g in labels.values())
    extra = f"<p>{missing} article(s) with no {esc(one)} are left out.</p>" if missing else ""
    text = f"Grouped by {by}: " + ", ".join(f"{g} ({counts[g]})" for g in sorted(counts.index))
    markup = (
        f"<p>Grouped by <code>{esc(by)}</code> ({esc(many)}, {len(counts)} in this corpus):</p>"
        f"<ul>{items}</ul>{extra}"
    )
    return Html(markup, text)


def _too_few(result: Any, by: str) -> Html | None:
    names = _group_names(result, by)
    if len(names) >= 2:
        return None
    return note(
        f"Comparing {_words(by)[1]} needs at least two; this corpus has {len(names)}. "
        "Set the group_by parameter to another column of the documents table."
    )


def portrayal_chart(
    summary: pd.DataFrame,
    actors: Sequence[str],
    groups: Sequence[str],
    *,
    title: str = "How outlets portray each actor, by group",
    legend: str = "group",
) -> Figure:
    """Mean polarity toward each actor per group, with 95% intervals (one marker per group)."""

    def draw() -> Figure:
        fig = _figure(1.2 + ROW_HEIGHT * 1.6 * len(actors), FIG_WIDTH)
        ax = fig.add_subplot()
        ax.axvline(0, color="#777777", linestyle="--", linewidth=1)
        step = ROW_SPREAD / max(len(groups), 1)
        for k, group in enumerate(groups):
            part = summary[summary["group"] == group].set_index("actor")
            rows = [(i, a) for i, a in enumerate(actors) if a in part.index]
            if not rows:
                continue
            ys = [len(actors) - 1 - i + (len(groups) - 1) / 2 * step - k * step for i, _ in rows]
            mean = part.loc[[a for _, a in rows], "mean_polarity"].astype(float)
            lo = (mean - part.loc[[a for _, a in rows], "ci_low"].astype(float)).clip(lower=0)
            hi = (part.loc[[a for _, a in rows], "ci_high"].astype(float) - mean).clip(lower=0)
            ax.errorbar(
                mean,
                ys,
                xerr=[lo, hi],
                fmt=MARKERS[k % len(MARKERS)],
                color=GROUP_COLOURS[k % len(GROUP_COLOURS)],
                ecolor=GROUP_COLOURS[k % len(GROUP_COLOURS)],
                capsize=2,
                markersize=6,
                label=str(group),
            )
        ax.set_yticks(range(len(actors))[::-1], list(actors))
        ax.set_xlim(-1.05, 1.05)
        ax.set_title(title)
        ax.set_xlabel("Mean polarity of the mentions (−1 negative, +1 positive), 95% interval")
        ax.set_ylabel("Actor")
        ax.legend(
            title=legend, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )
        return fig

    return _styled(draw)


def _portrayal_title(by: str) -> str:
    if by == "country":
        return "How outlets from each country portray each actor"
    return f"How the articles of each {_words(by)[0]} portray each actor"


def portrayal_section(result: Any, by: str, top: int = 8) -> Html:
    """The headline comparison: how the outlets of each group portray each actor."""
    few = _too_few(result, by)
    if few is not None:
        return few
    one, many = _words(by)
    actors = _actor_order(result, top)
    groups = _group_names(result, by)[:MAX_GROUPS]
    summary = result.sentiment_by(by, actors=actors)
    summary = summary[summary["group"].isin(groups)]
    alt = "; ".join(
        f"{a}: "
        + ", ".join(
            f"{g} {signed(v)}"
            for g, v in summary[summary["actor"] == a][["group", "mean_polarity"]].itertuples(
                index=False
            )
        )
        for a in actors
    )
    parts = [
        chart(
            portrayal_chart(summary, actors, groups, title=_portrayal_title(by), legend=one),
            alt=f"Mean polarity toward each actor by {one}. {alt}",
            caption=f"Each marker is the mean polarity of the mentions of an actor in the "
            f"articles of one {one}; the whiskers are its 95% bootstrap interval. An interval "
            "that spans zero shows no leaning.",
        ),
        table(
            summary[["group", "actor", "mentions", "mean_polarity", "ci_low", "ci_high"]],
            caption=f"Sentiment toward each actor by {one}, with 95% intervals",
            formats={"mean_polarity": signed, "ci_low": signed, "ci_high": signed},
            labels={
                "group": one,
                "mean_polarity": "mean polarity",
                "ci_low": "95% low",
                "ci_high": "95% high",
            },
            max_rows=None,
        ),
    ]
    if len(_group_names(result, by)) > MAX_GROUPS:
        parts.append(note(f"Showing {MAX_GROUPS} of {len(_group_names(result, by))} {many}."))
    return concat(*parts)


def quoted_by_section(result: Any, by: str, top: int = SPEAKERS_PER_GROUP) -> Html:
    """Who the articles of each group quote: the most quoted speakers per group."""
    few = _too_few(result, by)
    if few is not None:
        return few
    speakers = result.speakers_by(by)
    if speakers.empty:
        return note("No quotation was found.")
    one = _words(by)[0]
    shown = speakers.groupby("group", sort=True, group_keys=False).head(top)
    return table(
        shown[["group", "speaker", "actor", "attributions", "direct", "partial", "indirect"]],
        caption=f"Most quoted speakers per {one} (top {top} each)",
        labels={"group": one, "actor": "speaker's actor"},
        max_rows=None,
    )


def themes_by_section(result: Any, by: str, top: int = TOP_THEMES) -> Html:
    """Theme rates per 1,000 words in the articles of each group (heatmap and table)."""
    few = _too_few(result, by)
    if few is not None:
        return few
    rates = result.theme_rates_by(by)
    totals = rates.groupby("theme")["hits"].sum().sort_values(ascending=False, kind="stable")
    themes = [str(t) for t in totals.index if totals[t] > 0][:top]
    if not themes:
        return note("No theme term was found.")
    one = _words(by)[0]
    groups = _group_names(result, by)[:MAX_GROUPS]
    matrix = (
        rates.astype({"theme": str})
        .pivot_table(index="theme", columns="group", values="rate_per_1000_words", aggfunc="first")
        .reindex(index=themes, columns=groups)
    )
    fig = _heatmap(
        matrix,
        title=f"Theme rates by {one}",
        xlabel=one.capitalize(),
        ylabel="Theme",
        cbar="Theme terms per 1,000 words",
        cmap="Blues",
        fmt=lambda v: f"{v:.1f}",
    )
    shown = rates[rates["theme"].astype(str).isin(themes) & rates["group"].isin(groups)]
    return concat(
        chart(
            fig, alt=f"Heatmap of theme rates per {one}.", caption="Theme terms per 1,000 words."
        ),
        table(
            shown[["group", "theme", "hits", "words", "rate_per_1000_words"]],
            caption=f"Theme rates by {one}",
            formats={"rate_per_1000_words": "{:.2f}"},
            labels={"group": one, "rate_per_1000_words": "per 1,000 words"},
            max_rows=None,
        ),
    )


def keyness_by_section(result: Any, by: str) -> Html:
    """Key terms of each group against the other groups (:func:`figures.keyness_section`)."""
    return keyness_section(result, by=by)
