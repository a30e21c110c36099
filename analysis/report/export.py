"""HTML export: an executed notebook as one self-contained page (nbconvert, code hidden) and the
index of a batch, from the template and style sheet in ``templates/``."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import __version__
from analysis.corpus import LoadFailure
from analysis.io import atomic_write_text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

    from analysis.report.plan import ReportOutcome

__all__ = ["CONTENT_SECURITY_POLICY", "INDEX_NAME", "notebook_to_html", "write_index"]

INDEX_NAME = "index.html"
#: Forbid every network request and every script: the page is text, inline style and data: images.
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
#: nbconvert template (``templates/page.html.j2``): JupyterLab's cell markup without its head
#: (require.js, MathJax, widgets and 300 kB of CSS), JavaScript outputs or widget state.
PAGE_TEMPLATE = "page.html.j2"
#: The index of a batch (``templates/index.html.j2``).
INDEX_TEMPLATE = "index.html.j2"
#: The pages' style sheet (``templates/report.css``): system fonts, readable measure, tables,
#: figures and the annotated article; printed and shown offline alike.
STYLE_SHEET = "report.css"
INDEX_TITLE = "Reports: Pakistan–Russia–US relations discourse"


@cache
def template_text(name: str) -> str:
    """A file of ``analysis/report/templates/`` as text."""
    return resources.files("analysis.report").joinpath("templates", name).read_text("utf-8")


def report_css() -> str:
    """The style sheet every page embeds."""
    return template_text(STYLE_SHEET).strip()


def _exporter() -> HTMLExporter:
    import jinja2
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.CSSHTMLHeaderPreprocessor.enabled = False
    return HTMLExporter(
        config=config,
        template_name="lab",
        template_file=PAGE_TEMPLATE,
        extra_loaders=[jinja2.DictLoader({PAGE_TEMPLATE: template_text(PAGE_TEMPLATE)})],
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
            "report_css": report_css(),
            "report_csp": CONTENT_SECURITY_POLICY,
            "report_index": index,
            "report_generator": f"analysis {__version__} (papermill, nbconvert)",
        },
    )
    # No trailing blanks and one final newline (trailing blanks are invisible, even in <pre>).
    return "\n".join(line.rstrip() for line in str(body).splitlines()).strip("\n") + "\n"


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
    import jinja2

    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    page = env.from_string(template_text(INDEX_TEMPLATE)).render(
        title=INDEX_TITLE,
        csp=CONTENT_SECURITY_POLICY,
        css=report_css(),
        corpus=[_entry(o) for o in outcomes if o.job.kind == "corpus"],
        articles=[_entry(o) for o in outcomes if o.job.kind == "article"],
        failures=failures,
        version=__version__,
    )
    target = Path(out) / INDEX_NAME
    atomic_write_text(target, page)
    return target


def _entry(outcome: ReportOutcome) -> dict[str, Any]:
    """What the index shows of one report: its title, link (None when it failed) and details."""
    failed = outcome.status == "failed"
    return {
        "title": outcome.job.title,
        "href": None if failed else urllib.parse.quote(outcome.job.name),
        "details": outcome.job.details,
    }
