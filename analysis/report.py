"""Report notebooks rendered as self-contained, reproducible HTML (``python -m analysis report``).

Each report is a parameterised notebook (``notebooks/article.ipynb`` once per article,
``notebooks/corpus.ipynb`` once for the corpus) executed by papermill in this process, against a
fresh ``python3`` kernel of this Python environment, then normalised (papermill's timings, the
injected cell's random id and nbclient's timestamps removed) and exported by nbconvert with the
code hidden. The page carries its own style sheet and figures and a Content-Security-Policy that
forbids every network request and every script; article text is HTML-escaped by the helpers in
:mod:`analysis.figures` that display it.

A batch runs the reports in a process pool (``--jobs``), shows a progress bar, carries on past a
failing document or notebook, names each failure with its failing cell at the end and exits
non-zero when anything failed. A manifest of input, parameter, notebook and package hashes in the
output folder lets an unchanged report be skipped. Every file is written to a temporary file and
renamed, so an interrupted batch never leaves a truncated report.

Method: papermill (nteract) parameterises and executes notebooks; nbconvert exports them. Each
worker starts the kernel for its next notebook while the current one runs, and warms it up
(:func:`warm_up`: imports and caches of the packaged lexicons, never a result).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import html
import importlib.metadata
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from analysis import __version__
from analysis.corpus import Document, LoadFailure, read_corpus
from analysis.errors import InputError
from analysis.io import atomic_write_text

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

__all__ = [
    "DEFAULT_ARTICLE_NOTEBOOK",
    "DEFAULT_CORPUS_NOTEBOOK",
    "MANIFEST_NAME",
    "ReportJob",
    "ReportOutcome",
    "ReportPlan",
    "add_arguments",
    "load_article",
    "make_settings",
    "normalise_notebook",
    "notebook_parameters",
    "notebook_to_html",
    "plan_reports",
    "render_reports",
    "run",
    "skip_slow_imports",
    "warm_up",
    "write_index",
]

DEFAULT_ARTICLE_NOTEBOOK = "notebooks/article.ipynb"
DEFAULT_CORPUS_NOTEBOOK = "notebooks/corpus.ipynb"
#: The kernel every report runs on: this environment's Python with ipykernel.
KERNEL_NAME = "python3"
#: File in the output folder recording, per report, what it was rendered from.
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
CORPUS_REPORT_NAME = "corpus.html"
#: Prefix of article report files, so that no document id can collide with the index or corpus.
ARTICLE_PREFIX = "article-"
#: Bumped whenever the HTML this module writes changes, so that old reports are not skipped.
REPORT_FORMAT = 1
#: Parameters the report command sets itself for each notebook; ``-p`` may not override them.
RESERVED_PARAMETERS = frozenset({"input_path", "input_paths", "doc_id"})
#: Seconds a single cell may run before the report is failed: a cell of these notebooks takes
#: seconds, so ten minutes means a hung kernel, not a slow analysis.
CELL_TIMEOUT_S = 600
#: Seconds to wait for a kernel to start: generous because several start at once on small machines.
KERNEL_START_TIMEOUT_S = 120
#: Run in a kernel started ahead of need, while the previous notebook executes: see
#: :func:`warm_up` (it fills caches and changes no result).
KERNEL_WARMUP_CODE = "import analysis.report\nanalysis.report.warm_up()"
#: The text :func:`warm_up` analyses: one sentence naming two actors and a theme term.
WARMUP_TEXT = "Pakistan and Russia signed a defence agreement in Moscow."
#: Fixed string hashing in kernels, so that no set or dict order can vary between runs.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
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
#: Types a ``-p`` value may take (what papermill writes into a Python parameters cell).
_PLAIN_VALUES = (str, int, float, bool, type(None))

#: The page's style sheet: system fonts, readable measure, tables and figures; printed and shown
#: offline alike.
REPORT_CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --rule: #c8c8c8; --band: #f3f3f3; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans",
  "DejaVu Sans", sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.5rem 0 0.75rem; }
h2 { font-size: 1.35rem; margin: 2.25rem 0 0.5rem; padding-top: 0.5rem;
  border-top: 2px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.4rem; }
a { color: #0b4f8a; }
a.anchor-link { display: none; }
p, li { max-width: 48rem; }
.jp-Cell { margin: 0; }
.jp-OutputArea-output { margin: 0.25rem 0 0.75rem; overflow-x: auto; }
.jp-RenderedText pre, pre { white-space: pre-wrap; font-size: 0.85rem; background: var(--band);
  padding: 0.5rem; border-radius: 3px; }
.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"] pre {
  border-left: 4px solid #8a1c1c; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.6rem; text-align: left;
  vertical-align: top; }
th { background: var(--band); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) td { background: #fafafa; }
figure { margin: 0.75rem 0 1.25rem; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85rem; color: var(--muted); margin-top: 0.25rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem;
  margin: 0.5rem 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.note { border-left: 4px solid #777; background: var(--band); padding: 0.5rem 0.75rem;
  margin: 0.5rem 0 1rem; }
.findings li { margin: 0.25rem 0; }
.kwic td:first-child { text-align: right; color: var(--muted); }
.kwic td:nth-child(2) { white-space: nowrap; }
.kwic td:last-child { color: var(--muted); }
mark { background: #e6e6e6; color: inherit; font-weight: 700; padding: 0 0.1em; }
footer.provenance { font-size: 0.85rem; color: var(--muted); }
code { font-size: 0.85em; word-break: break-all; }
@media print { main { max-width: none; } h2 { break-after: avoid; }
  figure, table { break-inside: avoid; } }
""".strip()

#: Forbid every network request and every script: the page is text, inline style and data: images.
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_TEMPLATE_NAME = "analysis_report.html.j2"
#: nbconvert template: JupyterLab's cell markup without its head (require.js, MathJax, widgets
#: and 300 kB of CSS), JavaScript outputs or widget state.
_TEMPLATE = """{%- extends 'lab/base.html.j2' -%}
{%- block header -%}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ resources.report_csp }}">
<meta name="generator" content="{{ resources.report_generator | e }}">
<title>{{ resources.report_title | e }}</title>
<style>
{{ resources.report_css }}
</style>
</head>
{%- endblock header -%}
{%- block body_header -%}
<body>
<main>
<nav><a href="{{ resources.report_index | e }}">All reports</a></nav>
{%- endblock body_header -%}
{%- block body_footer -%}
</main>
</body>
{%- endblock body_footer -%}
{%- block footer -%}
</html>
{% endblock footer -%}
{%- block data_javascript scoped -%}{%- endblock data_javascript -%}
{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}
"""


# --------------------------------------------------------------------------------------------
# Helpers the notebooks call
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


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
    boilerplate = parameters.get("boilerplate")
    loaded = read_corpus(list(paths), boilerplate=boilerplate)
    jobs: list[ReportJob] = []
    given = [str(p) for p in paths]
    if corpus_notebook is not None and loaded.documents:
        nb = str(corpus_notebook)
        params = {k: v for k, v in parameters.items() if k in declared[nb]}
        params = {"input_paths": given, **params}
        n = len(loaded.documents)
        inputs = {
            "documents": [_document_fingerprint(d) for d in loaded.documents],
            "failures": [str(f) for f in loaded.failures],
        }
        jobs.append(
            ReportJob(
                name=CORPUS_REPORT_NAME,
                kind="corpus",
                notebook=nb,
                parameters=params,
                title=f"Corpus report: {n} article{'s' if n != 1 else ''}",
                details=f"{sum(d.words for d in loaded.documents):,} words from {', '.join(given)}",
                source=", ".join(given),
                fingerprint=_fingerprint(nb, params, inputs),
            )
        )
    if articles:
        nb = str(article_notebook)
        local_ids: dict[str, dict[str, str]] = {}
        used: set[str] = set()
        for doc in loaded.documents:
            file, multi = _source_file(doc)
            doc_id: str | None = None
            if multi:
                if file not in local_ids:
                    local_ids[file] = {
                        d.path: d.id for d in read_corpus([file], boilerplate=boilerplate).documents
                    }
                doc_id = local_ids[file].get(doc.path, doc.id)
            stem = _safe_name(doc.id)
            name, n = f"{ARTICLE_PREFIX}{stem}.html", 1
            while name in used:
                n += 1
                name = f"{ARTICLE_PREFIX}{stem}-{n}.html"
            used.add(name)
            params = {k: v for k, v in parameters.items() if k in declared[nb]}
            params = {"input_path": file, "doc_id": doc_id, **params}
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
    return ReportPlan(tuple(jobs), tuple(loaded.failures))


# --------------------------------------------------------------------------------------------
# Executing and exporting
# --------------------------------------------------------------------------------------------


def normalise_notebook(nb: NotebookNode) -> NotebookNode:
    """Remove what varies between runs of the same notebook (in place; returns it).

    Drops papermill's run metadata and per-cell timings, nbclient's per-cell timestamps and
    JavaScript/widget outputs, and gives papermill's injected-parameters cell a fixed id.
    """
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data is not None:
                for mime in ("application/javascript", "application/vnd.jupyter.widget-view+json"):
                    data.pop(mime, None)
    return nb


def _this_python_kernel_specs() -> Any:
    """A kernel-spec manager whose ``python3`` is always this interpreter with ipykernel."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class ThisPythonKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (analysis)",
                language="python",
                metadata={},
            )

    return ThisPythonKernelSpecs()


class _Kernel:
    """A kernel started ahead of need, talking over local IPC sockets in a private folder.

    It imports :data:`KERNEL_WARMUP_CODE` as soon as it is up; :meth:`ready` waits for that
    before nbclient connects (a client that connects while the kernel is still busy starting can
    miss the kernel's first replies and wait for ever).
    """

    def __init__(self, cwd: str) -> None:
        from jupyter_client.manager import KernelManager

        self.folder = tempfile.mkdtemp(prefix="akernel-")
        self.km: KernelManager = KernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=_this_python_kernel_specs(),
            transport="ipc",
            ip=os.path.join(self.folder, "k"),
            connection_file=os.path.join(self.folder, "kernel.json"),
        )
        self.km.start_kernel(cwd=cwd, env={**os.environ, **KERNEL_ENV})
        self.warmup = self.km.client()
        self.warmup.start_channels()
        self.warmup_id = self.warmup.execute(
            KERNEL_WARMUP_CODE, silent=True, store_history=False, allow_stdin=False
        )
        self.started = False

    def ready(self, timeout: float = KERNEL_START_TIMEOUT_S) -> None:
        """Wait until the kernel has run the warm-up imports.

        Raises:
            RuntimeError: The kernel died or did not answer within ``timeout`` seconds.
        """
        import queue

        if self.started:
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.warmup.get_shell_msg(timeout=1)
            except queue.Empty:
                if not self.km.is_alive():
                    raise RuntimeError("the kernel died while starting") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not answer in {timeout:.0f} s") from None
                continue
            if msg.get("parent_header", {}).get("msg_id") == self.warmup_id:
                break
        self.warmup.stop_channels()
        self.started = True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.warmup.stop_channels()
        with contextlib.suppress(Exception):
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            self.km.cleanup_resources()
        shutil.rmtree(self.folder, ignore_errors=True)


def _register_engine() -> str:
    """Register (once) a papermill engine that runs on a kernel we started beforehand."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    name = "analysis-prestarted"
    if name in papermill_engines._engines:
        return name

    class PrestartedKernelEngine(NBClientEngine):
        """nbclient engine on a given kernel manager, shut down when the notebook ends."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            client = PapermillNotebookClient(
                nb_man,
                km=kwargs["km"],
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                shutdown_kernel="immediate",
                record_timing=False,
            )
            return client.execute(cleanup_kc=True)

    papermill_engines.register(name, PrestartedKernelEngine)
    return name


def _exporter() -> HTMLExporter:
    import jinja2
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.CSSHTMLHeaderPreprocessor.enabled = False
    return HTMLExporter(
        config=config,
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )


def notebook_to_html(
    nb: NotebookNode, *, title: str, index: str = INDEX_NAME, exporter: Any = None
) -> str:
    """Export an executed notebook as one self-contained HTML page with the code hidden.

    Args:
        nb: The executed, normalised notebook.
        title: The page title (escaped here).
        index: Link target for "All reports".
        exporter: A reusable exporter from a previous call's worker (None: a new one).

    Returns:
        The page: no script, no external resource, every figure embedded.
    """
    exporter = exporter or _exporter()
    body, _ = exporter.from_notebook_node(
        nb,
        resources={
            "report_title": title,
            "report_css": REPORT_CSS,
            "report_csp": CONTENT_SECURITY_POLICY,
            "report_index": index,
            "report_generator": f"analysis {__version__} (papermill, nbconvert)",
        },
    )
    # No trailing blanks and one final newline (trailing blanks are invisible, even in <pre>).
    return "\n".join(line.rstrip() for line in str(body).splitlines()).strip("\n") + "\n"


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()
    return ""


def _describe_failure(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        line = _first_line(str(exc.source))
        where = f"cell {exc.cell_index} (In [{exc.exec_count}])"
        if line:
            where += f" `{line[:80]}`"
        evalue = " ".join(str(exc.evalue).split())
        return f"{where}: {exc.ename}: {evalue}"[:500]
    message = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"[:500]


class _Renderer:
    """Renders reports one after another, each on a fresh kernel started ahead of need."""

    def __init__(self, out: str) -> None:
        self.out = out
        self.cwd = os.getcwd()
        self.exporter = _exporter()
        self.engine = _register_engine()
        self.spare: _Kernel | None = None
        self.notebooks: dict[str, NotebookNode] = {}

    def _notebook(self, path: str) -> NotebookNode:
        import copy

        import nbformat

        if path not in self.notebooks:
            self.notebooks[path] = nbformat.read(path, as_version=4)
        return copy.deepcopy(self.notebooks[path])

    def take_kernel(self) -> _Kernel:
        kernel, self.spare = self.spare, None
        return kernel if kernel is not None else _Kernel(self.cwd)

    def prestart(self) -> None:
        if self.spare is None:
            with contextlib.suppress(Exception):
                self.spare = _Kernel(self.cwd)

    def close(self) -> None:
        if self.spare is not None:
            self.spare.close()
            self.spare = None

    def render(self, job: ReportJob, prestart: bool) -> ReportOutcome:
        import papermill

        kernel: _Kernel | None = None
        try:
            kernel = self.take_kernel()
            if prestart:
                self.prestart()
            kernel.ready()
        except Exception as exc:
            if kernel is not None:
                kernel.close()
            return ReportOutcome(job, "failed", f"kernel did not start: {_describe_failure(exc)}")
        try:
            nb = papermill.execute_notebook(
                self._notebook(job.notebook),
                None,
                parameters=dict(job.parameters),
                engine_name=self.engine,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                start_timeout=KERNEL_START_TIMEOUT_S,
                execution_timeout=CELL_TIMEOUT_S,
                km=kernel.km,
            )
            normalise_notebook(nb)
            page = notebook_to_html(nb, title=job.title, exporter=self.exporter)
            atomic_write_text(Path(self.out) / job.name, page)
        except Exception as exc:
            return ReportOutcome(job, "failed", _describe_failure(exc))
        finally:
            kernel.close()
        return ReportOutcome(job, "rendered", sha256=_sha256_bytes(page.encode("utf-8")))


_WORKER: _Renderer | None = None


def _init_worker(out: str) -> None:
    global _WORKER
    skip_slow_imports()
    _WORKER = _Renderer(out)
    multiprocessing.util.Finalize(None, _close_worker, exitpriority=10)


def _close_worker() -> None:
    if _WORKER is not None:
        _WORKER.close()


def _render_in_worker(job: ReportJob, prestart: bool) -> ReportOutcome:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.render(job, prestart)


def _pool_context() -> Any:
    # Fresh interpreters, not forks: a process that has already run a notebook holds an asyncio
    # loop, zmq sockets and kernel clients that forked workers would share and deadlock on.
    return multiprocessing.get_context("spawn")


def render_reports(
    jobs: Sequence[ReportJob], out: str | Path, *, workers: int = 1, progress: bool = True
) -> list[ReportOutcome]:
    """Render reports into ``out``, in parallel over ``workers`` processes.

    A failing report does not stop the others. Outcomes come back in the order of ``jobs``.

    Args:
        jobs: The reports to render.
        out: The output folder.
        workers: Worker processes (1: in this process).
        progress: Show a progress bar on a terminal.
    """
    from tqdm import tqdm

    out = str(out)
    outcomes: dict[int, ReportOutcome] = {}
    n = len(jobs)
    if n == 0:
        return []
    bar = tqdm(total=n, desc="reports", unit="report", disable=None if progress else True)

    def done(i: int, outcome: ReportOutcome) -> None:
        outcomes[i] = outcome
        if outcome.status == "failed":
            bar.write(f"failed: {out}/{outcome.job.name}: {outcome.error}", file=sys.stderr)
        bar.update(1)

    try:
        if workers <= 1 or n <= 1:
            renderer = _Renderer(out)
            try:
                for i, job in enumerate(jobs):
                    done(i, renderer.render(job, prestart=i + 1 < n))
            finally:
                renderer.close()
        else:
            workers = min(workers, n)
            pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=workers,
                mp_context=_pool_context(),
                initializer=_init_worker,
                initargs=(out,),
            )
            try:
                # A worker prestarts a kernel only while more jobs remain than workers.
                futures = {
                    pool.submit(_render_in_worker, job, i + workers < n): i
                    for i, job in enumerate(jobs)
                }
                for future in concurrent.futures.as_completed(futures):
                    i = futures[future]
                    try:
                        outcome = future.result()
                    except Exception as exc:  # a worker that died (killed, out of memory)
                        outcome = ReportOutcome(jobs[i], "failed", _describe_failure(exc))
                    done(i, outcome)
            except BaseException:
                # Interrupted: drop the reports not started; files written are whole (atomic).
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
    finally:
        bar.close()
    return [outcomes[i] for i in range(n)]


# --------------------------------------------------------------------------------------------
# Manifest and index
# --------------------------------------------------------------------------------------------


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


def write_index(
    out: str | Path, outcomes: Sequence[ReportOutcome], failures: Sequence[LoadFailure] = ()
) -> Path:
    """Write ``index.html`` linking every report of a batch (escaped, self-contained).

    Args:
        out: The output folder.
        outcomes: The batch's reports; failed ones are listed without a link.
        failures: Inputs that could not be loaded (listed by file).

    Returns:
        The index path.
    """
    esc = html.escape

    def item(o: ReportOutcome) -> str:
        title = esc(o.job.title)
        if o.status == "failed":
            head = f"{title} <em>(not rendered: it failed; see the report command's output)</em>"
        else:
            head = f'<a href="{esc(urllib.parse.quote(o.job.name))}">{title}</a>'
        return f"<li>{head}<br><small>{esc(o.job.details)}</small></li>"

    corpus = [o for o in outcomes if o.job.kind == "corpus"]
    articles = [o for o in outcomes if o.job.kind == "article"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        "<title>Reports: Pakistan–Russia–US relations discourse</title>",
        f"<style>\n{REPORT_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>Reports: Pakistan–Russia–US relations discourse</h1>",
        "<p>Actor sentiment, quotations and themes, one report per article and one for the "
        "corpus. Each page works offline.</p>",
    ]
    if corpus:
        parts += ["<h2>Corpus</h2>", "<ul>", *map(item, corpus), "</ul>"]
    if articles:
        parts += [f"<h2>Articles ({len(articles)})</h2>", "<ul>", *map(item, articles), "</ul>"]
    if failures:
        parts += ["<h2>Inputs that could not be read</h2>", "<ul>"]
        parts += [f"<li><code>{esc(f.source)}</code>: {esc(f.reason)}</li>" for f in failures]
        parts += ["</ul>"]
    parts += [
        f'<footer class="provenance"><p>Generated by analysis {esc(__version__)} with papermill '
        "and nbconvert.</p></footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    target = Path(out) / INDEX_NAME
    atomic_write_text(target, "\n".join(parts) + "\n")
    return target


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _parse_value(text: str) -> Any:
    """A ``-p`` value: YAML scalars and lists (``3``, ``true``, ``null``, ``[a, b]``), else text."""
    import yaml

    if not text.strip():
        return text
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, list) and all(isinstance(v, _PLAIN_VALUES) for v in value):
        return value
    return value if isinstance(value, _PLAIN_VALUES) else text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``report`` options to ``parser``."""
    parser.add_argument(
        "paths",
        nargs="*",
        default=["seeds/"],
        help="article files or folders (default: %(default)s)",
    )
    parser.add_argument("--out", default="reports/", help="output folder (default: %(default)s)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="worker processes (0: one per core; default: %(default)s)",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter (e.g. -p sentiment_backend vader); repeatable",
    )
    parser.add_argument(
        "--article-notebook",
        default=DEFAULT_ARTICLE_NOTEBOOK,
        help="notebook rendered per article (default: %(default)s)",
    )
    parser.add_argument(
        "--corpus-notebook",
        default=DEFAULT_CORPUS_NOTEBOOK,
        help="notebook rendered for the corpus (default: %(default)s)",
    )
    parser.add_argument("--no-corpus", action="store_true", help="skip the corpus report")
    parser.add_argument("--no-articles", action="store_true", help="skip the article reports")
    parser.add_argument(
        "--force", action="store_true", help="render even the reports that are unchanged"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def skip_slow_imports() -> None:
    """Keep nbformat's import from loading rfc3987-syntax (about 6 s).

    rfc3987-syntax, an optional format checker of jsonschema (pulled in by jupyter-events),
    compiles a grammar when imported; nbformat's notebook schema has no IRI field, so the report
    command goes without it. Called by :func:`run`, never on importing the package.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _check_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise InputError(str(out), f"cannot write the output folder ({exc.strerror})") from None


def run(args: argparse.Namespace) -> int:
    """``python -m analysis report``: render reports, write the index, print a summary.

    Returns:
        0 when every report was rendered or skipped, 1 when anything failed.
    """
    skip_slow_imports()
    out = Path(args.out)
    parameters = {name: _parse_value(value) for name, value in args.parameter}
    plan = plan_reports(
        args.paths,
        article_notebook=args.article_notebook,
        corpus_notebook=None if args.no_corpus else args.corpus_notebook,
        parameters=parameters,
        articles=not args.no_articles,
    )
    _check_out(out)
    for failure in plan.failures:
        print(f"failed: {failure}", file=sys.stderr)
    manifest = read_manifest(out)
    skipped: list[ReportOutcome] = []
    todo: list[ReportJob] = []
    for job in plan.jobs:
        sha = None if args.force else _unchanged(job, out, manifest)
        if sha is not None:
            skipped.append(ReportOutcome(job, "skipped", sha256=sha))
            print(f"unchanged, skipped: {out / job.name}", file=sys.stderr)
        else:
            todo.append(job)
    workers = args.jobs if args.jobs > 0 else os.cpu_count() or 1
    rendered = render_reports(todo, out, workers=workers, progress=not args.no_progress)
    by_name = {o.job.name: o for o in [*skipped, *rendered]}
    outcomes = [by_name[job.name] for job in plan.jobs]
    entries = {k: v for k, v in manifest.items() if k not in by_name}
    for o in outcomes:
        if o.status != "failed" and o.sha256 is not None:
            entries[o.job.name] = {"fingerprint": o.job.fingerprint, "sha256": o.sha256}
    _write_manifest(out, entries)
    write_index(out, outcomes, plan.failures)
    failed = [o for o in outcomes if o.status == "failed"]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("rendered", "skipped", "failed")}
    print(
        f"{counts['rendered']} rendered, {counts['skipped']} unchanged (skipped), "
        f"{counts['failed']} failed; {len(plan.failures)} input(s) unreadable; "
        f"index: {out / INDEX_NAME}",
        file=sys.stderr,
    )
    if failed or plan.failures:
        print("failures:", file=sys.stderr)
        for failure in plan.failures:
            print(f"  {failure.source}: {failure.reason}", file=sys.stderr)
        for o in failed:
            print(f"  {out / o.job.name} ({o.job.source}): {o.error}", file=sys.stderr)
        return 1
    if not plan.jobs:
        print("error: no article to report on", file=sys.stderr)
        return 1
    return 0
