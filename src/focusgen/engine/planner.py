"""Split the run into chunks: (provider, billing period, period range, line range) slices."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from focusgen.world.keys import distinct
from focusgen.world.model import ProviderWorld, World

# Rows per chunk of a small world: at 125K rows a 1M-row run splits evenly over two
# workers, and a 10M-row serial run peaks 60 MB lower than at 300K rows for about 1% more
# time (measured). Every process holds the whole world, which grows with the rows asked
# for, so a bigger world gets smaller chunks (``default_chunk_rows``) and a run's peak
# memory stays put. The plan depends on the scenario alone, never on the workers, so the
# random streams keyed by it do too.
DEFAULT_CHUNK_ROWS = 125_000
# Beyond ~10M rows the world outweighs any chunk, and smaller chunks only cost time (100M
# rows with 32K-row chunks: 124 s against 99 s on one core, for 15% less memory).
MIN_CHUNK_ROWS = 80_000
# Lines (resource x SKU) one chunk may hold: a month with more is tiled, so a chunk's
# dictionaries (resource ids, names, tags) and Parquet dictionary pages stay as small as
# a 1M-row run's whatever the world's size (AWS hourly, 10M rows, one core, with the chunk
# sizes below: 9.92 s against 11.47 s, files of 361 against 406 MB).
MAX_CHUNK_LINES = 2048
# Chunk rows given up per world line beyond MAX_CHUNK_LINES: a line costs the world about
# as much memory as this many chunk rows cost a chunk (measured at 10M rows).
ROWS_PER_WORLD_LINE = 3


@dataclass(frozen=True)
class Chunk:
    """One unit of work; its key seeds its random stream and names its output part.

    A chunk covers charge periods ``[start, end)`` and the provider's lines
    ``[line_lo, line_hi)``; only a chunk starting at line 0 also carries the period's
    commitment rows (unused capacity, purchases).
    """

    provider: int
    month: int
    part: int
    start: int
    end: int
    rows: int
    line_lo: int = 0
    line_hi: int = 2**31 - 1
    closing: bool = False

    @property
    def key(self) -> tuple[int, int, int]:
        """(provider, month, part): the spawn key of the chunk's random stream."""
        return (self.provider, self.month, self.part)


def rows_per_period(world: World, provider: int) -> np.ndarray:
    """Usage, unused-commitment and purchase rows in each charge period of a provider."""
    pw = world.providers[provider]
    n = pw.timeline.n_periods
    diff = np.zeros(n + 1, dtype=np.int64)
    shares = pw.lines.shares.astype(np.int64) if len(pw.lines.shares) else 1
    np.add.at(diff, pw.lines.start, shares)
    np.add.at(diff, pw.lines.end, -shares)
    c = pw.commitments
    if len(c):
        np.add.at(diff, np.clip(c.start, 0, n), 1)
        np.add.at(diff, np.clip(c.end, 0, n), -1)
    counts = np.cumsum(diff)[:n]
    if pw.reservations is not None:
        counts += len(pw.reservations)
    schedule = pw.schedule
    np.add.at(counts, schedule.start, 1)
    return counts


def default_chunk_rows(world: World) -> int:
    """Rows per chunk for this world: fewer as its lines grow, so peak memory does not."""
    lines = sum(len(pw.lines.start) for pw in world.providers)
    excess = max(0, lines - MAX_CHUNK_LINES)
    return max(MIN_CHUNK_ROWS, DEFAULT_CHUNK_ROWS - ROWS_PER_WORLD_LINE * excess)


def plan_chunks(
    world: World, chunk_rows: int | None = None, daily: frozenset[int] = frozenset()
) -> list[Chunk]:
    """Chunks in output order: per provider, per month, period ranges then the closing chunk.

    A month whose busiest period holds more rows than a chunk, or which has more than
    ``MAX_CHUNK_LINES`` lines, is tiled instead: its lines are split into groups and each
    chunk covers one group over a run of periods. Chunks of the providers in ``daily``
    never span two days (their native exports deliver one folder of files per day).
    ``chunk_rows`` defaults to ``default_chunk_rows(world)``.
    """
    if chunk_rows is None:
        chunk_rows = default_chunk_rows(world)
    chunks: list[Chunk] = []
    for p, pw in enumerate(world.providers):
        # Each provider has its own charge-period grain (same billing months).
        bounds = pw.timeline.month_bounds
        per_day = 24 // pw.timeline.period_hours
        counts = rows_per_period(world, p)
        for m in range(world.timeline.months):
            lo, hi = int(bounds[m]), int(bounds[m + 1])
            day = per_day if p in daily else None
            crowded = int(np.count_nonzero((pw.lines.start < hi) & (pw.lines.end > lo)))
            by_line = _line_groups(crowded, int(counts[lo:hi].sum()), chunk_rows)
            if hi > lo and (counts[lo:hi].max() > chunk_rows or by_line > 1):
                month = _tiles(pw, counts, lo, hi, chunk_rows, day, crowded, by_line)
            else:
                month = _period_runs(counts, lo, hi, chunk_rows, day)
            for part, (start, end, rows, line_lo, line_hi) in enumerate(month):
                chunks.append(Chunk(p, m, part, start, end, rows, line_lo, line_hi))
            chunks.append(Chunk(p, m, len(month), hi, hi, 0, closing=True))
    return chunks


# Periods a tile spans when a month's lines must be split: each resource then repeats
# within its chunk (a day of hourly rows) instead of appearing once per single-period
# slice, which keeps per-chunk dictionaries and Parquet dictionary pages small.
TILE_PERIODS = 24
_ALL_LINES = 2**31 - 1
# A stretch of periods up to 2% over a multiple of the chunk rows spreads the excess over
# its chunks instead of cutting one more: a 1M-row hourly AWS month (1,000,513 usage and
# commitment rows) is 8 chunks of ~125,000 rows, not 8 full ones and a 5,900-row ninth.
CHUNK_SLACK = 0.02


def _period_runs(
    counts: np.ndarray, lo: int, hi: int, chunk_rows: int, day: int | None, even: bool = True
) -> list[tuple[int, int, int, int, int]]:
    """Consecutive periods cut into runs of about equal rows, all lines in each run.

    A stretch of periods (the month, or each day where ``day`` says exports go by day) is
    cut into as many runs as ``chunk_rows`` asks for, each as close to an equal share of
    the rows as whole periods allow: no short remainder chunk, whose fixed cost (~10 ms
    to build and write, from AWS hourly chunks of 31K to 250K rows) and lone tail would
    hold the other workers back. ``even`` rounds the count up to an
    even number, so two workers finish the stretch together.
    """
    out = []
    cuts = range(lo, hi, day) if day else [lo]
    for a in cuts:
        b = min(hi, (a // day + 1) * day) if day else hi
        rows = counts[a:b].astype(np.int64)
        total = int(rows.sum())
        runs = max(1, -(-total // int(chunk_rows * (1 + CHUNK_SLACK))))
        if even and runs > 1:
            runs += runs % 2
        runs = min(runs, b - a)
        through = np.cumsum(rows)
        targets = total * np.arange(1, runs) // runs
        # Cut after the period whose running total comes closest to each share.
        after = np.searchsorted(through, targets)
        before = np.where(after > 0, through[np.maximum(after - 1, 0)], 0)
        edges = np.where(through[after] - targets <= targets - before, after + 1, after)
        edges = distinct(edges[(edges > 0) & (edges < b - a)])
        bounds = [0, *edges.tolist(), b - a]
        for first, last in pairwise(bounds):
            out.append((a + first, a + last, int(rows[first:last].sum()), 0, _ALL_LINES))
    return out


def _line_groups(crowded: int, month_rows: int, chunk_rows: int) -> int:
    """Line groups that keep a month's chunks to MAX_CHUNK_LINES lines each.

    Never more groups than the month's rows fill: a daily month has few periods, and
    narrower groups would leave its chunks short of rows.
    """
    return min(-(-crowded // MAX_CHUNK_LINES), -(-month_rows // chunk_rows))


def _tiles(
    pw: ProviderWorld,
    counts: np.ndarray,
    lo: int,
    hi: int,
    chunk_rows: int,
    day: int | None,
    crowded: int,
    by_line: int,
) -> list[tuple[int, int, int, int, int]]:
    """Line groups x period runs: each chunk is one group of lines over several periods.

    A run of periods holds ``groups`` chunks' rows. Its lines are cut where their rows add
    up to equal shares (the first group also carries the run's commitment rows), so each
    tile holds about ``chunk_rows`` rows however long its lines live. ``crowded`` is the
    number of lines live in the month, ``by_line`` the groups they need (``_line_groups``).
    """
    span = min(TILE_PERIODS, day) if day else TILE_PERIODS
    lines = pw.lines
    peak = int(counts[lo:hi].max())
    # Enough groups that a tile spans ``span`` periods of its busiest period, and that it
    # holds at most MAX_CHUNK_LINES lines.
    groups = max(1, min(crowded, max(-(-peak * span // chunk_rows), by_line)))
    # An even number of tiles per run: two workers (the common laptop) then finish a run
    # together instead of one idling through its last tile.
    groups = min(crowded, groups + groups % 2) if groups > 1 else groups
    shares = lines.shares.astype(np.int64) if len(lines.shares) else 1
    out = []
    runs = _period_runs(counts, lo, hi, chunk_rows * groups, day, even=False)
    for start, end, rows, _, _ in runs:
        if groups == 1 or rows == 0:
            out.append((start, end, rows, 0, _ALL_LINES))
            continue
        periods = np.clip(np.minimum(lines.end, end) - np.maximum(lines.start, start), 0, None)
        usage = np.cumsum(periods * shares)
        # Rows up to and including each line; whatever is not usage is the first group's.
        through = rows - int(usage[-1]) + usage
        targets = rows * np.arange(1, groups) // groups
        edges = distinct(np.searchsorted(through, targets) + 1)
        edges = edges[(edges > 0) & (edges < len(through))]
        before = np.concatenate([[0], through[edges - 1], [rows]])
        bounds = [0, *edges.tolist(), _ALL_LINES]
        for g in range(len(bounds) - 1):
            out.append((start, end, int(before[g + 1] - before[g]), bounds[g], bounds[g + 1]))
    return out
