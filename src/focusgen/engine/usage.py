"""Consumed quantities per (line, charge period): base size x usage shape x trend x noise."""

from __future__ import annotations

import numpy as np

from focusgen.engine.timeline import HOUR_US, Timeline
from focusgen.world.model import RUNTIME, STORAGE

STEADY, DIURNAL, BURSTY, GROWING = 0, 1, 2, 3
WEEKDAY_FACTOR = np.array([1.08, 1.1, 1.1, 1.08, 1.02, 0.82, 0.8])  # Monday first
# Diurnal factor by hour of day (peak mid-afternoon, floor at night).
HOUR_FACTOR = np.clip(1.0 + 0.65 * np.sin((np.arange(24) - 9.0) / 24.0 * 2 * np.pi), 0.15, None)


def consumed_quantity(
    rng: np.random.Generator,
    timeline: Timeline,
    period: np.ndarray,
    usage: np.ndarray,
    qty: np.ndarray,
    spread: np.ndarray,
    shape: np.ndarray,
    start: np.ndarray,
    growth: float,
) -> np.ndarray:
    """Quantity consumed on each row, rounded to 6 decimals as providers meter it.

    Random draws are made for every row (so streams do not depend on the usage mix); the
    shaping arithmetic runs only on the rows of each usage model.
    """
    n = len(period)
    hours = float(timeline.period_hours)
    n_periods = max(1, timeline.n_periods)
    normal = rng.standard_normal(n)
    uniform = rng.random(n)
    spikes = rng.exponential(3.0, n)
    out = qty * hours  # runtime: whole periods
    # Growth trend by charge period: a table lookup per row instead of a power.
    trend_of = (1.0 + growth) ** (np.arange(n_periods, dtype=np.float64) * hours / 730.0)
    stored = np.flatnonzero(usage == STORAGE)
    if len(stored):
        p = period[stored]
        month_hours = timeline.month_hours.astype(np.float64)[timeline.month_of(p)]
        trend = trend_of[p]
        age = (p - start[stored]).astype(np.float64) / n_periods
        grow = np.where(shape[stored] == GROWING, 1.0 + 0.8 * age, 1.0)
        out[stored] = out[stored] / month_hours * grow * (1.0 + 0.5 * (trend - 1.0))
    metered = np.flatnonzero(usage != RUNTIME)
    metered = metered[usage[metered] != STORAGE]
    if len(metered):
        p = period[metered]
        sh = shape[metered]
        start_us = timeline.period_start_us(p)
        trend = trend_of[p]
        age = (p - start[metered]).astype(np.float64) / n_periods
        week = WEEKDAY_FACTOR[((start_us // (24 * HOUR_US)) + 3) % 7]  # 1970-01-01: Thursday
        hourly = timeline.granularity == "hourly"
        daily = HOUR_FACTOR[(start_us // HOUR_US) % 24] if hourly else 1.0
        sigma = spread[metered] * (0.35 if timeline.granularity == "daily" else 0.6)
        noise = np.exp(normal[metered] * sigma - sigma * sigma / 2)
        burst = np.where(uniform[metered] < 0.04, 1.0 + spikes[metered], 1.0)
        shaped = np.select(
            [sh == DIURNAL, sh == BURSTY, sh == GROWING],
            [daily * week, burst, (1.0 + 1.5 * age) * week],
            default=week,
        )
        out[metered] = out[metered] * trend * shaped * noise
    return np.round(out, 6)
