"""Executing report notebooks: papermill on a kernel started ahead of need, one report after
another or in a process pool, each failure named with its failing cell."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.io import atomic_write_text
from analysis.report.export import _exporter, notebook_to_html
from analysis.report.plan import ReportJob, ReportOutcome, _sha256_bytes

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager
    from nbformat import NotebookNode

__all__ = ["KERNEL_NAME", "normalise_notebook", "render_reports", "skip_slow_imports"]

#: The kernel every report runs on: this environment's Python with ipykernel.
KERNEL_NAME = "python3"
#: Seconds a single cell may run before the report is failed: a cell of these notebooks takes
#: seconds, so ten minutes means a hung kernel, not a slow analysis.
CELL_TIMEOUT_S = 600
#: Seconds to wait for a kernel to start: generous because several start at once on small machines.
KERNEL_START_TIMEOUT_S = 120
#: Run in a kernel started ahead of need, while the previous notebook executes: see
#: :func:`warm_up` (it fills caches and changes no result).
KERNEL_WARMUP_CODE = "import analysis.report\nanalysis.report.warm_up()"
#: Fixed string hashing in kernels, so that no set or dict order can vary between runs.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def skip_slow_imports() -> None:
    """Keep nbformat's import from loading rfc3987-syntax (about 6 s).

    rfc3987-syntax, an optional format checker of jsonschema (pulled in by jupyter-events),
    compiles a grammar when imported; nbformat's notebook schema has no IRI field, so the report
    command goes without it. Called by the report command and its workers, never on importing
    the package.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


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


def _render_in_pool(
    jobs: Sequence[ReportJob],
    out: str,
    workers: int,
    done: Callable[[int, ReportOutcome], None],
) -> None:
    """Render ``jobs`` in ``workers`` processes, calling ``done(i, outcome)`` as each ends."""
    n = len(jobs)
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_init_worker,
        initargs=(out,),
    )
    try:
        # A worker prestarts a kernel only while more jobs remain than workers.
        futures = {
            pool.submit(_render_in_worker, job, i + workers < n): i for i, job in enumerate(jobs)
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
            _render_in_pool(jobs, out, min(workers, n), done)
    finally:
        bar.close()
    return [outcomes[i] for i in range(n)]
