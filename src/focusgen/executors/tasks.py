"""One chunk's work, the same in-process, in a worker process or on a Dask worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

import numpy as np
import pyarrow as pa

from focusgen.engine.canonical import canonical_schema
from focusgen.engine.chunk import anomaly_masks, build_chunk
from focusgen.engine.closing import build_closing
from focusgen.engine.planner import Chunk
from focusgen.engine.statics import statics
from focusgen.focus.dialect import output_schema, project
from focusgen.gcpause import gc_paused
from focusgen.memory import apply_memory_policy
from focusgen.providers.extensions import extension_columns, extension_fields, extension_lookups
from focusgen.scenario.model import Scenario
from focusgen.sinks.layout import part_path
from focusgen.sinks.native import FilePlace, native_format, native_path
from focusgen.sinks.storage import Storage
from focusgen.sinks.summary import ChunkTotals, chunk_totals
from focusgen.sinks.writers import FileWriter
from focusgen.world.build import build_world
from focusgen.world.model import World


@dataclass(frozen=True)
class Job:
    """What every chunk task of a run shares; small and picklable.

    With ``write`` the task writes its own part file under ``staging``; without it the
    task sends its table back (layouts where several chunks share one file).
    """

    scenario_json: str
    staging: Storage
    write: bool


@dataclass
class ChunkResult:
    """What a task returns: where it wrote, its totals and cost sums, maybe its table."""

    rel: str
    totals: ChunkTotals
    sums: np.ndarray | None
    table: pa.Table | None = None


def chunk_table(
    world: World, scenario: Scenario, chunk: Chunk, month_sums: np.ndarray | None
) -> tuple[pa.Table, np.ndarray | None]:
    """A chunk's rows in the run's FOCUS version, and its cost sums (None for closing)."""
    pw = world.providers[chunk.provider]
    if chunk.closing:
        if month_sums is None:
            month_sums = zero_sums(world, chunk.provider)
        table, sums = build_closing(pw, chunk.month, month_sums), None
    else:
        growth = scenario.profile_settings.monthly_growth
        table, chunk_sums = build_chunk(pw, chunk, scenario.seed, growth)
        sums = chunk_sums.values
    extras = (
        extension_columns(pw, table, scenario.output.native) if scenario.output.extensions else {}
    )
    return project(table, scenario.focus_version, extras), sums


def provider_schema(world: World, scenario: Scenario, provider: int) -> pa.Schema:
    """The output schema of one provider's files: FOCUS columns, then its extensions."""
    out = scenario.output
    extras = (
        extension_fields(world.providers[provider].provider, out.native) if out.extensions else []
    )
    return output_schema(scenario.focus_version, canonical_schema(), extras)


def zero_sums(world: World, provider: int) -> np.ndarray:
    """Cost sums of a month without usage chunks."""
    pw = world.providers[provider]
    return np.zeros((len(pw.org.sub_id), len(pw.services.name), 4))


def chunk_rel(world: World, scenario: Scenario, chunk: Chunk) -> str:
    """Relative path of the file a chunk's rows go to."""
    out = scenario.output
    provider = world.providers[chunk.provider].provider
    month = world.timeline.month_label(chunk.month)
    if out.native:
        timeline = world.providers[chunk.provider].timeline
        # A native daily folder holds the file of the day its last charge period falls in
        # (a month's closing chunk, which has no periods, goes to the month's last day).
        month_end = int(timeline.month_bounds[chunk.month + 1])
        last = min(max(chunk.end - 1, chunk.start), month_end - 1)
        day_us = int(timeline.period_start_us(np.array([last]))[0])
        place = FilePlace(
            provider=provider,
            fmt=file_format(world, scenario, chunk.provider),
            month=date.fromisoformat(month + "-01"),
            part=chunk.part,
            day=datetime.fromtimestamp(day_us / 1_000_000, tz=UTC).date(),
            seed=scenario.seed,
        )
        return native_path(place)
    return str(part_path(out.layout, out.format, provider, month, chunk.part))


def file_format(world: World, scenario: Scenario, provider: int) -> str:
    """The format of a provider's files (native exports use the provider's own)."""
    out = scenario.output
    if out.native:
        return native_format(world.providers[provider].provider, out.format)
    return out.format


@lru_cache(maxsize=2)
def world_for(scenario_json: str) -> tuple[Scenario, World]:
    """The scenario and its world, built once per process and run."""
    # Building the world is deterministic and takes a fraction of a second, so a worker
    # rebuilds it once per run instead of receiving it.
    # The build allocates many objects, most kept for the run and none cyclic garbage; a
    # full collection it would trigger walks every loaded module too (~15-25 ms, serial
    # time before the workers start).
    with gc_paused():
        scenario = Scenario.model_validate_json(scenario_json)
        apply_memory_policy()  # here, not in generate(): Dask workers start with this
        world = build_world(scenario)
        # Every chunk reads these per-world tables; built here, forked workers inherit
        # them instead of each building its own on its first chunk.
        for pw in world.providers:
            statics(pw)
            anomaly_masks(pw)
            if scenario.output.extensions:
                extension_lookups(pw)
    return scenario, world


def warm(scenario_json: str) -> None:
    """Build a worker's world ahead of its first chunk."""
    world_for(scenario_json)


def run_chunk(job: Job, chunk: Chunk, month_sums: np.ndarray | None) -> ChunkResult:
    """Build one chunk; write it under the staging folder or hand its table back."""
    scenario, world = world_for(job.scenario_json)
    table, sums = chunk_table(world, scenario, chunk, month_sums)
    rel = chunk_rel(world, scenario, chunk)
    totals = chunk_totals(table)
    if not job.write:
        return ChunkResult(rel, totals, sums, table)
    schema = provider_schema(world, scenario, chunk.provider)
    writer = FileWriter(
        rel,
        file_format(world, scenario, chunk.provider),
        schema,
        storage=job.staging,
        compression=scenario.output.parquet_codec,
    )
    try:
        writer.write(table)
        del table
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return ChunkResult(rel, totals, sums)
