"""Executors: process pool and a real dask LocalCluster give the serial tables; failures named."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.executors import (
    DASK_CHUNK_UNITS,
    ExecutorError,
    dask_chunk_size,
    iter_processes,
    map_dask,
    map_processes,
)

from .conftest import SEED


def _corpus(tmp_path: Path, n: int) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for i in range(n):
        article = "\n".join(lines[:2] + lines[2 + i % 4 :])
        (tmp_path / f"doc{i:02d}.txt").write_text(article, encoding="utf-8")
    return tmp_path


def _die_on_three(unit: int, _arg: object) -> int:
    if unit == 3:
        os._exit(1)
    return unit * 2


def _square(unit: int, _arg: object) -> int:
    return unit * unit


def _mark(unit: int, folder: str) -> int:
    time.sleep(0.05)
    (Path(folder) / f"{unit}.done").touch()
    return unit


def test_process_pool_stopped_early_drops_queued_work(tmp_path: Path):
    # A caller that stops reading (an error, Ctrl-C) must not wait for all queued documents.
    results = iter_processes(_mark, list(range(400)), str(tmp_path), jobs=2)
    assert next(results) == 0
    results.close()
    time.sleep(0.5)  # let a chunk already running finish, as it would
    assert len(list(tmp_path.glob("*.done"))) < 400


def test_iter_processes_yields_in_input_order():
    assert list(iter_processes(_square, list(range(50)), None, jobs=2)) == [
        i * i for i in range(50)
    ]


def test_process_pool_worker_death_names_documents():
    with pytest.raises(ExecutorError, match="not analysed"):
        map_processes(_die_on_three, list(range(20)), None, jobs=2)


def test_process_pool_keeps_order():
    assert map_processes(_square, list(range(40)), None, jobs=2) == [i * i for i in range(40)]


@pytest.mark.slow
def test_dask_local_cluster_matches_serial(tmp_path: Path):
    corpus = _corpus(tmp_path, 10)
    serial = analysis.analyze(corpus)
    on_dask = analysis.analyze(corpus, scheduler="dask", jobs=2)
    for name, df in serial.tables().items():
        pd.testing.assert_frame_equal(df, on_dask.tables()[name])
    assert map_dask(_square, list(range(12)), None, workers=2) == [i * i for i in range(12)]


@pytest.mark.slow
def test_dask_worker_death_names_documents():
    # The worker running unit 3 exits; the scheduler gives up on its task after the allowed
    # retries, and the run fails naming the units (from that task on) never analysed.
    with pytest.raises(
        ExecutorError, match=r"a dask worker died; \d+ document\(s\) not analysed: .*3"
    ):
        map_dask(_die_on_three, list(range(20)), None, workers=2)


def test_dask_chunks_are_large_but_every_worker_gets_several():
    assert dask_chunk_size(10_000, 2) == DASK_CHUNK_UNITS
    assert dask_chunk_size(1_000, 2) == 125  # 8 tasks
    assert dask_chunk_size(10, 2) == 2
    assert dask_chunk_size(1, 16) == 1
    assert dask_chunk_size(0, 2) == 1
    assert dask_chunk_size(100, 0) == 25  # no worker known yet: counted as one


def test_dask_unreachable_scheduler_fails_fast():
    start = time.monotonic()
    with pytest.raises(ExecutorError, match="no answer"):
        map_dask(_square, [1, 2], None, address="tcp://127.0.0.1:9")
    assert time.monotonic() - start < 10


def test_streaming_parquet_partitions_equal_in_memory_tables(tmp_path: Path):
    from analysis.pipeline import analyze_to_parquet

    corpus = _corpus(tmp_path / "corpus", 5)
    whole = analysis.analyze(corpus)
    summary = analyze_to_parquet(corpus, tmp_path / "out", partition_docs=2)
    assert (summary.documents, summary.partitions, summary.failures) == (5, 3, [])
    for name, df in whole.tables().items():
        parts = sorted((tmp_path / "out" / name).glob("part-*.parquet"))
        assert len(parts) == 3
        streamed = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        assert list(streamed.columns) == list(df.columns)
        assert len(streamed) == len(df)
        pd.testing.assert_series_equal(
            streamed["doc_id"].astype(str), df["doc_id"].astype(str), check_names=False
        )
        if "start" in df.columns:
            assert list(streamed["start"]) == list(df["start"])
