"""Helpers the report notebooks call: the article a report is about, the settings from the
notebook's parameters, and the warm-up a prestarted kernel runs."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.corpus import Document, LoadFailure, read_corpus
from analysis.errors import InputError

__all__ = [
    "NotebookStop",
    "corpus_inputs",
    "group_column",
    "load_article",
    "make_settings",
    "project_root",
    "resolve_input",
    "warm_up",
]

#: Settings that name a file: resolved like the input paths (:func:`resolve_input`).
PATH_OPTIONS = frozenset(
    {"actor_lexicon", "theme_lexicon", "sentiment_lexicon", "speech_verbs", "boilerplate"}
)
#: Environment variable naming the project root, for notebooks run outside any checkout.
ROOT_VARIABLE = "ANALYSIS_PROJECT_ROOT"
#: What a folder holds to be the project root: the notebooks' relative default paths
#: (``seeds/…``) are relative to it.
ROOT_MARKERS = ("pyproject.toml", "notebooks")


class NotebookStop(InputError):
    """An input a notebook cannot go on without; Jupyter shows it as its one-line message.

    IPython prints ``_render_traceback_()`` instead of a traceback, so a reader sees which path
    failed and why, not the package's call stack. papermill names the cell and this message.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def _is_root(folder: Path) -> bool:
    return all((folder / marker).exists() for marker in ROOT_MARKERS)


def project_root(start: str | Path | None = None) -> Path | None:
    """The project folder that the notebooks' default paths are relative to.

    Looked for in this order: the folder named by ``$ANALYSIS_PROJECT_ROOT``; the working
    directory or the nearest folder above it holding ``pyproject.toml`` and ``notebooks/``
    (the project root from the root, from ``notebooks/`` or any folder below); the source
    checkout this package is imported from.

    Args:
        start: Where to start looking upwards (None: the working directory).

    Returns:
        The folder, or None when no candidate holds the markers.
    """
    named = os.environ.get(ROOT_VARIABLE)
    if named and _is_root(Path(named)):
        return Path(named).resolve()
    here = Path(start if start is not None else os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if _is_root(folder):
            return folder
    import analysis

    checkout = Path(analysis.__path__[0]).resolve().parent
    return checkout if _is_root(checkout) else None


def resolve_input(path: str | Path) -> str:
    """A notebook's input path, resolved against the project root when the working directory
    does not have it.

    A path that exists as given (absolute, or relative to the working directory) is returned
    unchanged, so a batch run from the root records the same paths as before.

    Args:
        path: A file or folder, as given in a parameter.

    Returns:
        The path to read: as given, or joined to :func:`project_root` when that one exists.
    """
    given = Path(path)
    if given.is_absolute() or given.exists():
        return str(path)
    root = project_root()
    if root is not None and (root / given).exists():
        return str(root / given)
    return str(path)


def _no_article_reason(path: str, failures: Sequence[LoadFailure]) -> str:
    if not Path(path).exists():
        return "no such file or folder"
    own = [f for f in failures if f.source == path or f.source.startswith(path.rstrip("/") + "/")]
    if own:
        return f"no article could be read ({own[0].source}: {own[0].reason})"
    return "no article in it (empty, or no .txt .md .html .jsonl .csv file)"


def corpus_inputs(
    paths: str | Path | Sequence[str | Path], *, boilerplate: str | Path | None = None
) -> list[str]:
    """A corpus notebook's input paths, resolved (:func:`resolve_input`) and checked.

    Args:
        paths: Files or folders.
        boilerplate: A YAML file extending the cleaning rules (as the analysis will use).

    Returns:
        The resolved paths.

    Raises:
        NotebookStop: No article can be read from any of the paths; the message names them and
            the first reason.
    """
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    resolved = [resolve_input(p) for p in given]
    if not resolved:
        raise NotebookStop("input_paths", "no path given")
    rules = resolve_input(boilerplate) if boilerplate is not None else None
    loaded = read_corpus(resolved, boilerplate=rules)
    if not loaded.documents:
        where = ", ".join(resolved)
        raise NotebookStop(where, _no_article_reason(resolved[0], loaded.failures))
    return resolved


#: The text :func:`warm_up` analyses: one sentence naming two actors and a theme term.
WARMUP_TEXT = "Pakistan and Russia signed a defence agreement in Moscow."


def group_column(result: Any, name: str | None) -> str:
    """The corpus report's ``group_by``: :meth:`analysis.Analysis.group_column`, stopping the
    notebook with one line (the name and the columns there are) when it is not a column.

    Raises:
        NotebookStop: ``name`` is not a column of the documents table.
    """
    try:
        column: str = result.group_column(name)
    except InputError as exc:
        raise NotebookStop(exc.source, exc.reason) from None
    return column


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
        NotebookStop: The file cannot be read, or has no article with that id.
    """
    path = resolve_input(input_path)
    rules = resolve_input(boilerplate) if boilerplate is not None else None
    loaded = read_corpus([path], boilerplate=rules)
    if not loaded.documents:
        reason = loaded.failures[0].reason if loaded.failures else "no article in the file"
        source = loaded.failures[0].source if loaded.failures else path
        raise NotebookStop(source, reason)
    if doc_id is None:
        return loaded.documents[0]
    for doc in loaded.documents:
        if doc.id == doc_id:
            return doc
    raise NotebookStop(path, f"no article with id {doc_id!r}")


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
    known: dict[str, Any] = {
        k: resolve_input(v) if k in PATH_OPTIONS and isinstance(v, str) else v
        for k, v in options.items()
        if k in fields and v is not None
    }
    for name, value in options.items():
        if name not in fields and value is not None:
            raise InputError(
                name, f"not supported by this version of the package (set to {value!r})"
            )
    return Settings(**known)
