"""Planning a batch: which reports to render, what each depends on (its fingerprint), and the
manifest that lets an unchanged report be skipped."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from analysis import __version__
from analysis.corpus import CorpusResult, Document, LoadFailure, read_corpus
from analysis.errors import InputError
from analysis.io import atomic_write_text

__all__ = [
    "DEFAULT_ARTICLE_NOTEBOOK",
    "DEFAULT_CORPUS_NOTEBOOK",
    "MANIFEST_NAME",
    "ReportJob",
    "ReportOutcome",
    "ReportPlan",
    "notebook_parameters",
    "package_fingerprint",
    "plan_reports",
    "read_manifest",
]

DEFAULT_ARTICLE_NOTEBOOK = "notebooks/article.ipynb"
DEFAULT_CORPUS_NOTEBOOK = "notebooks/corpus.ipynb"
#: File in the output folder recording, per report, what it was rendered from.
MANIFEST_NAME = "manifest.json"
CORPUS_REPORT_NAME = "corpus.html"
#: Prefix of article report files, so that no document id can collide with the index or corpus.
ARTICLE_PREFIX = "article-"
#: Bumped whenever the HTML this package writes changes, so that old reports are not skipped.
REPORT_FORMAT = 1
#: Parameters the report command sets itself for each notebook; ``-p`` may not override them.
RESERVED_PARAMETERS = frozenset({"input_path", "input_paths", "doc_id"})
#: Distributions whose versions enter the manifest: a change in any can change a report.
FINGERPRINT_DISTRIBUTIONS = (
    "papermill",
    "nbconvert",
    "nbformat",
    "nbclient",
    "ipykernel",
    "jupyter_client",
    "matplotlib",
    "numpy",
    "pandas",
    "textblob",
    "vaderSentiment",
    "nupunkt",
    "trafilatura",
    "PyYAML",
)
#: Package files left out of the fingerprint: compiled byte code says nothing new.
_FINGERPRINT_SKIP = (".pyc", ".pyo")
#: Characters kept in report file names; everything else becomes ``_``.
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_ROW_SUFFIX = re.compile(r":\d+\Z")


@dataclass(frozen=True, slots=True)
class ReportJob:
    """One report to render.

    Attributes:
        name: Output file name inside the output folder (``article-<id>.html``).
        kind: ``"article"`` or ``"corpus"``.
        notebook: The notebook to execute.
        parameters: Values injected into the notebook's parameters cell.
        title: Page title, and the report's name in the index.
        details: One line for the index: author, date, outlet, words.
        source: The input the report is about (file, or the paths given).
        fingerprint: Hash of everything the report depends on.
    """

    name: str
    kind: Literal["article", "corpus"]
    notebook: str
    parameters: Mapping[str, Any]
    title: str
    details: str
    source: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """What became of one report.

    Attributes:
        job: The report.
        status: ``"rendered"``, ``"skipped"`` (unchanged) or ``"failed"``.
        error: One line naming the failing cell and its error, for failures.
        sha256: SHA-256 of the HTML written (rendered and skipped reports).
    """

    job: ReportJob
    status: Literal["rendered", "skipped", "failed"]
    error: str | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class ReportPlan:
    """The reports a batch renders, and the inputs that could not be loaded."""

    jobs: tuple[ReportJob, ...]
    failures: tuple[LoadFailure, ...]


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares (name → name, inferred_type_name, default, help).

    Raises:
        InputError: The notebook is missing or is not a notebook.
    """
    path = Path(notebook)
    if not path.is_file():
        raise InputError(str(path), "no such notebook")
    import papermill

    try:
        params: dict[str, dict[str, Any]] = papermill.inspect_notebook(str(path))
    except Exception as exc:  # papermill raises whatever nbformat or json raises
        raise InputError(str(path), f"cannot read the notebook ({exc})") from None
    return params


def _check_parameters(parameters: Mapping[str, Any], notebooks: Sequence[str]) -> None:
    declared: dict[str, set[str]] = {nb: set(notebook_parameters(nb)) for nb in notebooks}
    for name in parameters:
        if name in RESERVED_PARAMETERS:
            raise InputError(f"-p {name}", "set by the report command for each notebook")
        if not any(name in names for names in declared.values()):
            known = sorted(set().union(*declared.values()) - RESERVED_PARAMETERS)
            raise InputError(
                f"-p {name}",
                f"unknown parameter of {', '.join(notebooks)} (known: {', '.join(known)})",
            )


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _walk(node: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        name = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                yield from _walk(child, name + "/")
        elif not child.name.endswith(_FINGERPRINT_SKIP):
            yield name, child


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """Hash of this package's code and lexicons and of the versions of the libraries it uses."""
    digest = hashlib.sha256(f"analysis {__version__} format {REPORT_FORMAT}\n".encode())
    for name, node in _walk(resources.files("analysis")):
        digest.update(f"{name}\0".encode())
        digest.update(node.read_bytes())
    for dist in FINGERPRINT_DISTRIBUTIONS:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{dist}=={version}\n".encode())
    return digest.hexdigest()


def _document_fingerprint(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "author": doc.author,
        "author_note": doc.author_note,
        "date": doc.date,
        "source": doc.source,
        "url": doc.url,
        "sha256": doc.sha256,
        "metadata": list(doc.metadata),
        "body": _sha256_bytes(doc.body.encode("utf-8")),
    }


def _parameter_files(parameters: Mapping[str, Any]) -> dict[str, str]:
    """SHA-256 of every file a parameter names (a user's lexicon), so that editing it counts."""
    found: dict[str, str] = {}

    def visit(value: Any) -> None:
        if isinstance(value, str) and value and len(value) < 4096:
            path = Path(value)
            with contextlib.suppress(OSError):
                if path.is_file():
                    found[value] = _sha256_bytes(path.read_bytes())
        elif isinstance(value, list | tuple):
            for v in value:
                visit(v)
        elif isinstance(value, Mapping):
            for v in value.values():
                visit(v)

    for value in parameters.values():
        visit(value)
    return found


def _fingerprint(notebook: str, parameters: Mapping[str, Any], inputs: Any) -> str:
    payload = {
        "notebook": _sha256_bytes(Path(notebook).read_bytes()),
        "parameters": parameters,
        "parameter_files": _parameter_files(parameters),
        "inputs": inputs,
        "package": package_fingerprint(),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=True, default=str)
    return _sha256_bytes(text.encode("utf-8"))


def _safe_name(doc_id: str) -> str:
    return _UNSAFE_NAME.sub("_", doc_id).strip("._") or "document"


def _source_file(doc: Document) -> tuple[str, bool]:
    """The file a document came from, and whether the file holds several documents."""
    if _ROW_SUFFIX.search(doc.path):
        return _ROW_SUFFIX.sub("", doc.path), True
    return doc.path, False


def _details(doc: Document) -> str:
    parts = [doc.author, doc.date, doc.source, f"{doc.words:,} words"]
    return " · ".join(p for p in parts if p)


def plan_reports(
    paths: Sequence[str | Path],
    *,
    article_notebook: str | Path = DEFAULT_ARTICLE_NOTEBOOK,
    corpus_notebook: str | Path | None = DEFAULT_CORPUS_NOTEBOOK,
    parameters: Mapping[str, Any] | None = None,
    articles: bool = True,
) -> ReportPlan:
    """Decide which reports to render: one per article, and one for the corpus.

    Args:
        paths: Article files or folders.
        article_notebook: The notebook rendered once per article.
        corpus_notebook: The notebook rendered once for all articles (None: no corpus report).
        parameters: Extra parameters for the notebooks that declare them (``-p NAME VALUE``).
        articles: Render the article reports.

    Returns:
        The jobs, in a fixed order (corpus first, then articles in input order), and the inputs
        that could not be loaded.

    Raises:
        InputError: A notebook is missing, or a parameter is unknown or reserved.
    """
    parameters = dict(parameters or {})
    notebooks = [str(article_notebook)] if articles else []
    if corpus_notebook is not None:
        notebooks.append(str(corpus_notebook))
    if not notebooks:
        raise InputError("report", "nothing to render (no article and no corpus notebook)")
    _check_parameters(parameters, notebooks)
    declared = {nb: set(notebook_parameters(nb)) for nb in notebooks}

    def own(nb: str) -> dict[str, Any]:
        return {k: v for k, v in parameters.items() if k in declared[nb]}

    loaded = read_corpus(list(paths), boilerplate=parameters.get("boilerplate"))
    jobs: list[ReportJob] = []
    if corpus_notebook is not None and loaded.documents:
        nb = str(corpus_notebook)
        jobs.append(_corpus_job(nb, [str(p) for p in paths], own(nb), loaded))
    if articles:
        nb = str(article_notebook)
        jobs.extend(_article_jobs(nb, own(nb), loaded, parameters.get("boilerplate")))
    return ReportPlan(tuple(jobs), tuple(loaded.failures))


def _corpus_job(
    nb: str, given: list[str], parameters: dict[str, Any], loaded: CorpusResult
) -> ReportJob:
    """The corpus report over every document that loaded."""
    params = {"input_paths": given, **parameters}
    n = len(loaded.documents)
    inputs = {
        "documents": [_document_fingerprint(d) for d in loaded.documents],
        "failures": [str(f) for f in loaded.failures],
    }
    return ReportJob(
        name=CORPUS_REPORT_NAME,
        kind="corpus",
        notebook=nb,
        parameters=params,
        title=f"Corpus report: {n} article{'s' if n != 1 else ''}",
        details=f"{sum(d.words for d in loaded.documents):,} words from {', '.join(given)}",
        source=", ".join(given),
        fingerprint=_fingerprint(nb, params, inputs),
    )


def _article_jobs(
    nb: str, parameters: dict[str, Any], loaded: CorpusResult, boilerplate: Any
) -> list[ReportJob]:
    """One report per document, named uniquely; rows of multi-article files by their own id."""
    local_ids: dict[str, dict[str, str]] = {}
    used: set[str] = set()
    jobs = []
    for doc in loaded.documents:
        file, multi = _source_file(doc)
        doc_id: str | None = None
        if multi:
            if file not in local_ids:
                rows = read_corpus([file], boilerplate=boilerplate).documents
                local_ids[file] = {d.path: d.id for d in rows}
            doc_id = local_ids[file].get(doc.path, doc.id)
        stem = _safe_name(doc.id)
        name, n = f"{ARTICLE_PREFIX}{stem}.html", 1
        while name in used:
            n += 1
            name = f"{ARTICLE_PREFIX}{stem}-{n}.html"
        used.add(name)
        params = {"input_path": file, "doc_id": doc_id, **parameters}
        jobs.append(
            ReportJob(
                name=name,
                kind="article",
                notebook=nb,
                parameters=params,
                title=doc.title or doc.id,
                details=_details(doc),
                source=doc.path,
                fingerprint=_fingerprint(nb, params, _document_fingerprint(doc)),
            )
        )
    return jobs


def read_manifest(out: str | Path) -> dict[str, dict[str, str]]:
    """The manifest of an output folder (report name → fingerprint, sha256); empty if none."""
    path = Path(out) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        reports = data.get("reports", {})
        return {str(k): dict(v) for k, v in reports.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_manifest(out: Path, entries: Mapping[str, Mapping[str, str]]) -> None:
    data = {"format": REPORT_FORMAT, "reports": {k: dict(entries[k]) for k in sorted(entries)}}
    atomic_write_text(out / MANIFEST_NAME, json.dumps(data, indent=1, sort_keys=True) + "\n")


def _unchanged(job: ReportJob, out: Path, manifest: Mapping[str, Mapping[str, str]]) -> str | None:
    """The report's SHA-256 when it is on disk exactly as rendered from the same fingerprint."""
    entry = manifest.get(job.name)
    if not entry or entry.get("fingerprint") != job.fingerprint:
        return None
    try:
        sha = _sha256_bytes((out / job.name).read_bytes())
    except OSError:
        return None
    return sha if sha == entry.get("sha256") else None
