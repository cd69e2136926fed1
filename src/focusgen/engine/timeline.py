"""Billing periods (calendar months, UTC) and charge periods (hours or days) of a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


def month_start_us(year: int, month: int) -> int:
    """Microseconds since the epoch at 00:00 UTC on the first day of a month."""
    extra_years, month_index = divmod(month - 1, 12)
    moment = datetime(year + extra_years, month_index + 1, 1, tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000


@dataclass(frozen=True)
class Timeline:
    """The run's time axis: ``n_periods`` charge periods grouped into ``months`` billing periods."""

    year: int
    month: int
    months: int
    granularity: str

    @property
    def period_us(self) -> int:
        """Length of one charge period in microseconds."""
        return HOUR_US if self.granularity == "hourly" else DAY_US

    @property
    def period_hours(self) -> int:
        """Length of one charge period in hours."""
        return 1 if self.granularity == "hourly" else 24

    @property
    def origin_us(self) -> int:
        """Start of the first billing period."""
        return month_start_us(self.year, self.month)

    @property
    def month_bounds_us(self) -> np.ndarray:
        """Start of each billing period plus the end of the last (months + 1 values)."""
        return np.array(
            [month_start_us(self.year, self.month + i) for i in range(self.months + 1)],
            dtype=np.int64,
        )

    @property
    def month_bounds(self) -> np.ndarray:
        """Billing-period boundaries as charge-period indices (months + 1 values)."""
        return (self.month_bounds_us - self.origin_us) // self.period_us

    @property
    def n_periods(self) -> int:
        """Number of charge periods in the run."""
        return int(self.month_bounds[-1])

    @property
    def month_hours(self) -> np.ndarray:
        """Hours in each billing period."""
        return np.diff(self.month_bounds_us) // HOUR_US

    def period_start_us(self, periods: np.ndarray) -> np.ndarray:
        """Start instant of the given charge-period indices."""
        return self.origin_us + periods.astype(np.int64) * self.period_us

    def month_of(self, periods: np.ndarray) -> np.ndarray:
        """Billing-period index of each charge-period index."""
        return np.searchsorted(self.month_bounds, periods, side="right") - 1

    def month_label(self, index: int) -> str:
        """``YYYY-MM`` of a billing period."""
        extra_years, month_index = divmod(self.month - 1 + index, 12)
        return f"{self.year + extra_years:04d}-{month_index + 1:02d}"
