"""``python -m analysis report``: plan a batch, skip what is unchanged, render the rest, write
the manifest and the index, and print a summary that names every failure."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.errors import InputError
from analysis.report.execute import render_reports, skip_slow_imports
from analysis.report.export import INDEX_NAME, write_index
from analysis.report.plan import (
    DEFAULT_ARTICLE_NOTEBOOK,
    DEFAULT_CORPUS_NOTEBOOK,
    ReportJob,
    ReportOutcome,
    ReportPlan,
    _unchanged,
    _write_manifest,
    plan_reports,
    read_manifest,
)

__all__ = ["add_arguments", "parse_value", "run"]

#: Types a ``-p`` value may take (what papermill writes into a Python parameters cell).
_PLAIN_VALUES = (str, int, float, bool, type(None))


def parse_value(text: str) -> Any:
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
    parameters = {name: parse_value(value) for name, value in args.parameter}
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
    skipped, todo = _skip_unchanged(plan.jobs, out, manifest, force=args.force)
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
    return _summarise(out, outcomes, plan)


def _skip_unchanged(
    jobs: Sequence[ReportJob], out: Path, manifest: Mapping[str, Mapping[str, str]], *, force: bool
) -> tuple[list[ReportOutcome], list[ReportJob]]:
    """(reports unchanged on disk, reports to render); says which are skipped."""
    skipped: list[ReportOutcome] = []
    todo: list[ReportJob] = []
    for job in jobs:
        sha = None if force else _unchanged(job, out, manifest)
        if sha is not None:
            skipped.append(ReportOutcome(job, "skipped", sha256=sha))
            print(f"unchanged, skipped: {out / job.name}", file=sys.stderr)
        else:
            todo.append(job)
    return skipped, todo


def _summarise(out: Path, outcomes: Sequence[ReportOutcome], plan: ReportPlan) -> int:
    """Print the counts and every failure; the exit status."""
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
