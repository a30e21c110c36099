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

The package is split by responsibility: :mod:`.notebook` (helpers the notebooks call),
:mod:`.plan` (which reports, their fingerprints and the manifest), :mod:`.execute` (papermill
on prestarted kernels, in a process pool), :mod:`.export` (nbconvert HTML and the index, from
the template and style sheet in ``templates/``) and :mod:`.cli` (the command).
"""

from __future__ import annotations

from analysis.report.cli import add_arguments, run
from analysis.report.execute import (
    KERNEL_NAME,
    normalise_notebook,
    render_reports,
    skip_slow_imports,
)
from analysis.report.export import CONTENT_SECURITY_POLICY, notebook_to_html, write_index
from analysis.report.notebook import (
    NotebookStop,
    corpus_inputs,
    group_column,
    load_article,
    make_settings,
    project_root,
    resolve_input,
    warm_up,
)
from analysis.report.plan import (
    DEFAULT_ARTICLE_NOTEBOOK,
    DEFAULT_CORPUS_NOTEBOOK,
    MANIFEST_NAME,
    ReportJob,
    ReportOutcome,
    ReportPlan,
    notebook_parameters,
    package_fingerprint,
    plan_reports,
    read_manifest,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEFAULT_ARTICLE_NOTEBOOK",
    "DEFAULT_CORPUS_NOTEBOOK",
    "KERNEL_NAME",
    "MANIFEST_NAME",
    "NotebookStop",
    "ReportJob",
    "ReportOutcome",
    "ReportPlan",
    "add_arguments",
    "corpus_inputs",
    "group_column",
    "load_article",
    "make_settings",
    "normalise_notebook",
    "notebook_parameters",
    "notebook_to_html",
    "package_fingerprint",
    "plan_reports",
    "project_root",
    "read_manifest",
    "render_reports",
    "resolve_input",
    "run",
    "skip_slow_imports",
    "warm_up",
    "write_index",
]
