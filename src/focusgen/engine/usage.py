"""Consumed quantities per (line, charge period): base size x usage shape x trend x noise."""

from __future__ import annotations

import numpy as np

from focusgen.engine.timeline import HOUR_US, Timeline
from focusgen.world.model import RUNTIME, STORAGE

STEADY, DIURNAL, BURSTY, GROWING = 0, 1, 2, 3
WEEKDAY_FACTOR = np.array([1.08, 1.1, 1.1, 1.08, 1.02, 0.82, 0.8])  # Monday first


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
    """Quantity consumed on each row, rounded to 6 decimals as providers meter it."""
    hours = float(timeline.period_hours)
    n_periods = max(1, timeline.n_periods)
    start_us = timeline.period_start_us(period)
    month_index = timeline.month_of(period)
    month_hours = timeline.month_hours.astype(np.float64)[month_index]
    elapsed_months = (period.astype(np.float64) * hours) / 730.0
    trend = (1.0 + growth) ** elapsed_months
    age = (period - start).astype(np.float64) / n_periods

    weekday = ((start_us // (24 * HOUR_US)) + 3) % 7  # 1970-01-01 was a Thursday
    week = WEEKDAY_FACTOR[weekday]
    if timeline.granularity == "hourly":
        hour = (start_us // HOUR_US) % 24
        daily = np.clip(1.0 + 0.65 * np.sin((hour - 9.0) / 24.0 * 2 * np.pi), 0.15, None)
    else:
        daily = np.ones(len(period))
    sigma = spread * (0.35 if timeline.granularity == "daily" else 0.6)
    noise = np.exp(rng.standard_normal(len(period)) * sigma - sigma * sigma / 2)
    burst = np.where(rng.random(len(period)) < 0.04, 1.0 + rng.exponential(3.0, len(period)), 1.0)
    shaped = np.select(
        [shape == DIURNAL, shape == BURSTY, shape == GROWING],
        [daily * week * 1.0, burst, 1.0 + 1.5 * age],
        default=1.0,
    )
    metered = qty * hours * trend * shaped * noise * np.where(shape == DIURNAL, 1.0, week)
    storage = (
        qty
        * hours
        / month_hours
        * np.where(shape == GROWING, 1.0 + 0.8 * age, 1.0)
        * (1.0 + 0.5 * (trend - 1.0))
    )
    runtime = qty * hours
    out = np.select([usage == RUNTIME, usage == STORAGE], [runtime, storage], default=metered)
    return np.round(out, 6)
