"""Ways to map the per-document step over a corpus: in process, a process pool, or dask.

Every executor returns results in input order, so the tables are identical whichever runs them.
The process pool is the standard library's; dask.distributed is used for clusters (a
``LocalCluster`` when no scheduler address is given) rather than a home-made scheduler.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from tqdm.auto import tqdm

from analysis.errors import AnalysisError

__all__ = [
    "ExecutorError",
    "iter_dask",
    "iter_processes",
    "iter_serial",
    "map_dask",
    "map_processes",
    "map_serial",
]

T = TypeVar("T")
R = TypeVar("R")

#: Work units sent to a worker at once: amortises pickling without starving other workers.
CHUNK_UNITS = 8
#: Work units per dask task at most: each task costs a scheduler round trip over TCP, so dask
#: gets larger chunks than the process pool (measured with two workers: 32 cut 1,500 documents
#: from 36.5 s to 33.3 s against 8; 128 cut 2,000 from 35.5-36.6 s to 31.9-33.7 s against 32).
DASK_CHUNK_UNITS = 128
#: Dask tasks per worker at least (smaller chunks for a small corpus), so that no worker waits
#: long while another finishes the last large chunk.
DASK_TASKS_PER_WORKER = 4
#: Seconds to wait for a dask scheduler to answer: the error must come within 10 s in all.
SCHEDULER_TIMEOUT_S = 5
#: Progress bars appear (on a terminal) only for runs with at least this many units.
PROGRESS_MIN_UNITS = 50


class ExecutorError(AnalysisError):
    """A run that could not finish: names the work units that were not analysed."""


def _progress(total: int, enabled: bool | None, desc: str) -> Any:
    if enabled is None:
        enabled = total >= PROGRESS_MIN_UNITS and sys.stderr.isatty()
    return tqdm(total=total, disable=not enabled, desc=desc, unit="doc", file=sys.stderr)


def _describe(units: Sequence[Any], limit: int = 5) -> str:
    names = [str(getattr(u, "id", u)) for u in units[:limit]]
    more = f" and {len(units) - limit} more" if len(units) > limit else ""
    return ", ".join(names) + more


def iter_serial(
    fn: Callable[[T, Any], R], units: Sequence[T], arg: Any, *, progress: bool | None = None
) -> Iterator[R]:
    """``fn(u, arg)`` for each unit in turn, with an optional progress bar."""
    with _progress(len(units), progress, "analyse") as bar:
        for unit in units:
            yield fn(unit, arg)
            bar.update(1)


def map_serial(
    fn: Callable[[T, Any], R], units: Sequence[T], arg: Any, *, progress: bool | None = None
) -> list[R]:
    """``[fn(u, arg) for u in units]`` with an optional progress bar."""
    return list(iter_serial(fn, units, arg, progress=progress))


def _run_chunk(fn: Callable[[T, Any], R], chunk: Sequence[T], arg: Any) -> list[R]:
    return [fn(u, arg) for u in chunk]


def _chunks(units: Sequence[T], size: int) -> list[Sequence[T]]:
    return [units[i : i + size] for i in range(0, len(units), size)]


def iter_processes(
    fn: Callable[[T, Any], R],
    units: Sequence[T],
    arg: Any,
    *,
    jobs: int,
    progress: bool | None = None,
) -> Iterator[R]:
    """``fn(u, arg)`` for each unit, computed by ``jobs`` worker processes, yielded in input
    order as soon as each is ready (so the caller need not hold them all).

    Raises:
        ExecutorError: A worker died; the message names the units not analysed.
    """
    chunks = _chunks(units, CHUNK_UNITS)
    with (
        _progress(len(units), progress, "analyse") as bar,
        ProcessPoolExecutor(max_workers=jobs) as pool,
    ):
        futures = deque(pool.submit(_run_chunk, fn, chunk, arg) for chunk in chunks)
        try:
            for i in range(len(chunks)):
                future = futures.popleft()  # dropped once yielded, so results do not pile up
                try:
                    chunk_result = future.result()
                except BrokenProcessPool:
                    missing = [u for c in chunks[i:] for u in c]
                    raise ExecutorError(
                        f"a worker process died; {len(missing)} document(s) not analysed: "
                        f"{_describe(missing)}"
                    ) from None
                bar.update(len(chunks[i]))
                yield from chunk_result
        except BaseException:
            # an error, Ctrl-C or a caller that stops early: do not wait for the queued work
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def map_processes(
    fn: Callable[[T, Any], R],
    units: Sequence[T],
    arg: Any,
    *,
    jobs: int,
    progress: bool | None = None,
) -> list[R]:
    """Map ``fn(u, arg)`` over ``units`` with ``jobs`` worker processes, in input order.

    Raises:
        ExecutorError: A worker died; the message names the units not analysed.
    """
    return list(iter_processes(fn, units, arg, jobs=jobs, progress=progress))


def map_dask(
    fn: Callable[[T, Any], R],
    units: Sequence[T],
    arg: Any,
    *,
    address: str | None = None,
    workers: int = 2,
    progress: bool | None = None,
) -> list[R]:
    """Map ``fn(u, arg)`` over ``units`` on a dask.distributed cluster, in input order (see
    :func:`iter_dask`)."""
    return list(iter_dask(fn, units, arg, address=address, workers=workers, progress=progress))


def dask_chunk_size(n_units: int, n_workers: int) -> int:
    """Work units per dask task: :data:`DASK_CHUNK_UNITS` at most, and small enough that each
    worker gets :data:`DASK_TASKS_PER_WORKER` tasks."""
    per_worker = -(-n_units // (DASK_TASKS_PER_WORKER * max(1, n_workers)))
    return max(1, min(DASK_CHUNK_UNITS, per_worker))


def iter_dask(
    fn: Callable[[T, Any], R],
    units: Sequence[T],
    arg: Any,
    *,
    address: str | None = None,
    workers: int = 2,
    progress: bool | None = None,
) -> Iterator[R]:
    """``fn(u, arg)`` for each unit, computed on a dask.distributed cluster, yielded in input
    order as soon as each is ready (results that finish early wait in memory).

    Args:
        fn: The per-unit function (must be importable on the workers).
        units: Work units.
        arg: Second argument for every call (settings).
        address: A scheduler address (``tcp://host:8786``); None starts a ``LocalCluster`` of
            ``workers`` single-threaded processes on loopback.
        workers: Worker processes of the local cluster.
        progress: Show a progress bar (None: on a terminal, for long runs).

    Raises:
        ExecutorError: The scheduler did not answer within ``SCHEDULER_TIMEOUT_S`` seconds, or
            a worker died (the message names the documents not analysed).
    """
    import dask
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if address is None:
            # without a dashboard nobody reads the workers' statistical profiler, which
            # samples the running task's stack every 10 ms (taking the GIL from it)
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            client = Client(cluster, timeout=SCHEDULER_TIMEOUT_S)
        else:
            client = Client(address, timeout=SCHEDULER_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ExecutorError(
            f"dask scheduler {address or 'LocalCluster'}: no answer within "
            f"{SCHEDULER_TIMEOUT_S} s ({type(exc).__name__})"
        ) from None
    chunks = _chunks(units, dask_chunk_size(len(units), sum(client.nthreads().values())))
    done: dict[int, list[R]] = {}
    next_chunk = 0
    try:
        futures = [
            client.submit(_run_chunk, fn, chunk, arg, pure=False, retries=0) for chunk in chunks
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        with _progress(len(units), progress, "analyse (dask)") as bar:
            for future in as_completed(futures):
                i = index[future.key]
                try:
                    done[i] = future.result()
                except Exception as exc:
                    if type(exc).__name__ != "KilledWorker":
                        raise
                    missing = [
                        u
                        for j, c in enumerate(chunks)
                        if j >= next_chunk and j not in done
                        for u in c
                    ]
                    raise ExecutorError(
                        f"a dask worker died; {len(missing)} document(s) not analysed: "
                        f"{_describe(missing)}"
                    ) from None
                future.release()
                bar.update(len(chunks[i]))
                while next_chunk in done:
                    yield from done.pop(next_chunk)
                    next_chunk += 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
