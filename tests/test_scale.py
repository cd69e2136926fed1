"""Parallel and distributed runs: byte-identical to one process, whatever runs the chunks."""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from focusgen import generate, load_scenario
from focusgen.engine.planner import (
    CHUNK_SLACK,
    DEFAULT_CHUNK_ROWS,
    MAX_CHUNK_LINES,
    MIN_CHUNK_ROWS,
    Chunk,
    _period_runs,
    default_chunk_rows,
    plan_chunks,
    rows_per_period,
)
from focusgen.executors import lanes as lanes_module
from focusgen.executors import tasks
from focusgen.executors.tasks import chunk_table, world_for
from focusgen.run import _shutting_down, plan_workers, wait_for_shutdowns
from focusgen.world.build import build_world

# Small chunks so every month has several usage chunks and the closing chunk needs their
# sums added in order.
CHUNK_ROWS = 4_000


@pytest.fixture(autouse=True)
def parallel_small_runs(monkeypatch):
    """Let these small runs use worker processes (real runs this size stay in one)."""
    monkeypatch.setattr("focusgen.run.PARALLEL_MIN_ROWS", 0)


def digests(folder: Path) -> dict[str, str]:
    """Hash of every file under a folder; summary.json without its (differing) output path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name == "summary.json":
            content = json.loads(data)
            content["scenario"]["output"].pop("path")
            data = json.dumps(content, sort_keys=True).encode()
        out[str(path.relative_to(folder))] = hashlib.sha256(data).hexdigest()
    return out


def run(folder: Path, fmt: str, layout: str = "billing-period", **kwargs) -> dict[str, str]:
    scenario = load_scenario(
        None,
        providers="aws,gcp",
        rows=30_000,
        months=2,
        granularity="daily",
        seed=3,
        output_path=str(folder),
        output_format=fmt,
        output_layout=layout,
    )
    generate(scenario, chunk_rows=CHUNK_ROWS, **kwargs)
    return digests(folder)


@pytest.mark.parametrize(
    ("fmt", "layout", "workers"),
    [
        ("parquet", "billing-period", 2),  # this process and a forked lane write parts
        ("parquet", "billing-period", 3),  # and two forked lanes
        ("csv", "billing-period", 2),
        ("parquet", "provider", 2),  # one thread builds while another writes
        ("parquet", "provider", 3),  # worker processes send tables back to one writer
    ],
)
def test_more_workers_write_the_same_bytes_as_one(tmp_path, fmt, layout, workers):
    one = run(tmp_path / "one", fmt, layout, workers=1)
    many = run(tmp_path / "many", fmt, layout, workers=workers)
    assert len(one) > 3 and one == many
    assert "_SUCCESS" in one and not any(".focusgen-staging" in rel for rel in many)


def test_default_chunking_and_every_core_write_the_same_bytes_as_one_core(tmp_path):
    def default_run(folder: Path, **kwargs) -> dict[str, str]:
        scenario = load_scenario(
            None, providers="aws", rows=300_000, months=1, seed=5, output_path=str(folder)
        )
        generate(scenario, **kwargs)
        return digests(folder)

    one = default_run(tmp_path / "one", workers=1)
    parts = [rel for rel in one if rel.endswith(".parquet")]
    # The default plan cuts a run this size into several chunks, whatever the workers.
    assert len(parts) >= 3
    assert default_run(tmp_path / "auto") == one
    assert default_run(tmp_path / "two", workers=2) == one


def test_worker_processes_are_gone_once_background_shutdowns_are_joined(tmp_path):
    summary_files = run(tmp_path / "a", "parquet", workers=2)
    assert "summary.json" in summary_files and "_SUCCESS" in summary_files
    # The next run waits for the previous pool, so two runs never overlap their pools.
    run(tmp_path / "b", "parquet", workers=2)
    assert len(_shutting_down) == 1  # the second run's pool, still closing or closed
    wait_for_shutdowns()
    assert not _shutting_down
    assert not multiprocessing.active_children()


def _chunk_log(monkeypatch, tmp_path, fail=None):
    """Log which process builds each chunk; ``fail(chunk)`` may break it (in any process)."""
    log = tmp_path / "chunks.log"
    real = tasks.run_chunk

    def logged(job, chunk, month_sums):
        if fail is not None:
            fail(chunk)
        with log.open("a") as out:
            out.write(f"{os.getpid()} {chunk.provider} {chunk.month} {chunk.part}\n")
        return real(job, chunk, month_sums)

    monkeypatch.setattr(tasks, "run_chunk", logged)
    monkeypatch.setattr(lanes_module, "run_chunk", logged)
    return log


def test_lanes_build_every_chunk_once_and_share_them(tmp_path, monkeypatch):
    log = _chunk_log(monkeypatch, tmp_path)
    files = run(tmp_path / "two", "parquet", workers=2)
    entries = [line.split() for line in log.read_text().splitlines()]
    built = [tuple(entry[1:]) for entry in entries]
    assert len(built) == len(set(built))  # no chunk twice
    parts = [rel for rel in files if rel.endswith(".parquet")]
    assert len(parts) == len(built) > 4  # and none left out: each chunk writes one part
    pids = {entry[0] for entry in entries}
    assert str(os.getpid()) in pids and len(pids) == 2  # this process and one forked lane


def test_lane_results_larger_than_a_pipe_holds_still_arrive(tmp_path, monkeypatch):
    # Each forked lane's result carries 3 MB more than any pipe holds: a lane then waits,
    # mid-send, until this process reads between its own chunks. The run must neither hang
    # nor change a byte.
    parent, real = os.getpid(), lanes_module.run_chunk

    def heavy(job, chunk, month_sums):
        result = real(job, chunk, month_sums)
        if os.getpid() != parent:
            result.table = pa.table({"padding": np.zeros(3 << 17)})
        return result

    monkeypatch.setattr(lanes_module, "run_chunk", heavy)
    two = run(tmp_path / "two", "parquet", workers=2)
    assert two == run(tmp_path / "one", "parquet", workers=1)


def _fail_in_a_lane(parent: int, action):
    def fail(chunk):
        if os.getpid() != parent:
            action()

    return fail


def _raise():
    raise RuntimeError("disk on fire")


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (_raise, "disk on fire"),
        (lambda: os._exit(3), "worker process stopped unexpectedly \\(exit code 3\\)"),
    ],
)
def test_a_failing_lane_fails_the_run_and_leaves_nothing(tmp_path, monkeypatch, action, message):
    _chunk_log(monkeypatch, tmp_path, fail=_fail_in_a_lane(os.getpid(), action))
    # Forked lanes start at once and the run has ~20 chunks: they take some.
    with pytest.raises(RuntimeError, match=message):
        run(tmp_path / "out", "parquet", workers=3)
    leftovers = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert leftovers == []
    assert not multiprocessing.active_children()


def test_dask_local_cluster_writes_the_same_bytes_as_a_local_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = run(tmp_path / "local", "parquet", workers=1)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run(tmp_path / "dask", "parquet", dask_client=client)
    assert on_dask == local


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_bad_worker_count_is_refused(tmp_path, workers):
    scenario = load_scenario(None, providers="aws", rows=1000, output_path=str(tmp_path / "x"))
    with pytest.raises(ValueError, match="workers"):
        generate(scenario, workers=workers)
    assert not (tmp_path / "x").exists()


def test_default_chunks_split_each_month_evenly():
    scenario = load_scenario(None, providers="aws,azure", rows=1_000_000, months=2, seed=9)
    world = build_world(scenario)
    chunks = plan_chunks(world)
    limit = default_chunk_rows(world)
    assert MIN_CHUNK_ROWS <= limit <= DEFAULT_CHUNK_ROWS
    usage = [chunk for chunk in chunks if not chunk.closing]
    for key in {(chunk.provider, chunk.month) for chunk in usage}:
        rows = [c.rows for c in usage if (c.provider, c.month) == key]
        busiest = int(rows_per_period(world, key[0]).max())
        assert max(rows) <= limit * (1 + CHUNK_SLACK) + busiest, key
        # No short remainder chunk, and pairs of chunks for two workers.
        assert max(rows) - min(rows) <= 2 * busiest, (key, rows)
        assert len(rows) == 1 or len(rows) % 2 == 0, (key, rows)


@given(
    st.lists(st.integers(0, 3_000), min_size=1, max_size=300),
    st.integers(1_000, 300_000),
    st.booleans(),
)
def test_period_runs_cover_the_periods_in_near_equal_shares(counts, chunk_rows, even):
    counts = np.array(counts, dtype=np.int64)
    runs = _period_runs(counts, 0, len(counts), chunk_rows, None, even)
    assert runs[0][0] == 0 and runs[-1][1] == len(counts)
    assert all(first[1] == then[0] and first[0] < first[1] for first, then in pairwise(runs))
    assert [rows for _, _, rows, _, _ in runs] == [int(counts[a:b].sum()) for a, b, *_ in runs]
    share, peak = counts.sum() / len(runs), int(counts.max())
    # Each cut lands on the period boundary nearest its share of the rows.
    assert all(share - peak - 1 <= rows <= share + peak + 1 for _, _, rows, _, _ in runs)
    assert max(rows for _, _, rows, _, _ in runs) <= chunk_rows * (1 + CHUNK_SLACK) + peak + 1
    if even and 2 * peak < share and len(runs) > 1:
        assert len(runs) % 2 == 0


def _chunks(usage: int, rows: int = 100_000) -> list[Chunk]:
    return [Chunk(0, 0, i, i, i + 1, rows) for i in range(usage)] + [
        Chunk(0, 0, usage, 1, 1, 0, closing=True)
    ]


@pytest.mark.parametrize(
    ("workers", "usage_chunks", "shared_files", "mode"),
    [
        (1, 8, False, "serial"),  # one core: build and write in turn
        (1, 8, True, "serial"),
        (2, 1, False, "serial"),  # nothing to share between two cores
        (2, 8, False, "processes"),  # each process writes its own part files
        (2, 8, True, "pipeline"),  # one file: build on one thread, write on another
        (4, 8, True, "processes"),
    ],
)
def test_worker_plan(workers, usage_chunks, shared_files, mode):
    assert plan_workers(workers, _chunks(usage_chunks), shared_files) == mode


def test_small_runs_stay_in_one_process(monkeypatch):
    monkeypatch.setattr("focusgen.run.PARALLEL_MIN_ROWS", 50_000)
    assert plan_workers(4, _chunks(8, rows=50_000 // 8 - 1), False) == "serial"
    assert plan_workers(4, _chunks(8, rows=50_000 // 8 + 1), False) == "processes"


def test_periods_sliced_by_line_still_count_their_rows(monkeypatch):
    # 20k daily rows in one month: ~650 a day, so 200-row chunks split the lines in groups.
    scenario = load_scenario(None, providers="aws", rows=20_000, months=1, granularity="daily")
    world = build_world(scenario)
    chunks = plan_chunks(world, chunk_rows=200)
    sliced = [chunk for chunk in chunks if chunk.line_hi != 2**31 - 1 or chunk.line_lo]
    assert sliced, "the plan should slice periods by line"
    assert all(chunk.rows > 0 for chunk in sliced)
    assert sum(chunk.rows for chunk in chunks) == int(rows_per_period(world, 0).sum())
    # A plan of line slices is as big as its rows say, so worker processes share it.
    monkeypatch.setattr("focusgen.run.PARALLEL_MIN_ROWS", 10_000)
    assert plan_workers(2, chunks, shared_files=False) == "processes"


def test_tiled_months_cover_every_line_and_period_once(tmp_path):
    # ~650 rows a day against 300-row chunks: the month is tiled (line groups x days).
    fields = dict(providers="aws", rows=20_000, months=1, granularity="daily", seed=4)
    usage = [
        chunk
        for chunk in plan_chunks(build_world(load_scenario(None, **fields)), 300)
        if not chunk.closing
    ]
    assert any(chunk.end - chunk.start > 1 and chunk.line_hi < 2**31 - 1 for chunk in usage)

    def rows_by_key(chunk_rows: int) -> dict:
        folder = tmp_path / str(chunk_rows)
        scenario = load_scenario(None, **fields, output_path=str(folder), output_layout="provider")
        generate(scenario, chunk_rows=chunk_rows, workers=1)
        keys = ["ChargePeriodStart", "ChargeCategory", "ResourceId"]
        table = pq.read_table(folder / "aws.parquet", columns=keys)
        grouped = table.group_by(keys, use_threads=False).aggregate([([], "count_all")])
        return {tuple(row[k] for k in keys): row["count_all"] for row in grouped.to_pylist()}

    # Each resource's rows per charge period and category: the same as one chunk a month.
    assert rows_by_key(300) == rows_by_key(10**6)


@given(st.lists(st.integers(0, 200_000), min_size=1, max_size=4))
def test_bigger_worlds_get_smaller_chunks(lines_per_provider):
    def world(counts: list[int]) -> SimpleNamespace:
        providers = [SimpleNamespace(lines=SimpleNamespace(start=range(n))) for n in counts]
        return SimpleNamespace(providers=providers)

    rows = default_chunk_rows(world(lines_per_provider))
    assert MIN_CHUNK_ROWS <= rows <= DEFAULT_CHUNK_ROWS
    if sum(lines_per_provider) <= MAX_CHUNK_LINES:
        assert rows == DEFAULT_CHUNK_ROWS
    # One more line never buys a bigger chunk.
    assert default_chunk_rows(world([*lines_per_provider, 1])) <= rows


@pytest.fixture
def crowded_months(monkeypatch):
    """A month of a few dozen lines counts as crowded, so small runs are tiled by line."""
    monkeypatch.setattr("focusgen.engine.planner.MAX_CHUNK_LINES", 8)
    return dict(providers="aws,gcp", rows=60_000, months=2, granularity="hourly", seed=3)


@pytest.mark.parametrize("chunk_rows", [6_000, 8_000])
def test_line_tiles_hold_the_rows_they_plan_evenly(crowded_months, chunk_rows):
    scenario, world = world_for(load_scenario(None, **crowded_months).model_dump_json())
    chunks = plan_chunks(world, chunk_rows)
    assert any(chunk.line_lo > 0 for chunk in chunks), "crowded months should be tiled by line"
    runs: dict[tuple, list[Chunk]] = {}
    for chunk in chunks:
        if not chunk.closing:
            assert chunk_table(world, scenario, chunk, None)[0].num_rows == chunk.rows
            runs.setdefault((chunk.provider, chunk.start, chunk.end), []).append(chunk)
    for (provider, start, end), run_chunks in runs.items():
        lines = world.providers[provider].lines
        widest = (end - start) * int(lines.shares.max() if len(lines.shares) else 1)
        rows = [chunk.rows for chunk in run_chunks]
        # Each cut overshoots its share by less than one line's rows in the run.
        assert max(rows) - min(rows) <= 2 * widest, (provider, start, end, rows)
        # Tiles come in pairs, so two workers finish a run together.
        assert len(run_chunks) == 1 or len(run_chunks) % 2 == 0, (provider, start, end, rows)


def test_line_tiles_write_the_same_bytes_whatever_the_workers(tmp_path, crowded_months):
    def tiled_run(folder: Path, workers: int) -> dict[str, str]:
        scenario = load_scenario(None, **crowded_months, output_path=str(folder))
        generate(scenario, chunk_rows=8_000, workers=workers)
        return digests(folder)

    one = tiled_run(tmp_path / "one", 1)
    assert sum(rel.endswith(".parquet") for rel in one) > 8
    assert tiled_run(tmp_path / "two", 2) == one


@pytest.mark.parametrize("enabled_before", [True, False])
def test_world_build_runs_without_gc_collections_and_restores_the_setting(enabled_before):
    scenario = load_scenario(None, providers="aws", rows=20_000, seed=11, output_path="/tmp/x")
    collections: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    world_for.cache_clear()
    was_enabled = gc.isenabled()
    gc.callbacks.append(watch)
    try:
        (gc.enable if enabled_before else gc.disable)()
        world_for(scenario.model_dump_json())
        assert gc.isenabled() is enabled_before
    finally:
        gc.callbacks.remove(watch)
        (gc.enable if was_enabled else gc.disable)()
        world_for.cache_clear()
    # Unpaused, the build sets off dozens of collections. Paused, at most the one young
    # pass that the first allocation after re-enabling sets off, and never a full one
    # (which walks every loaded module).
    assert len(collections) <= (1 if enabled_before else 0) and 2 not in collections
