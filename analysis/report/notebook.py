"""Helpers the report notebooks call: the article a report is about, the settings from the
notebook's parameters, and the warm-up a prestarted kernel runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from analysis.corpus import Document, read_corpus
from analysis.errors import InputError

__all__ = ["load_article", "make_settings", "warm_up"]

#: The text :func:`warm_up` analyses: one sentence naming two actors and a theme term.
WARMUP_TEXT = "Pakistan and Russia signed a defence agreement in Moscow."


def load_article(
    input_path: str | Path, doc_id: str | None = None, *, boilerplate: str | Path | None = None
) -> Document:
    """Load the one article a report is about.

    Args:
        input_path: An article file (``.txt``, ``.md``, ``.html``) or a multi-article file
            (``.jsonl``, ``.csv``).
        doc_id: Which article of a multi-article file; None for the file's first one.
        boilerplate: A YAML file extending the cleaning rules.

    Returns:
        The document.

    Raises:
        InputError: The file cannot be read, or has no article with that id.
    """
    loaded = read_corpus([input_path], boilerplate=boilerplate)
    if not loaded.documents:
        reason = loaded.failures[0].reason if loaded.failures else "no article in the file"
        source = loaded.failures[0].source if loaded.failures else str(input_path)
        raise InputError(source, reason)
    if doc_id is None:
        return loaded.documents[0]
    for doc in loaded.documents:
        if doc.id == doc_id:
            return doc
    raise InputError(str(input_path), f"no article with id {doc_id!r}")


def warm_up() -> None:
    """Import the package and run it once on a one-sentence text, charts included.

    A kernel started ahead of need runs this while the previous notebook executes, so that the
    imports (pandas, matplotlib, the sentiment backends), the packaged lexicons and matplotlib's
    fonts are loaded when the notebook starts. Everything it fills is a cache of the packaged
    defaults: it changes no result.
    """
    import analysis
    from analysis import figures
    from analysis.corpus import document_from_text

    doc = document_from_text(WARMUP_TEXT, doc_id="warm-up", path="warm-up")
    result = analysis.analyze(doc)
    figures.png_bytes(figures.mentions_chart(figures.salience(result)))


def make_settings(**options: Any) -> Any:
    """Build :class:`analysis.Settings` from a notebook's parameters.

    An option set to None is left at the ``Settings`` default. An option that this version's
    ``Settings`` lacks is an error unless it is None, so that a parameter is never silently
    ignored.

    Args:
        **options: Settings fields (``actor_lexicon``, ``boilerplate``, ``sentiment_backend``, …).

    Returns:
        The settings.

    Raises:
        InputError: An option set to a value that this version cannot honour.
    """
    from analysis.pipeline import Settings

    fields = {f.name for f in dataclasses.fields(Settings)}
    known = {k: v for k, v in options.items() if k in fields and v is not None}
    for name, value in options.items():
        if name not in fields and value is not None:
            raise InputError(
                name, f"not supported by this version of the package (set to {value!r})"
            )
    return Settings(**known)
