"""Groups of documents for comparisons: by outlet country, outlet, month or any metadata column.

A group is the value of a column of the documents table: ``country`` (where the articles'
metadata give it), ``source`` (the outlet), ``date`` (grouped by month), ``doc_id`` or any other
field the loader made a column. :class:`analysis.Analysis` uses these helpers for its
``*_by`` summaries; the report's figures draw those summaries.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.errors import InputError

__all__ = [
    "GROUP",
    "assign_groups",
    "default_group",
    "group_column",
    "group_labels",
    "period",
    "with_groups",
]

#: Name of the group column the ``*_by`` summaries add.
GROUP = "group"
#: Grouping used when none is asked for: the first of these that some document has a value
#: for (outlet country compares national discourses; the outlet is always there).
DEFAULT_GROUPS = ("country", "source")
#: Columns whose values are grouped by month (ISO dates).
PERIOD_COLUMNS = frozenset({"date"})


def period(date: Any) -> str | None:
    """The month of an ISO date (``2018-08-10`` → ``2018-08``), or its year alone."""
    if not isinstance(date, str) or len(date) < 4 or not date[:4].isdigit():
        return None
    return date[:7] if len(date) >= 7 else date[:4]


def _has_values(documents: pd.DataFrame, column: str) -> bool:
    if column not in documents.columns:
        return False
    values = documents[column].astype(object)
    return bool(values.map(lambda v: isinstance(v, str) and v.strip() != "").any())


def default_group(documents: pd.DataFrame) -> str:
    """``country`` when some document has one, else ``source``."""
    return next((c for c in DEFAULT_GROUPS if _has_values(documents, c)), DEFAULT_GROUPS[-1])


def group_column(documents: pd.DataFrame, name: str | None = None) -> str:
    """The documents column to group by.

    Args:
        documents: The documents table.
        name: A column name (None: :func:`default_group`).

    Returns:
        The column name.

    Raises:
        InputError: ``name`` is not a column; the message names it and the columns there are.
    """
    if name is None:
        return default_group(documents)
    if name not in documents.columns:
        columns = ", ".join(map(str, documents.columns))
        raise InputError("group_by", f"no column {name!r} in the documents (columns: {columns})")
    return name


def group_labels(documents: pd.DataFrame, by: str) -> dict[str, str | None]:
    """Each document's group: its value in column ``by`` (months for dates; None when empty)."""
    values = documents[by].astype(object).tolist()
    ids = [str(d) for d in documents["doc_id"]]
    if by in PERIOD_COLUMNS:
        return dict(zip(ids, map(period, values), strict=True))
    labels = [str(v).strip() if v is not None and not pd.isna(v) else "" for v in values]
    return {d: (v or None) for d, v in zip(ids, labels, strict=True)}


def assign_groups(table: pd.DataFrame, documents: pd.DataFrame, by: str) -> pd.DataFrame:
    """A copy of ``table`` with a :data:`GROUP` column from its ``doc_id`` (None: no group)."""
    labels = group_labels(documents, by)
    grouped = table.copy()
    grouped[GROUP] = pd.Series([labels.get(str(d)) for d in table["doc_id"]], index=table.index)
    return grouped


def with_groups(table: pd.DataFrame, documents: pd.DataFrame, by: str) -> pd.DataFrame:
    """``table`` with a :data:`GROUP` column from its ``doc_id``; rows without a group dropped."""
    grouped = assign_groups(table, documents, by)
    return grouped.dropna(subset=[GROUP]).reset_index(drop=True)
