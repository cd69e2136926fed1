"""The library entry point: Scenario -> World -> chunks -> FOCUS dialect -> files + summary."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from focusgen import __version__
from focusgen.engine.planner import Chunk, plan_chunks
from focusgen.executors.dask import DaskExecutor
from focusgen.executors.lanes import Lanes, lanes_available
from focusgen.executors.pool import process_pool
from focusgen.executors.tasks import (
    ChunkResult,
    Job,
    chunk_rel,
    chunk_table,
    file_format,
    provider_schema,
    run_chunk,
    world_for,
)
from focusgen.memory import return_free_pages
from focusgen.scenario.model import Scenario
from focusgen.sinks.native import DAILY_EXPORTS, manifests
from focusgen.sinks.storage import Storage, StorageOptions, check_uri
from focusgen.sinks.summary import ChunkTotals, Totals, chunk_totals
from focusgen.sinks.writers import EXTENSIONS, FileWriter
from focusgen.supplemental import ExtraOutput, extra_outputs
from focusgen.world.model import World

Progress = Callable[[int, int], None]
PARALLEL_MIN_ROWS = 50_000


@dataclass
class RunSummary:
    """What a run wrote: rows, files, cost totals, and how long it took."""

    output: Path | str
    rows: int
    expected_rows: int
    files: list[str]
    totals: dict[str, Any]
    seconds: float
    scenario: Scenario = field(repr=False)

    @property
    def rows_per_second(self) -> float:
        """Throughput of the whole run."""
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def generate(
    scenario: Scenario,
    *,
    progress: Progress | None = None,
    chunk_rows: int | None = None,
    workers: int | None = None,
    dask_client: Any = None,
    storage_options: StorageOptions | None = None,
) -> RunSummary:
    """Generate the scenario's dataset into ``scenario.output.path`` and return its summary.

    ``workers`` is how many cores the run keeps busy: 1 builds and writes every chunk in
    turn on one core; more run chunks in parallel (see ``plan_workers``); None, the
    default, uses every core this process may run on. ``dask_client`` (a
    ``distributed.Client``) runs chunks on its cluster instead. The output path may be a
    folder or ``s3://bucket/prefix`` (``storage_options`` and the AWS variables say how to
    reach it). Every executor and worker count writes byte-identical files.

    >>> from focusgen import Scenario, generate
    >>> summary = generate(Scenario(providers="aws", rows=2000, output={"path": "/tmp/fg"}))
    >>> abs(summary.rows - 2000) <= 40
    True
    """
    if workers is None:
        workers = available_cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r}: must be an integer >= 1 or None (every core)")
    problem = check_uri(scenario.output.path)
    if problem:
        raise ValueError(f"output.path={scenario.output.path!r}: {problem}")
    began = time.perf_counter()
    wait_for_shutdowns()  # no fork while an earlier pool's threads are still closing
    scenario_json = scenario.model_dump_json()
    # Built through the task module's cache (which also applies the memory policy) so
    # forked workers inherit the world.
    world = world_for(scenario_json)[1]
    executor = lanes = closer = None
    try:
        chunks = plan_chunks(world, chunk_rows, daily_files(world, scenario))
        shared_files = scenario.output.layout == "provider"
        mode = "dask" if dask_client is not None else plan_workers(workers, chunks, shared_files)
        # Chunks that write their own files run in lanes: this process and forked copies
        # of it. Elsewhere, and where tables travel back to one writer, a pool runs them.
        use_lanes = mode == "processes" and not shared_files and lanes_available()
        if mode == "dask":
            executor = DaskExecutor(dask_client)
        elif mode == "processes" and not use_lanes:
            executor = process_pool(workers, scenario_json)
        storage = Storage(scenario.output.path, storage_options or StorageOptions())
        staging_rel = f".focusgen-staging-{int(time.time() * 1000)}-{os.getpid()}"
        job = Job(scenario_json, storage.child(staging_rel), write=not shared_files)
        run = _Run(scenario, world, chunks, storage, staging_rel, progress)
        try:
            storage.makedirs(staging_rel)
            if use_lanes:
                lanes = Lanes(workers - 1, job, chunks)
                run.in_lanes(lanes)
                closer = _shut_down_in_background(lanes.close)
            elif executor is None:
                run.in_process(overlap_writes=mode == "pipeline")
            else:
                run.parallel(
                    executor,
                    job,
                    limit=2 * workers if dask_client is None else _dask_slots(dask_client),
                )
                if mode == "processes":
                    closer = _shut_down_in_background(executor.shutdown)
            for rel, text in native_manifests(world, scenario, run.files, run.file_rows).items():
                run.staging.write_text(rel, text)
                run.files.append(rel)
            for extra in extra_outputs(world, scenario, run.totals):
                run.files.append(
                    _write_extra(storage.child(staging_rel), extra, scenario.output.format)
                )
            _publish(storage, staging_rel, run.files)
        except BaseException:
            if lanes is not None and closer is None:
                lanes.kill()  # before the staging folder goes: lanes write into it
            run.abort()
            with contextlib.suppress(Exception):
                storage.delete_tree(staging_rel)
            raise
        with contextlib.suppress(OSError):
            storage.delete_tree(staging_rel)
    finally:
        if executor is not None and closer is None:
            executor.shutdown(wait=True, cancel_futures=True)
        # Workers have their own copies; the caller's process need not keep the world.
        world_for.cache_clear()
        return_free_pages()
    content = {
        "generator": {"name": "focusgen", "version": __version__},
        "focus_version": scenario.focus_version,
        "dataset": "CostAndUsage",
        "seed": scenario.seed,
        "scenario": json.loads(scenario_json),
        "expected_rows": world.expected_rows,
        "files": run.files,
        "totals": run.totals.as_dict(),
    }
    # The summary, then _SUCCESS, are written last: readers that wait for them never see
    # a half-published run.
    storage.write_text("summary.json", json.dumps(content, indent=2, sort_keys=True) + "\n")
    storage.write_text("_SUCCESS", "")
    return RunSummary(
        output=storage.display() if storage.remote else Path(scenario.output.path),
        rows=run.totals.rows,
        expected_rows=world.expected_rows,
        files=run.files,
        totals=run.totals.as_dict(),
        seconds=time.perf_counter() - began,
        scenario=scenario,
    )


# Pool shutdowns still running on their own threads (see _shut_down_in_background).
_shutting_down: list[threading.Thread] = []


def _shut_down_in_background(shutdown: Callable[[], None]) -> threading.Thread:
    """Shut worker processes down on their own thread while this one publishes.

    Every chunk is back by then. Worker processes take ~10-20 ms to exit and be joined
    after a 1M-row run; meanwhile this process moves files, writes the summary and returns
    to its caller. The next run, and the interpreter's exit (atexit, which the CLI's fast
    exit also runs), wait for the threads first.
    """
    closer = threading.Thread(target=shutdown, name="focusgen-shutdown")
    closer.start()
    _shutting_down.append(closer)
    return closer


def wait_for_shutdowns() -> None:
    """Join the pool shutdowns of earlier runs still running in the background."""
    while _shutting_down:
        _shutting_down.pop().join()


atexit.register(wait_for_shutdowns)


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def plan_workers(workers: int, chunks: list[Chunk], shared_files: bool) -> str:
    """How to keep ``workers`` cores busy on these chunks: serial, pipeline or processes.

    One core builds and writes chunks in turn ("serial"). With more, chunks that write
    their own part files run in worker processes; when many chunks append to one file
    (the provider layout) the tables would have to travel back to this process, so two
    cores are better spent on one thread building while another writes ("pipeline").
    A run of one usage chunk has nothing to share, and one under ``PARALLEL_MIN_ROWS``
    rows is done before a pool of processes would have started.
    """
    usage_chunks = sum(not chunk.closing for chunk in chunks)
    rows = sum(chunk.rows for chunk in chunks)
    if workers == 1 or usage_chunks < 2 or rows < PARALLEL_MIN_ROWS:
        return "serial"
    if shared_files and workers == 2:
        return "pipeline"
    return "processes"


class _Run:
    """One run's state: chunk plan, cost sums per month, totals, open writers, files."""

    def __init__(self, scenario, world, chunks, storage, staging_rel, progress) -> None:
        self.scenario, self.world, self.chunks = scenario, world, chunks
        self.staging = storage.child(staging_rel)
        self.progress = progress
        self.totals = Totals()
        self.files: list[str] = []
        self.file_rows: dict[str, int] = {}
        self.writers: dict[str, FileWriter] = {}
        self.done = 0
        self.last_of_file = _last_chunk_of_file(world, scenario, chunks)

    def labels(self, chunk: Chunk) -> tuple[str, str]:
        return (
            self.world.providers[chunk.provider].provider,
            self.world.timeline.month_label(chunk.month),
        )

    def record(self, chunk: Chunk, rel: str, totals: ChunkTotals) -> None:
        """Account for a chunk in chunk order (totals are float sums: order matters)."""
        if rel not in self.files:
            self.files.append(rel)
        self.file_rows[rel] = self.file_rows.get(rel, 0) + totals.rows
        self.totals.merge(totals, *self.labels(chunk))
        self.done += totals.rows
        if self.progress is not None:
            self.progress(self.done, self.world.expected_rows)

    def write(self, chunk: Chunk, rel: str, table: pa.Table) -> None:
        writer = self.writers.get(rel)
        if writer is None:
            schema = provider_schema(self.world, self.scenario, chunk.provider)
            writer = self.writers[rel] = FileWriter(
                rel,
                file_format(self.world, self.scenario, chunk.provider),
                schema,
                storage=self.staging,
                compression=self.scenario.output.parquet_codec,
            )
        writer.write(table)
        if self.last_of_file[rel] is chunk:
            self.writers.pop(rel).close()

    def in_process(self, overlap_writes: bool) -> None:
        """Build and write chunks here, in order.

        With ``overlap_writes`` a second thread writes chunk k while this one builds chunk
        k + 1 (Arrow's writers and most numpy kernels release the GIL); at most two chunks
        are alive at once. Without it one chunk is alive at a time, on one core.
        """
        sums: dict[tuple[int, int], np.ndarray] = {}
        io = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="focusgen-write")
            if overlap_writes
            else None
        )
        pending: tuple[Chunk, str, Future] | None = None

        def write(chunk: Chunk, rel: str, table: pa.Table) -> ChunkTotals:
            self.write(chunk, rel, table)
            return chunk_totals(table)

        try:
            for chunk in self.chunks:
                key = (chunk.provider, chunk.month)
                table, chunk_sums = chunk_table(
                    self.world, self.scenario, chunk, sums.pop(key, None) if chunk.closing else None
                )
                if chunk_sums is not None:
                    _add_sums(sums, key, chunk_sums)
                rel = chunk_rel(self.world, self.scenario, chunk)
                if io is None:
                    self.record(chunk, rel, write(chunk, rel, table))
                    del table
                    continue
                if pending is not None:
                    self.record(pending[0], pending[1], pending[2].result())
                pending = (chunk, rel, io.submit(write, chunk, rel, table))
                del table
            if pending is not None:
                self.record(pending[0], pending[1], pending[2].result())
        finally:
            if io is not None:
                io.shutdown(cancel_futures=True)

    def in_lanes(self, lanes: Lanes) -> None:
        """Build usage chunks here while the other lanes do too; record all in chunk order.

        A closing chunk is built here once every usage chunk before it is recorded: its
        month's cost sums are then complete, added in chunk order.
        """
        results: dict[int, ChunkResult] = {}
        sums: dict[tuple[int, int], np.ndarray] = {}
        cursor = 0

        def record_ready() -> None:
            nonlocal cursor
            while cursor < len(self.chunks):
                chunk = self.chunks[cursor]
                key = (chunk.provider, chunk.month)
                if chunk.closing:
                    result = lanes.run_here(cursor, sums.pop(key, None))
                elif cursor in results:
                    result = results.pop(cursor)
                    _add_sums(sums, key, result.sums)
                else:
                    return
                self.record(chunk, result.rel, result.totals)
                cursor += 1

        while (index := lanes.take()) is not None:
            results[index] = lanes.run_here(index)
            results.update(lanes.collect(block=False))
            record_ready()
        record_ready()
        while cursor < len(self.chunks):
            if not lanes.pending():
                raise RuntimeError(f"no worker process sent chunk {cursor}'s result")
            results.update(lanes.collect(block=True))
            record_ready()

    def parallel(self, executor, job: Job, limit: int) -> None:
        """Submit chunk tasks, at most ``limit`` in flight; take results in chunk order.

        A closing chunk needs its month's cost sums, added in chunk order; it is
        submitted as soon as the last usage chunk of its month is back.
        """
        sums: dict[tuple[int, int], np.ndarray] = {}
        waiting: dict[tuple[int, int], int] = {}
        queue: deque[list] = deque()
        deferred: dict[tuple[int, int], list] = {}

        def submit(entry: list, month_sums) -> None:
            entry[1] = executor.submit(run_chunk, job, entry[0], month_sums)

        def drain() -> None:
            chunk, future = queue[0]
            key = (chunk.provider, chunk.month)
            result = future.result()
            queue.popleft()
            if not chunk.closing:
                _add_sums(sums, key, result.sums)
                waiting[key] -= 1
                if not waiting[key] and key in deferred:
                    submit(deferred.pop(key), sums.pop(key))
            if result.table is not None:
                self.write(chunk, result.rel, result.table)
            self.record(chunk, result.rel, result.totals)

        try:
            for chunk in self.chunks:
                key = (chunk.provider, chunk.month)
                entry = [chunk, None]
                queue.append(entry)
                if not chunk.closing:
                    waiting[key] = waiting.get(key, 0) + 1
                    submit(entry, None)
                elif waiting.get(key, 0):
                    deferred[key] = entry
                else:
                    submit(entry, sums.pop(key, None))
                while len(queue) >= limit and queue[0][1] is not None:
                    drain()
            while queue:
                drain()
        except BaseException:
            for _chunk, future in queue:
                if future is not None:
                    future.cancel()
            raise

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()
        self.writers.clear()


def _add_sums(sums: dict, key: tuple[int, int], values: np.ndarray) -> None:
    # The first chunk's array is taken as is, later ones added, always in chunk order:
    # the closing rows then see the same floats whatever ran the chunks.
    if key in sums:
        sums[key] = sums[key] + values
    else:
        sums[key] = values


def _dask_slots(client: Any) -> int:
    threads = sum(client.nthreads().values()) if hasattr(client, "nthreads") else 2
    return max(2, 2 * threads)


def _last_chunk_of_file(world, scenario, chunks: list[Chunk]) -> dict[str, Chunk]:
    last: dict[str, Chunk] = {}
    for chunk in chunks:
        last[chunk_rel(world, scenario, chunk)] = chunk
    return last


def daily_files(world: World, scenario: Scenario) -> frozenset[int]:
    """Providers whose native export writes one folder of files per day (OCI)."""
    if not scenario.output.native:
        return frozenset()
    return frozenset(i for i, pw in enumerate(world.providers) if pw.provider in DAILY_EXPORTS)


def native_manifests(
    world: World, scenario: Scenario, files: list[str], file_rows: dict[str, int]
) -> dict[str, str]:
    """The manifests native exports write beside their data (none in other layouts)."""
    if not scenario.output.native:
        return {}
    out: dict[str, str] = {}
    for index, pw in enumerate(world.providers):
        schema = provider_schema(world, scenario, index)
        columns = [(f.name, _type_name(f.type)) for f in schema]
        out.update(
            manifests(
                pw.provider,
                files,
                file_rows,
                columns,
                seed=scenario.seed,
                focus_version=scenario.focus_version,
                billing_account=str(pw.org.billing_id[0]),
            )
        )
    return out


def _type_name(kind: pa.DataType) -> str:
    if pa.types.is_dictionary(kind) or pa.types.is_string(kind):
        return "string"
    if pa.types.is_timestamp(kind):
        return "timestamp"
    return "double"


def _write_extra(staging: Storage, extra: ExtraOutput, fmt: str) -> str:
    """Write a supplemental output into the staging folder; return its relative path."""
    if extra.table is not None:
        rel = extra.path + EXTENSIONS[fmt]
        writer = FileWriter(rel, fmt, extra.table.schema, storage=staging)
        try:
            writer.write(extra.table)
        except BaseException:
            writer.abort()
            raise
        writer.close()
        return rel
    staging.write_text(extra.path, extra.text or "")
    return extra.path


def _publish(storage: Storage, staging_rel: str, files: list[str]) -> None:
    """Replace a previous run's files with this run's; the summary is written after this."""
    storage.delete("_SUCCESS")
    previous = storage.read_text("summary.json")
    if previous is not None:
        try:
            old = json.loads(previous).get("files", [])
        except json.JSONDecodeError:
            old = []
        storage.delete("summary.json")
        for rel in old:
            if rel not in files:
                storage.delete(rel)
    for rel in files:
        storage.move(f"{staging_rel}/{rel}", rel)
