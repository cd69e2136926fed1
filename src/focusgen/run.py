"""The library entry point: Scenario -> World -> chunks -> FOCUS dialect -> files + summary."""

from __future__ import annotations

import ctypes
import json
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from focusgen import __version__
from focusgen.engine.canonical import canonical_schema
from focusgen.engine.chunk import build_chunk
from focusgen.engine.closing import build_closing
from focusgen.engine.planner import DEFAULT_CHUNK_ROWS, Chunk, plan_chunks
from focusgen.focus.dialect import output_schema, project
from focusgen.scenario.model import Scenario
from focusgen.sinks.layout import part_path
from focusgen.sinks.summary import Totals, write_summary
from focusgen.sinks.writers import EXTENSIONS, FileWriter
from focusgen.supplemental import ExtraOutput, extra_outputs
from focusgen.world.build import build_world

Progress = Callable[[int, int], None]


@dataclass
class RunSummary:
    """What a run wrote: rows, files, cost totals, and how long it took."""

    output: Path
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
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> RunSummary:
    """Generate the scenario's dataset into ``scenario.output.path`` and return its summary.

    >>> from focusgen import Scenario, generate
    >>> summary = generate(Scenario(providers="aws", rows=2000, output={"path": "/tmp/fg"}))
    >>> abs(summary.rows - 2000) <= 40
    True
    """
    began = time.perf_counter()
    _map_large_allocations()
    world = build_world(scenario)
    chunks = plan_chunks(world, chunk_rows)
    out = scenario.output_path
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".focusgen-staging-{int(time.time() * 1000)}"
    staging.mkdir()
    schema = output_schema(scenario.focus_version, canonical_schema())
    totals = Totals()
    files: list[str] = []
    writers: dict[str, FileWriter] = {}
    sums: dict[tuple[int, int], np.ndarray] = {}
    growth = scenario.profile_settings.monthly_growth
    done = 0
    layout, fmt = scenario.output.layout, scenario.output.format

    def write(rel: str, table: pa.Table, provider: str, month: str, last: bool) -> None:
        writer = writers.get(rel)
        if writer is None:
            writer = writers[rel] = FileWriter(staging / rel, fmt, schema)
        writer.write(table)
        totals.add(table, provider, month)
        if last:
            writers.pop(rel).close()

    # One thread writes chunk k while the main thread builds chunk k + 1 (Arrow's writers
    # and most numpy kernels release the GIL); at most two chunks are alive at once.
    io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="focusgen-write")
    pending: Future | None = None
    try:
        for chunk in chunks:
            pw = world.providers[chunk.provider]
            month_label = world.timeline.month_label(chunk.month)
            table = project(
                _run_chunk(world, chunk, scenario.seed, growth, sums), scenario.focus_version
            )
            rel = str(part_path(layout, fmt, pw.provider, month_label, chunk.part))
            if rel not in files:
                files.append(rel)
            last = layout != "provider" or _last_of_provider(chunks, chunk)
            if pending is not None:
                pending.result()
            pending = io.submit(write, rel, table, pw.provider, month_label, last)
            done += table.num_rows
            del table
            if progress is not None:
                progress(done, world.expected_rows)
        if pending is not None:
            pending.result()
        io.shutdown()
        for extra in extra_outputs(world, scenario, totals):
            files.append(_write_extra(staging, extra, fmt))
        _publish(staging, out, files)
    except BaseException:
        io.shutdown(cancel_futures=True)
        for writer in writers.values():
            writer.abort()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    content = {
        "generator": {"name": "focusgen", "version": __version__},
        "focus_version": scenario.focus_version,
        "dataset": "CostAndUsage",
        "seed": scenario.seed,
        "scenario": json.loads(scenario.model_dump_json()),
        "expected_rows": world.expected_rows,
        "files": files,
        "totals": totals.as_dict(),
    }
    write_summary(out / "summary.json", content)
    return RunSummary(
        output=out,
        rows=totals.rows,
        expected_rows=world.expected_rows,
        files=files,
        totals=totals.as_dict(),
        seconds=time.perf_counter() - began,
        scenario=scenario,
    )


def _map_large_allocations() -> None:
    """Serve large numpy buffers from mmap so freed chunks go straight back to the OS.

    glibc otherwise raises its mmap threshold after the first big free and keeps chunk
    buffers in a heap that only grows; a fixed threshold keeps peak RSS flat.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_threshold = -3
    libc.mallopt(m_mmap_threshold, 256 * 1024)


def _run_chunk(world, chunk: Chunk, seed: int, growth: float, sums: dict):
    pw = world.providers[chunk.provider]
    key = (chunk.provider, chunk.month)
    if chunk.closing:
        month_sums = sums.pop(key, None)
        if month_sums is None:
            month_sums = np.zeros((len(pw.org.sub_id), len(pw.services.name), 4))
        return build_closing(pw, chunk.month, month_sums)
    table, chunk_sums = build_chunk(pw, chunk, seed, growth)
    if key in sums:
        sums[key] += chunk_sums.values
    else:
        sums[key] = chunk_sums.values
    return table


def _write_extra(staging: Path, extra: ExtraOutput, fmt: str) -> str:
    """Write a supplemental output into the staging folder; return its relative path."""
    if extra.table is not None:
        rel = extra.path + EXTENSIONS[fmt]
        writer = FileWriter(staging / rel, fmt, extra.table.schema)
        try:
            writer.write(extra.table)
        except BaseException:
            writer.abort()
            raise
        writer.close()
        return rel
    target = staging / extra.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(extra.text or "")
    return extra.path


def _last_of_provider(chunks: list[Chunk], chunk: Chunk) -> bool:
    later = [c for c in chunks if c.provider == chunk.provider]
    return later[-1] is chunk


def _publish(staging: Path, out: Path, files: list[str]) -> None:
    """Replace a previous run's files with this run's, then the summary is written last."""
    previous = out / "summary.json"
    if previous.is_file():
        try:
            old = json.loads(previous.read_text()).get("files", [])
        except (json.JSONDecodeError, OSError):
            old = []
        previous.unlink()
        for rel in old:
            (out / rel).unlink(missing_ok=True)
    for rel in files:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).replace(target)
