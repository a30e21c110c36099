"""The rendered reports in a real browser: headless Chromium driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe`` (commands on fd 3, replies on fd 4), so no
port is opened and nothing beyond the standard library is needed. Each page is checked for its
sections and figures being visible, for no request leaving the page, for no console error and no
JavaScript dialog; a full-page screenshot is kept in ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SEED_ID = "000_bd50dbdc2ca17a54"
#: Flags from the issue: headless, no sandbox (containers), nothing phoning home.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)
#: Seconds to wait for Chromium's answer to one command (generous: CI machines are shared).
REPLY_TIMEOUT_S = 60
ARTICLE_SECTIONS = (
    "Key findings",
    "Actor mentions and salience",
    "Sentiment toward each actor",
    "Quotations",
    "Themes",
    "Actor co-occurrence",
    "Keyword in context",
    "The article as analysed",
    "Provenance",
)
CORPUS_SECTIONS = (
    "Key findings",
    "Articles",
    "Actor mentions and salience",
    "Sentiment toward each actor",
    "Comparing groups of outlets",
    "Quotations: who is quoted most",
    "Themes",
    "Actor co-occurrence",
    "Keyness",
    "Provenance",
)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        _chromium() is None,
        reason="chromium not installed (apt-get install chromium; .ci/run installs it)",
    ),
]


def _high(fd: int) -> int:
    """A copy of ``fd`` numbered 10 or more (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """A headless Chromium and a DevTools-protocol session over its debugging pipe."""

    def __init__(self, profile: Path) -> None:
        # Pipe ends numbered 10 and up, which bash (not dash: it stops at 9) maps onto fds 3 and
        # 4 without one overwriting the other; no preexec_fn, as the test process has threads.
        to_chrome_r, self._to_chrome = (_high(fd) for fd in os.pipe())
        self._from_chrome, from_chrome_w = (_high(fd) for fd in os.pipe())
        wiring = (
            f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w} '
            f"{to_chrome_r}<&- {from_chrome_w}>&-"
        )
        self.proc = subprocess.Popen(
            [
                shutil.which("bash") or "bash",
                "-c",
                wiring,
                str(_chromium()),
                *FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_chrome_r, from_chrome_w),
            start_new_session=True,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send a command and wait for its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(REPLY_TIMEOUT_S)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = REPLY_TIMEOUT_S) -> dict[str, Any]:
        """Wait for an event (one already received counts)."""
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self._read(deadline - time.monotonic())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise TimeoutError(method)

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chrome], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("no message from chromium")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.fixture
def browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    b = Browser(tmp_path / "profile")  # a fresh profile for every test
    try:
        yield b
    finally:
        b.close()


#: JavaScript run in the page: which headings and figures are visible (non-zero size, not hidden).
PAGE_PROBE = """
(() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const headings = [...document.querySelectorAll('h1, h2')]
    .filter(visible).map((h) => h.textContent.trim());
  const images = [...document.querySelectorAll('img')].map((img) => ({
    loaded: img.complete && img.naturalWidth > 0, visible: visible(img),
    data: img.src.startsWith('data:image/png;base64,'), alt: img.alt,
  }));
  return JSON.stringify({
    headings, images, text: document.body.innerText,
    scripts: document.querySelectorAll('script').length,
    height: document.documentElement.scrollHeight,
  });
})()
"""


def _open(browser: Browser, page: Path, screenshot: str) -> dict[str, Any]:
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    for domain in ("Page", "Network", "Runtime", "Log"):
        browser.send(f"{domain}.enable", session=session)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    browser.events.clear()
    browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
    browser.wait_for("Page.loadEventFired")
    probe = browser.send(
        "Runtime.evaluate", {"expression": PAGE_PROBE, "returnByValue": True}, session=session
    )
    state: dict[str, Any] = json.loads(probe["result"]["value"])
    height = min(int(state["height"]), 16000)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1200, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / screenshot).write_bytes(base64.b64decode(shot["data"]))
    return state


def _problems(browser: Browser, page: Path) -> dict[str, list[str]]:
    own = page.resolve().as_uri()
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    return {
        "requests leaving the page": [
            u for u in requests if u != own and not u.startswith("data:")
        ],
        "console errors": [
            json.dumps(e["params"])[:300]
            for e in browser.events
            if (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
            or e.get("method") == "Runtime.exceptionThrown"
            or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
        ],
        "dialogs": [
            json.dumps(e["params"])
            for e in browser.events
            if e.get("method") == "Page.javascriptDialogOpening"
        ],
    }


@pytest.mark.parametrize(
    ("page", "sections", "min_figures"),
    [
        (f"article-{SEED_ID}.html", ARTICLE_SECTIONS, 2),
        ("corpus.html", CORPUS_SECTIONS, 2),
        ("index.html", ("Corpus", "Articles (1)"), 0),
    ],
)
def test_committed_report_in_a_real_browser(
    browser: Browser, page: str, sections: tuple[str, ...], min_figures: int
) -> None:
    path = ROOT / "reports" / page
    state = _open(browser, path, f"browser-{Path(page).stem}.png")
    assert _problems(browser, path) == {
        "requests leaving the page": [],
        "console errors": [],
        "dialogs": [],
    }
    for section in sections:
        assert section in state["headings"], f"{section!r} not visible in {page}"
    assert state["scripts"] == 0
    images = state["images"]
    assert len(images) >= min_figures
    assert all(i["loaded"] and i["visible"] and i["data"] and i["alt"] for i in images), images
    assert (ARTIFACTS / f"browser-{Path(page).stem}.png").stat().st_size > 10_000


def test_markup_in_an_article_shows_as_text(
    browser: Browser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    article = tmp_path / "markup.txt"
    article.write_text(
        "Talks <script>alert(1)</script> in Moscow\n\n"
        "Pakistan and Russia held talks. “<script>alert(1)</script> is what we reject,” said "
        "the Russian ambassador to Pakistan. <img src=x onerror=alert(2)> The United States "
        "watched.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(
        [
            "report",
            str(article),
            "--out",
            str(out),
            "--no-corpus",
            "--jobs",
            "1",
            "--no-progress",
            "-p",
            "kwic_terms",
            "[reject, watched]",
        ]
    )
    assert code == 0, capsys.readouterr().err
    path = out / "article-markup.html"
    state = _open(browser, path, "browser-markup.png")
    assert _problems(browser, path) == {
        "requests leaving the page": [],
        "console errors": [],
        "dialogs": [],
    }
    assert "Talks <script>alert(1)</script> in Moscow" in state["text"]
    assert "<script>alert(1)</script> is what we" in state["text"]  # keyword in context
    assert "<img src=x onerror=alert(2)> The United States" in state["text"]
    assert state["scripts"] == 0
    # The article as analysed: the markup shows as text there too, with each mention's note.
    assert "The article as analysed" in state["headings"]
    annotated = state["text"][state["text"].index("The article as analysed") :]
    assert "<script>alert(1)</script> is what we reject" in annotated
    assert "[Russia:" in annotated and "voice]" in annotated
