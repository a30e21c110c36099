"""JupyterLab: the server starts on loopback with a token and serves the notebooks, and the
notebooks run top to bottom from their own folder, as a kernel started by JupyterLab runs them."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from analysis import report

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
#: Seconds for the server to answer (a cold JupyterLab start on a shared 2-core machine).
START_TIMEOUT_S = 120
#: Seconds for the server to stop after SIGTERM before it is killed.
STOP_TIMEOUT_S = 30

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str, token: str | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_jupyterlab_serves_the_notebooks_on_loopback_with_a_token(tmp_path: Path) -> None:
    port, token = _free_port(), secrets.token_hex(16)
    server = _start_lab(tmp_path, port, token, NOTEBOOKS)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(f"{base}/api/status", token)
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        assert status == 200, (tmp_path / "lab.log").read_text(errors="replace")[-3000:]
        assert "started" in json.loads(body)
        status, page = _get(f"{base}/lab", token)
        assert status == 200 and b"JupyterLab" in page
        status, listing = _get(f"{base}/api/contents/", token)
        names = {item["name"] for item in json.loads(listing)["content"]}
        assert {"article.ipynb", "corpus.ipynb", "explore.ipynb"} <= names
        status, _ = _get(f"{base}/api/contents/", None)
        assert status == 403, "the server must refuse requests without the token"
        status, spec = _get(f"{base}/api/kernelspecs", token)
        assert json.loads(spec)["default"] == report.KERNEL_NAME
    finally:
        _stop(server)
    assert server.returncode is not None
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        _get(f"{base}/api/status", token)


def test_notebooks_run_top_to_bottom_from_their_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # JupyterLab starts a notebook's kernel in the notebook's folder and runs it with its
    # default parameters: run each the same way (no parameter injected), in parallel.
    monkeypatch.chdir(NOTEBOOKS)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernels import this checkout's package
    report.skip_slow_imports()
    jobs = [
        report.ReportJob(
            name=f"{name}.html",
            kind="article",
            notebook=f"{name}.ipynb",
            parameters={},
            title=name,
            details="",
            source=f"{name}.ipynb",
            fingerprint="",
        )
        for name in ("article", "corpus", "explore")
    ]
    outcomes = report.render_reports(jobs, tmp_path, workers=2, progress=False)
    assert [(o.job.name, o.status, o.error) for o in outcomes] == [
        (j.name, "rendered", None) for j in jobs
    ]
    for job in jobs:
        page = (tmp_path / job.name).read_text("utf-8")
        assert "Traceback" not in page and "<img" in page, job.name


def _papermill(cwd: Path, notebook: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    # The plain papermill command a new user types; the kernel imports this checkout's package.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "papermill", str(notebook), str(out), "--no-progress-bar"]
    return subprocess.run(
        [*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_plain_papermill_runs_the_corpus_notebook_from_the_project_root(tmp_path: Path) -> None:
    done = _papermill(ROOT, Path("notebooks/corpus.ipynb"), tmp_path / "out.ipynb")
    assert done.returncode == 0, done.stderr[-2000:]


def test_an_empty_corpus_stops_the_notebook_at_its_first_cell(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out.ipynb"
    done = _papermill(NOTEBOOKS, Path("corpus.ipynb"), out, "-y", f"input_paths: ['{empty}']")
    assert done.returncode != 0
    assert f"NotebookStop: {empty}: no article in it" in done.stderr
    cells = [c for c in json.loads(out.read_text("utf-8"))["cells"] if c["cell_type"] == "code"]
    errors = [(i, o) for i, c in enumerate(cells) for o in c["outputs"] if "ename" in o]
    # The parameters, the injected parameters, then the first cell that reads the input.
    assert [(i, o["traceback"]) for i, o in errors] == [
        (
            2,
            [
                f"NotebookStop: {empty}: no article in it (empty, or no .txt .md .html .jsonl "
                ".csv file)"
            ],
        )
    ]


# --- The explorer in a real JupyterLab, in headless Chromium ------------------------------------

#: Seconds for JupyterLab to load, the kernel to start and the explore notebook to run.
EXPLORER_TIMEOUT_S = 240
#: JavaScript run in the JupyterLab page (one expression each).
LAB_READY = "!!(window.jupyterapp && document.querySelector('.jp-NotebookPanel .jp-Cell'))"
#: The kernel is up (a new notebook session asks which kernel: the dialog's default is taken).
KERNEL_IDLE = """(() => {
  const accept = document.querySelector('.jp-Dialog .jp-mod-accept');
  if (accept) accept.click();
  const panel = window.jupyterapp.shell.currentWidget;
  const session = panel && panel.sessionContext && panel.sessionContext.session;
  return !!(session && session.kernel && session.kernel.status === 'idle');
})()"""
RUN_ALL = "(() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; })()"
SUMMARY_ROWS = (
    "[...document.querySelectorAll('.analysis-explorer .explorer-summary tbody tr')]"
    ".map((r) => r.cells[0].textContent)"
)
CHOOSE_ACTOR = """(() => {
  const select = document.querySelector('.analysis-explorer .explorer-actors select');
  for (const option of select.options) option.selected = option.textContent === 'Russia';
  select.dispatchEvent(new Event('change', {bubbles: true}));
  return true;
})()"""
CLICK_EVIDENCE = """(() => {
  const select = document.querySelector('.analysis-explorer .explorer-evidence select');
  select.selectedIndex = 0;
  select.dispatchEvent(new Event('change', {bubbles: true}));
  return select.options.length;
})()"""
ARTICLE_FOCUS = (
    "(() => { const f = document.querySelector('.analysis-explorer .annotated .focus');"
    " if (f) f.scrollIntoView({block: 'center'}); return f ? f.textContent : null; })()"
)


SCROLL_TO_EXPLORER = (
    "document.querySelector('.analysis-explorer').scrollIntoView({block: 'start'}) || true"
)


def _screenshot(browser: Any, session: str, path: Path) -> None:
    time.sleep(0.5)  # let the page paint after scrolling
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def _start_lab(
    tmp_path: Path, port: int, token: str, root: Path, *extra: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # kernels import this checkout's package
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        *extra,
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "lab.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=STOP_TIMEOUT_S)


def _wait_ok(base: str, token: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            if _get(f"{base}/api/status", token)[0] == 200:
                return
        time.sleep(0.5)
    raise AssertionError("JupyterLab did not start")


def _evaluate(browser: Any, session: str, expression: str) -> Any:
    reply = browser.send(
        "Runtime.evaluate",
        {"expression": expression, "returnByValue": True, "awaitPromise": True},
        session=session,
    )
    return reply.get("result", {}).get("value")


def _until(browser: Any, session: str, expression: str, what: str) -> Any:
    deadline = time.monotonic() + EXPLORER_TIMEOUT_S
    while time.monotonic() < deadline:
        value = _evaluate(browser, session, expression)
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_explorer_updates_in_a_real_jupyterlab(tmp_path: Path) -> None:
    from tests.test_browser import ARTIFACTS, Browser, _chromium

    if _chromium() is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    # A copy of the notebooks: JupyterLab saves what it runs (outputs, metadata), and the
    # committed notebooks stay without outputs. Its kernels find the project root through the
    # checkout they import the package from.
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = _start_lab(tmp_path, port, token, root, "--LabApp.expose_app_in_browser=True")
    browser = Browser(tmp_path / "profile")
    try:
        _wait_ok(base, token, server)
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1400, "height": 1100, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        url = f"{base}/lab/tree/explore.ipynb?token={token}&reset"
        browser.send("Page.navigate", {"url": url}, session=session)
        _until(browser, session, LAB_READY, "the notebook to open")
        _until(browser, session, KERNEL_IDLE, "the kernel to start")
        assert _evaluate(browser, session, RUN_ALL) is True
        before = _until(browser, session, SUMMARY_ROWS, "the explorer's summary table")
        assert {"Pakistan", "Russia", "United States"} <= set(before)
        _evaluate(browser, session, CHOOSE_ACTOR)
        after = _until(
            browser,
            session,
            f"(() => {{ const r = {SUMMARY_ROWS}; return r.length === 1 ? r : null; }})()",
            "the table to change",
        )
        assert after == ["Russia"]
        _evaluate(browser, session, SCROLL_TO_EXPLORER)
        _screenshot(browser, session, ARTIFACTS / "lab-explorer-table.png")
        assert _evaluate(browser, session, CLICK_EVIDENCE) > 0
        focus = _until(browser, session, ARTICLE_FOCUS, "the evidence in the annotated article")
        assert "Russia" in focus or "Russian" in focus or "Moscow" in focus
        _screenshot(browser, session, ARTIFACTS / "lab-explorer-article.png")
        requests = [
            e["params"]["request"]["url"]
            for e in browser.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
        outside = [u for u in requests if not u.startswith((base, "data:", "blob:", "ws:"))]
        assert outside == [], "requests left the machine"
    finally:
        browser.close()
        _stop(server)
