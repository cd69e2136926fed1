"""Time multipliers: composable trends (growth, seasonality, steps, spikes, custom curves)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from focusgen.engine.timeline import HOUR_US, Timeline
from focusgen.scenario.timeline_spec import Trend


def date_to_period(timeline: Timeline, text: str) -> int:
    """The charge-period index at which a YYYY-MM or YYYY-MM-DD date starts (may be < 0)."""
    parts = [int(p) for p in text.split("-")]
    moment = datetime(parts[0], parts[1], parts[2] if len(parts) > 2 else 1, tzinfo=UTC)
    micros = int(moment.timestamp()) * 1_000_000
    return (micros - timeline.origin_us) // timeline.period_us


def _calendar(timeline: Timeline, period: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    start_us = timeline.period_start_us(period)
    months = (timeline.month - 1 + timeline.month_of(period)) % 12 + 1
    weekday = ((start_us // (24 * HOUR_US)) + 3) % 7  # 0 = Monday
    elapsed_months = period.astype(np.float64) * timeline.period_hours / 730.0
    return months, weekday, elapsed_months


def trend_factor(trend: Trend, timeline: Timeline, period: np.ndarray) -> np.ndarray:
    """The multiplier a trend applies in each given charge period."""
    months, weekday, elapsed = _calendar(timeline, period)
    if trend.kind == "linear":
        return np.maximum(0.05, 1.0 + trend.rate * elapsed)
    if trend.kind == "exponential":
        return (1.0 + trend.rate) ** elapsed
    if trend.kind == "weekly":
        return np.where(weekday >= 5, max(0.05, 1.0 - trend.amplitude), 1.0)
    if trend.kind == "annual":
        return np.where(np.isin(months, trend.peak_months), 1.0 + trend.amplitude, 1.0)
    if trend.kind in ("step", "spike"):
        start = date_to_period(timeline, trend.start or "")
        if trend.kind == "step":
            return np.where(period >= start, trend.multiplier, 1.0)
        end = _spike_end(timeline, trend, start)
        return np.where((period >= start) & (period < end), trend.multiplier, 1.0)
    keys = sorted(trend.points)
    at = np.array([date_to_period(timeline, k) for k in keys], dtype=np.float64)
    values = np.array([trend.points[k] for k in keys], dtype=np.float64)
    return np.interp(period.astype(np.float64), at, values)


def _spike_end(timeline: Timeline, trend: Trend, start: int) -> int:
    if trend.end is not None:
        return date_to_period(timeline, trend.end)
    if trend.start is not None and len(trend.start) == 7:  # a month: the whole month
        year, month = (int(p) for p in trend.start.split("-"))
        nxt = f"{year + month // 12}-{month % 12 + 1:02d}"
        return date_to_period(timeline, nxt)
    return start + max(1, 24 // timeline.period_hours)
