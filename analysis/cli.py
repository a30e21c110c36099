"""Command line: ``python -m analysis analyze|report|evaluate|train ...`` (``--help`` on each).

argparse (standard library) parses the command line: subcommands and help need nothing more.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis import __version__
from analysis.errors import AnalysisError
from analysis.pipeline import DEFAULT_BACKEND, LexiconMode

__all__ = ["build_parser", "main"]

#: ``evaluate``/``train`` targets: name → module with ``add_arguments(parser)`` and ``run(args)``.
EVALUATORS = {
    "sentiment": "analysis.evaluate_sentiment",
    "quotes": "analysis.evaluate_quotes",
    "domain": "analysis.evaluate_domain",
}
TRAINERS = {"sentiment": "analysis.train"}


def _cmd_analyze(args: argparse.Namespace) -> int:
    from analysis.pipeline import Settings, analyze, analyze_to_parquet

    mode: LexiconMode = "replace" if args.replace_lexicons else "extend"
    settings = Settings(
        actor_lexicon=args.actors,
        actor_lexicon_mode=mode,
        theme_lexicon=args.themes,
        theme_lexicon_mode=mode,
        sentiment_backend=args.backend,
        sentiment_lexicon=args.sentiment_lexicon,
        sentiment_lexicon_mode=mode,
        speech_verbs=args.speech_verbs,
        speech_verbs_mode=mode,
        boilerplate=args.boilerplate,
    )
    if args.partition_docs:
        summary = analyze_to_parquet(
            args.paths,
            args.out,
            settings=settings,
            partition_docs=args.partition_docs,
            jobs=args.jobs,
            scheduler="dask" if args.dask or args.dask_scheduler else None,
            dask_address=args.dask_scheduler,
        )
        for failure in summary.failures:
            print(f"error: {failure}", file=sys.stderr)
        print(
            f"analysed {summary.documents} document(s) in {summary.partitions} partition(s), "
            f"{len(summary.failures)} failed; wrote Parquet tables to {summary.folder}"
        )
        return 1 if summary.failures or summary.documents == 0 else 0
    result = analyze(
        args.paths,
        settings=settings,
        jobs=args.jobs,
        scheduler="dask" if args.dask or args.dask_scheduler else None,
        dask_address=args.dask_scheduler,
    )
    for failure in result.failures:
        print(f"error: {failure}", file=sys.stderr)
    out = Path(args.out)
    written = result.to_parquet(out) if args.format == "parquet" else result.to_csv(out)
    n_docs = len(result.documents)
    print(
        f"analysed {n_docs} document(s), {len(result.failures)} failed; wrote "
        f"{', '.join(p.name for p in written)} to {out}"
    )
    return 1 if result.failures or n_docs == 0 else 0


def _add_analyze(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyse articles into tables (CSV or Parquet)",
        description="Analyse articles into tidy tables, one file per table.",
    )
    p.add_argument("paths", nargs="+", help="article files or folders (.txt .md .html .jsonl .csv)")
    p.add_argument("--out", default="out/tables", help="output folder (default: %(default)s)")
    p.add_argument(
        "--format",
        choices=["csv", "parquet"],
        default="csv",
        help="table format (default: %(default)s)",
    )
    p.add_argument("--actors", help="actor lexicon YAML extending (or replacing) the default")
    p.add_argument("--themes", help="theme lexicon YAML extending (or replacing) the default")
    p.add_argument(
        "--sentiment-lexicon", help="domain sentiment TSV extending (or replacing) the default"
    )
    p.add_argument(
        "--backend",
        default=DEFAULT_BACKEND,
        help="sentiment backend: transformer, learned (fast), textblob or vader "
        "(default: %(default)s)",
    )
    p.add_argument("--speech-verbs", help="speech-verb YAML extending (or replacing) the default")
    p.add_argument("--boilerplate", help="boilerplate rules YAML extending the default")
    p.add_argument(
        "--replace-lexicons",
        action="store_true",
        help="use the given lexicons instead of extending the defaults",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes (0: one per core; default: %(default)s)",
    )
    p.add_argument(
        "--partition-docs",
        type=int,
        metavar="N",
        help="stream Parquet tables in partitions of N files (<out>/<table>/part-*.parquet) "
        "for corpora larger than memory",
    )
    p.add_argument(
        "--dask",
        action="store_true",
        help="run on a dask LocalCluster with --jobs workers (default 2)",
    )
    p.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run on an existing dask cluster, e.g. tcp://10.0.0.5:8786",
    )
    p.set_defaults(func=_cmd_analyze)


def _add_delegated(
    sub: argparse._SubParsersAction,
    name: str,
    help_text: str,
    targets: dict[str, str],
) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    inner = p.add_subparsers(dest="target", required=True, metavar="TARGET")
    for target, module_name in targets.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        tp = inner.add_parser(
            target,
            help=(module.__doc__ or "").strip().splitlines()[0],
            description=(module.__doc__ or "").strip(),
        )
        module.add_arguments(tp)
        tp.set_defaults(func=module.run)


def _add_report(sub: argparse._SubParsersAction) -> None:
    try:
        module = importlib.import_module("analysis.report")
    except ImportError:
        return
    p = sub.add_parser(
        "report",
        help="render HTML reports with papermill and nbconvert",
        description=(module.__doc__ or "").strip(),
    )
    module.add_arguments(p)
    p.set_defaults(func=module.run)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m analysis`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Actor sentiment, quotation attribution and themes in Pakistan–Russia–US "
        "relations discourse.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_analyze(sub)
    _add_report(sub)
    _add_delegated(sub, "evaluate", "measure accuracy on annotated benchmark data", EVALUATORS)
    _add_delegated(sub, "train", "train a model from annotated data", TRAINERS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (AnalysisError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
