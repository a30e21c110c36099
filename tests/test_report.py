"""Report notebooks and ``python -m analysis report``: notebooks, HTML, batch, reproducibility."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

import analysis
from analysis import figures, report
from analysis.cli import main
from analysis.errors import InputError
from analysis.report import cli as report_cli

report.skip_slow_imports()  # before nbformat is imported: see analysis.report
import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REPORT_NOTEBOOKS = ("article", "corpus")
ALL_NOTEBOOKS = ("article", "corpus", "explore")
SEED_ID = "000_bd50dbdc2ca17a54"
#: Anything that would make a page fetch something: external scripts, styles, frames, fonts.
NETWORK_REFERENCE = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:|ftp:|//)"""
    r"""|url\(\s*["']?\s*(?:https?:|//)|@import|<link\b|<iframe\b|<object\b|<embed\b|<base\b""",
    re.IGNORECASE,
)
XSS = "<script>alert(1)</script>"


def _notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _code_cells(name: str) -> list[nbformat.NotebookNode]:
    return [c for c in _notebook(name).cells if c.cell_type == "code"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["report", *argv, "--no-progress"])
    return code, capsys.readouterr().err


# --- The notebooks as committed --------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    nb = _notebook(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: cell {cell.id} has outputs"
            assert cell.execution_count is None, f"{name}: cell {cell.id} was executed"
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata
    assert nb.metadata.kernelspec.name == report.KERNEL_NAME


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_notebook_has_one_typed_commented_parameters_cell(name: str) -> None:
    tagged = [c for c in _code_cells(name) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(tagged[0].source)
    assigned = [n for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign)]
    assert assigned and all(isinstance(n, ast.AnnAssign) for n in assigned), "untyped parameter"
    params = report.notebook_parameters(NOTEBOOKS / f"{name}.ipynb")
    names = {n.target.id for n in assigned if isinstance(n.target, ast.Name)}
    assert set(params) == names, "papermill --help-notebook must document every parameter"
    for param in params.values():
        assert param["inferred_type_name"] not in ("None", ""), param
        assert len(param["help"]) > 10, f"{param['name']} lacks a comment"


FORBIDDEN = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.For,
    ast.While,
    ast.If,
    ast.With,
    ast.Try,
    ast.ListComp,
    ast.DictComp,
    ast.SetComp,
    ast.GeneratorExp,
)


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_notebook_cells_only_call_the_package(name: str) -> None:
    for cell in _code_cells(name):
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, FORBIDDEN), f"{name}/{cell.id}: {type(node).__name__}"


@pytest.mark.parametrize("name", REPORT_NOTEBOOKS)
def test_provenance_footer_records_every_parameter(name: str) -> None:
    params = set(report.notebook_parameters(NOTEBOOKS / f"{name}.ipynb"))
    recorded: set[str] = set()
    for cell in _code_cells(name):
        for node in ast.walk(ast.parse(cell.source)):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "parameters"
                and isinstance(node.value, ast.Call)
            ):
                recorded |= {k.arg for k in node.value.keywords if k.arg}
    assert recorded == params
    sources = "\n".join(c.source for c in _code_cells(name))
    assert "figures.provenance(result, parameters)" in sources


# --- Parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        ("integer", "3", 3),
        ("float", "0.5", 0.5),
        ("boolean", "true", True),
        ("null", "null", None),
        ("word", "vader", "vader"),
        ("path", "lexicons/actors.yaml", "lexicons/actors.yaml"),
        ("list", "[Russia, United States]", ["Russia", "United States"]),
        ("mapping stays text", "{a: 1}", "{a: 1}"),
        ("date stays text", "2018-08-10", "2018-08-10"),
        ("empty stays text", "", ""),
        ("broken YAML stays text", "[unclosed", "[unclosed"),
    ],
)
def test_parameter_values(case: str, text: str, expected: Any) -> None:
    assert report_cli.parse_value(text) == expected, case


def test_unknown_parameter_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, err = _run(capsys, "seeds/", "--out", str(tmp_path), "-p", "sentiment_bakend", "vader")
    assert code == 2
    assert "sentiment_bakend" in err and "unknown parameter" in err
    assert "sentiment_backend" in err  # the known ones are listed
    assert not any(tmp_path.iterdir()), "nothing is rendered after a parameter error"


def test_reserved_parameter_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, err = _run(capsys, "seeds/", "--out", str(tmp_path), "-p", "input_path", "x.txt")
    assert code == 2 and "input_path" in err and "set by the report command" in err


def test_missing_notebook_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.ipynb"):
        report.plan_reports([ROOT / "seeds"], article_notebook=tmp_path / "nope.ipynb")


def test_unwritable_output_folder_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, err = _run(capsys, "seeds/", "--out", str(blocker / "reports"))
    assert code == 2 and str(blocker / "reports") in err and "cannot write" in err


def test_kernel_warm_up_runs() -> None:
    # Kernels run it silently before a notebook: an error there would go unseen.
    report.warm_up()


def test_make_settings_refuses_options_it_cannot_honour() -> None:
    settings = report.make_settings(actor_lexicon=None, actor_lexicon_mode="extend")
    assert settings.actor_lexicon_mode == "extend"
    with pytest.raises(InputError, match="no_such_option"):
        report.make_settings(no_such_option="x")
    report.make_settings(no_such_option=None)  # left at its default: nothing to honour


# --- Planning --------------------------------------------------------------------------------


def test_plan_is_corpus_then_articles_with_stable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    plan = report.plan_reports(["seeds/"], parameters={"top_actors": 5})
    assert [j.name for j in plan.jobs] == ["corpus.html", f"article-{SEED_ID}.html"]
    corpus, article = plan.jobs
    assert corpus.parameters == {"input_paths": ["seeds/"], "top_actors": 5}
    assert article.parameters == {
        "input_path": f"seeds/{SEED_ID}.txt",
        "doc_id": None,
        "top_actors": 5,
    }
    assert article.title == "Pak-Russia Defence Cooperation"
    again = report.plan_reports(["seeds/"], parameters={"top_actors": 5})
    assert [j.fingerprint for j in again.jobs] == [j.fingerprint for j in plan.jobs]
    other = report.plan_reports(["seeds/"], parameters={"top_actors": 6})
    assert all(a.fingerprint != b.fingerprint for a, b in zip(plan.jobs, other.jobs, strict=True))


def test_plan_names_unreadable_inputs_and_rows_of_multi_article_files(tmp_path: Path) -> None:
    rows = tmp_path / "batch.jsonl"
    rows.write_text(
        json.dumps({"id": "a/1", "title": "One", "text": "Pakistan and Russia met today."})
        + "\n"
        + json.dumps({"id": "a/1", "title": "Two", "text": "The United States did not."})
        + "\n",
        encoding="utf-8",
    )
    plan = report.plan_reports(
        [rows, tmp_path / "missing.txt"],
        corpus_notebook=None,
        article_notebook=NOTEBOOKS / "article.ipynb",
    )
    assert [f.source for f in plan.failures] == [str(tmp_path / "missing.txt")]
    names = [j.name for j in plan.jobs]
    assert names == ["article-a_1.html", "article-a_1-2.html"]
    assert [j.parameters["doc_id"] for j in plan.jobs] == ["a/1", "a/1-2"]
    assert {j.parameters["input_path"] for j in plan.jobs} == {str(rows)}
    doc = report.load_article(rows, "a/1-2")
    assert doc.title == "Two"
    with pytest.raises(InputError, match="no article with id"):
        report.load_article(rows, "nope")


# --- Normalising and exporting (no kernel) ---------------------------------------------------


def _executed_notebook(html_output: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "duration": 1.5}
    params = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["injected-parameters"]})
    params.metadata["papermill"] = {"duration": 0.1}
    shown = nbformat.v4.new_code_cell("figures.table(df)", execution_count=2)
    shown.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00.1Z"}
    shown.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": html_output,
                "text/plain": "table",
                "application/javascript": "alert(2)",
            },
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("## Section"), params, shown]
    return nb


def test_normalise_removes_what_varies_between_runs() -> None:
    nb = report.normalise_notebook(_executed_notebook("<p>x</p>"))
    assert "papermill" not in nb.metadata
    assert nb.cells[1].id == "injected-parameters"
    for cell in nb.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert "application/javascript" not in nb.cells[2].outputs[0].data


def test_exported_page_is_self_contained_escaped_and_has_no_script() -> None:
    df = pd.DataFrame({"speaker": [XSS], "quote": ['"Pakistan" & <b>Russia</b>']})
    nb = report.normalise_notebook(_executed_notebook(figures.table(df).html))
    page = report.notebook_to_html(nb, title=f"{XSS} title")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Russia&lt;/b&gt;" in page
    assert NETWORK_REFERENCE.search(page) is None
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "x = 1" not in page and "figures.table" not in page  # code is hidden
    assert page == report.notebook_to_html(nb, title=f"{XSS} title")


def test_index_links_every_report_and_escapes_titles(tmp_path: Path) -> None:
    job = report.ReportJob(
        name="article-x.html",
        kind="article",
        notebook="n.ipynb",
        parameters={},
        title=XSS,
        details="A & B",
        source="x.txt",
        fingerprint="f",
    )
    failed = report.ReportJob(
        name="article-y.html",
        kind="article",
        notebook="n.ipynb",
        parameters={},
        title="Y",
        details="",
        source="y.txt",
        fingerprint="g",
    )
    path = report.write_index(
        tmp_path,
        [report.ReportOutcome(job, "rendered", sha256="s"), report.ReportOutcome(failed, "failed")],
        [analysis.corpus.LoadFailure("z.bin", "unsupported <type>")],
    )
    page = path.read_text(encoding="utf-8")
    assert 'href="article-x.html"' in page and 'href="article-y.html"' not in page
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert "A &amp; B" in page and "unsupported &lt;type&gt;" in page
    assert NETWORK_REFERENCE.search(page) is None
    assert not list(tmp_path.glob("*.tmp"))


# --- Figures (no kernel) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_result() -> analysis.Analysis:
    return analysis.analyze(ROOT / "seeds")


def test_table_escapes_every_cell_and_header() -> None:
    df = pd.DataFrame({"<th>": [XSS, "a & b"], "n": [1, 2000]})
    out = figures.table(df, caption="<cap>")
    assert "<script" not in out.html and "&lt;th&gt;" in out.html and "&lt;cap&gt;" in out.html
    assert '<td class="num">2,000</td>' in out.html
    assert repr(out) == str(repr(figures.table(df, caption="<cap>")))


def test_charts_are_byte_identical_png(seed_result: analysis.Analysis) -> None:
    sal = figures.salience(seed_result)
    first = figures.png_bytes(figures.mentions_chart(sal))
    second = figures.png_bytes(figures.mentions_chart(sal))
    assert first == second and first.startswith(b"\x89PNG")
    assert b"Software" not in first and b"tIME" not in first


def test_sections_draw_from_the_tables(seed_result: analysis.Analysis) -> None:
    sal = figures.salience(seed_result)
    counts = seed_result.mention_counts().set_index("actor")["mentions"]
    assert list(sal["actor"][:3]) == list(counts.sort_values(ascending=False).index[:3])
    assert sal["mentions"].sum() <= counts.sum()
    section = figures.mentions_section(seed_result)
    assert section.html.count("<img") == 1 and "Pakistan 30" in section.html
    head = figures.header(seed_result)
    assert "Pak-Russia Defence Cooperation" in head.html and "Dr Muhammad Khan" in head.html
    foot = figures.provenance(seed_result, {"input_path": "seeds/x.txt"})
    sha = hashlib.sha256((ROOT / "seeds" / f"{SEED_ID}.txt").read_bytes()).hexdigest()
    assert sha in foot.html and "actor_lexicon" in foot.html and "seeds/x.txt" in foot.html


def test_a_missing_capability_says_so_instead_of_faking_data(
    seed_result: analysis.Analysis,
) -> None:
    # The same tables without sentiment, quotation or theme results (as before those landed).
    bare = SimpleNamespace(
        documents=seed_result.documents,
        sentences=seed_result.sentences,
        mentions=seed_result.mentions[
            ["doc_id", "mention", "actor", "surface", "start", "end", "sentence"]
        ],
        failures=[],
        provenance={},
        cooccurrence=seed_result.cooccurrence,
        salience=seed_result.salience,
    )
    for section in (
        figures.sentiment_section(bare),
        figures.voices_section(bare),
        figures.quotes_section(bare),
        figures.themes_section(bare),
        figures.kwic_section(bare),
        figures.keyness_section(bare),
    ):
        assert "not available" in section.html and "<img" not in section.html
    findings = figures.key_findings(bare).html
    assert "Pakistan (30)" in findings and "not available" in findings


# --- Rendering with a kernel (slow) ----------------------------------------------------------


def _html_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}


@pytest.mark.slow
def test_committed_reports_are_reproduced_byte_for_byte(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    one, two = tmp_path / "one", tmp_path / "two"
    code, err = _run(capsys, "seeds/", "--out", str(one), "--jobs", "1")
    assert code == 0, err
    rendered = _html_files(one)
    assert set(rendered) == {"index.html", "corpus.html", f"article-{SEED_ID}.html"}
    committed = _html_files(ROOT / "reports")
    for name, data in rendered.items():
        assert committed.get(name) == data, f"reports/{name} differs: run `make report`"
    # The committed manifest too: else `make report` on a fresh clone re-renders everything.
    assert (one / "manifest.json").read_bytes() == (
        ROOT / "reports" / "manifest.json"
    ).read_bytes(), "reports/manifest.json is stale: run `make report`"
    for name, data in rendered.items():
        assert b"<script" not in data.lower(), name
        assert NETWORK_REFERENCE.search(data.decode("utf-8")) is None, name
    # Unchanged inputs, parameters and package: skipped, and it says so.
    code, err = _run(capsys, "seeds/", "--out", str(one), "--jobs", "1")
    assert code == 0 and err.count("unchanged, skipped") == 2 and "0 rendered" in err
    assert _html_files(one) == rendered
    # Another worker count gives the same bytes.
    code, err = _run(capsys, "seeds/", "--out", str(two), "--jobs", "2")
    assert code == 0, err
    assert _html_files(two) == rendered
    assert not list(one.glob(".*.tmp")) and not list(two.glob(".*.tmp"))


FAILING_NOTEBOOK_CELLS = [
    (
        "parameters",
        'input_path: str = "x.txt"  # the article\ndoc_id: str = ""  # the row\n',
        ["parameters"],
    ),
    (
        "load",
        "import analysis\nfrom analysis import figures, report\n"
        "result = analysis.analyze(report.load_article(input_path, doc_id or None))\n"
        "figures.header(result)",
        [],
    ),
    ("fail", 'assert "bad" not in input_path, "boom: a bad article"', []),
]


@pytest.mark.slow
def test_a_failure_is_named_and_the_rest_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
        }
    )
    for cid, source, tags in FAILING_NOTEBOOK_CELLS:
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
        cell["id"] = cid
        nb.cells.append(cell)
    notebook = tmp_path / "fails.ipynb"
    nbformat.write(nb, notebook)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text("Good news\n\nPakistan and Russia agreed.\n", "utf-8")
    (inputs / "bad.txt").write_text("Bad news\n\nThe United States refused.\n", "utf-8")
    out = tmp_path / "out"
    code, err = _run(
        capsys,
        str(inputs),
        str(tmp_path / "missing.txt"),
        "--out",
        str(out),
        "--no-corpus",
        "--article-notebook",
        str(notebook),
        "--jobs",
        "2",
    )
    assert code == 1
    assert (out / "article-good.html").exists() and not (out / "article-bad.html").exists()
    summary = err[err.index("failures:") :]
    assert "article-bad.html" in summary and "AssertionError: boom: a bad article" in summary
    assert "cell 3" in summary and "missing.txt: no such file or folder" in summary
    index = (out / "index.html").read_text("utf-8")
    assert 'href="article-good.html"' in index and "not rendered" in index
    assert not list(out.glob(".*.tmp"))
    manifest = report.read_manifest(out)
    assert set(manifest) == {"article-good.html"}


@pytest.mark.slow
def test_article_text_is_escaped_in_the_real_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    article = tmp_path / "xss.txt"
    article.write_text(
        f"Islamabad {XSS} & Moscow\n\n"
        f"Pakistan and Russia held talks. “{XSS} is what we reject,” said the Russian "
        "ambassador to Pakistan. The United States <b>warned</b> Pakistan.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, err = _run(
        capsys,
        str(article),
        "--out",
        str(out),
        "--no-corpus",
        "--jobs",
        "1",
        "-p",
        "kwic_terms",
        "[reject, warned]",
    )
    assert code == 0, err
    page = (out / "article-xss.html").read_text("utf-8")
    assert "<script" not in page.lower() and "<b>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # <title>, heading, KWIC line
    assert "&lt;b&gt;" in page
    assert NETWORK_REFERENCE.search(page) is None
    for heading in (
        "Key findings",
        "Actor mentions and salience",
        "Sentiment toward each actor",
        "Quotations",
        "Themes",
        "Actor co-occurrence",
        "Keyword in context",
        "Provenance",
    ):
        assert re.search(rf"<h2[^>]*>{heading}<", page), heading


# --- Notebooks run from anywhere ---------------------------------------------------------------


def test_default_paths_resolve_against_the_project_root_from_any_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    assert report.resolve_input("seeds/") == "seeds/"  # as given where it exists: same bytes
    monkeypatch.chdir(NOTEBOOKS)
    assert report.project_root() == ROOT
    assert Path(report.resolve_input("seeds/")) == ROOT / "seeds"
    assert report.load_article(f"seeds/{SEED_ID}.txt").id == SEED_ID
    assert report.corpus_inputs(["seeds/"]) == [str(ROOT / "seeds")]
    settings = report.make_settings(boilerplate="analysis/data/boilerplate.yaml")
    assert settings.boilerplate == str(ROOT / "analysis/data/boilerplate.yaml")


@pytest.mark.parametrize(
    ("case", "make", "reason"),
    [
        ("missing", lambda p: p / "nowhere", "no such file or folder"),
        ("empty folder", lambda p: p, "no article in it"),
        ("binary file", lambda p: p / "x.txt", "binary data"),
    ],
)
def test_an_unreadable_corpus_stops_with_one_line_naming_the_path(
    tmp_path: Path, case: str, make: Any, reason: str
) -> None:
    (tmp_path / "x.txt").write_bytes(b"\x00\x01\x02\x03")
    if case == "empty folder":
        (tmp_path / "x.txt").unlink()
    path = str(make(tmp_path))
    with pytest.raises(report.NotebookStop) as info:
        report.corpus_inputs([path])
    message = str(info.value)
    assert message.startswith(path) and reason in message and "\n" not in message
    # Jupyter shows the message alone, not the package's call stack.
    assert info.value._render_traceback_() == [f"NotebookStop: {message}"]
    with pytest.raises(report.NotebookStop, match="no such file"):
        report.load_article(tmp_path / "nowhere.txt")
