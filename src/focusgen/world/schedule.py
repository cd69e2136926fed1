"""When commitments are paid for: one-time upfront and recurring monthly purchase rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from focusgen.engine.timeline import Timeline
from focusgen.world.model import Commitments


@dataclass
class PurchaseSchedule:
    """Purchase rows of the run, one entry per row (sorted by start period)."""

    commitment: np.ndarray
    start: np.ndarray
    end: np.ndarray
    recurring: np.ndarray
    quantity: np.ndarray
    amount_fraction: np.ndarray

    def __len__(self) -> int:
        return len(self.commitment)


def purchase_schedule(c: Commitments, timeline: Timeline) -> PurchaseSchedule:
    """Upfront rows at the start of each term, recurring rows per overlapped month."""
    n = timeline.n_periods
    hours = timeline.period_hours
    bounds = timeline.month_bounds
    parts: list[tuple] = []
    upfront = np.flatnonzero((c.upfront > 0) & (c.start >= 0) & (c.start < n))
    if len(upfront):
        parts.append(
            (
                upfront,
                c.start[upfront],
                c.start[upfront] + 1,
                np.zeros(len(upfront), bool),
                c.term_hours[upfront].astype(float),
                c.upfront[upfront],
            )
        )
    recurring = np.flatnonzero(c.upfront < 1)
    for m in range(timeline.months):
        p0 = np.maximum(c.start[recurring], bounds[m])
        p1 = np.minimum(c.end[recurring], bounds[m + 1])
        live = p1 > p0
        if live.any():
            who = recurring[live]
            parts.append(
                (
                    who,
                    p0[live],
                    p1[live],
                    np.ones(len(who), bool),
                    ((p1[live] - p0[live]) * hours).astype(float),
                    1 - c.upfront[who],
                )
            )
    if not parts:
        empty_i = np.zeros(0, dtype=np.int32)
        return PurchaseSchedule(
            empty_i, empty_i, empty_i, np.zeros(0, bool), np.zeros(0), np.zeros(0)
        )
    cols = [np.concatenate(p) for p in zip(*parts, strict=True)]
    order = np.lexsort((cols[0], cols[1]))
    return PurchaseSchedule(
        commitment=cols[0][order].astype(np.int32),
        start=cols[1][order].astype(np.int32),
        end=cols[2][order].astype(np.int32),
        recurring=cols[3][order],
        quantity=cols[4][order],
        amount_fraction=cols[5][order],
    )
