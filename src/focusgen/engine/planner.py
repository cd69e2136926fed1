"""Split the run into chunks: (provider, billing period, range of days) slices of bounded size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from focusgen.world.model import World

DEFAULT_CHUNK_ROWS = 400_000


@dataclass(frozen=True)
class Chunk:
    """One unit of work; its key seeds its random stream and names its output part."""

    provider: int
    month: int
    part: int
    start: int
    end: int
    rows: int
    closing: bool = False

    @property
    def key(self) -> tuple[int, int, int]:
        """(provider, month, part): the spawn key of the chunk's random stream."""
        return (self.provider, self.month, self.part)


def rows_per_period(world: World, provider: int) -> np.ndarray:
    """Usage, unused-commitment and purchase rows in each charge period of a provider."""
    pw = world.providers[provider]
    n = world.timeline.n_periods
    diff = np.zeros(n + 1, dtype=np.int64)
    np.add.at(diff, pw.lines.start, 1)
    np.add.at(diff, pw.lines.end, -1)
    c = pw.commitments
    if len(c):
        np.add.at(diff, np.clip(c.start, 0, n), 1)
        np.add.at(diff, np.clip(c.end, 0, n), -1)
    counts = np.cumsum(diff)[:n]
    from focusgen.world.schedule import purchase_schedule

    schedule = purchase_schedule(c, world.timeline)
    np.add.at(counts, schedule.start, 1)
    return counts


def plan_chunks(world: World, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> list[Chunk]:
    """Chunks in output order: per provider, per month, day ranges then the closing chunk."""
    timeline = world.timeline
    per_day = 24 if timeline.granularity == "hourly" else 1
    bounds = timeline.month_bounds
    chunks: list[Chunk] = []
    for p in range(len(world.providers)):
        counts = rows_per_period(world, p)
        for m in range(timeline.months):
            lo, hi = int(bounds[m]), int(bounds[m + 1])
            day_edges = np.arange(lo, hi + 1, per_day)
            day_rows = np.add.reduceat(counts[lo:hi], day_edges[:-1] - lo) if hi > lo else []
            part, start, acc = 0, lo, 0
            for d, rows in enumerate(day_rows):
                acc += int(rows)
                end = int(day_edges[d + 1])
                if acc >= chunk_rows or end == hi:
                    chunks.append(Chunk(p, m, part, start, end, acc))
                    part, start, acc = part + 1, end, 0
            chunks.append(Chunk(p, m, part, hi, hi, 0, closing=True))
    return chunks
