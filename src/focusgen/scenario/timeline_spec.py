"""Trends and anomalies a scenario asks for: what changes, where (scope) and when (window)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
ANOMALY_KINDS = (
    "spike",
    "drop",
    "runaway-resource",
    "new-service",
    "egress-surge",
    "idle-resources",
    "commitment-expiry",
)
TREND_PRESETS = ("none", "linear", "seasonal", "spike", "custom")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_date(value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise ValueError("must be a date written YYYY-MM or YYYY-MM-DD")
    return value


class Scope(_Strict):
    """Which charges a trend or anomaly touches; unset fields match everything."""

    provider: str | None = None
    service: str | None = None
    category: str | None = None
    account: str | None = Field(default=None, description="sub-account name or id")
    application: str | None = None
    team: str | None = None
    environment: str | None = None
    resource: str | None = Field(default=None, description="a ResourceId")

    def describe(self) -> str:
        """A compact ``key=value`` description of the scope."""
        parts = [f"{k}={v}" for k, v in self.model_dump().items() if v is not None]
        return ";".join(parts) or "all"


class Trend(_Strict):
    """A multiplier on usage over time, composable with other trends."""

    kind: Literal["linear", "exponential", "weekly", "annual", "step", "spike", "custom"]
    rate: float = Field(default=0.0, gt=-0.9, lt=10, description="growth per month")
    amplitude: float = Field(default=0.0, ge=0, lt=10)
    peak_months: list[int] = Field(default_factory=lambda: [11, 12])
    start: str | None = None
    end: str | None = None
    multiplier: float = Field(default=1.0, gt=0, lt=1000)
    points: dict[str, float] = Field(default_factory=dict)
    scope: Scope = Field(default_factory=Scope)

    @field_validator("start", "end")
    @classmethod
    def _dates(cls, value: str | None) -> str | None:
        return _check_date(value)

    @model_validator(mode="after")
    def _needs(self) -> Trend:
        if self.kind in ("step", "spike") and self.start is None:
            raise ValueError(f"a {self.kind} trend needs a start (YYYY-MM or YYYY-MM-DD)")
        if self.kind == "custom":
            if not self.points:
                raise ValueError("a custom trend needs points {YYYY-MM: multiplier}")
            for key, value in self.points.items():
                _check_date(key)
                if value <= 0:
                    raise ValueError(f"point {key} must be a positive multiplier")
        if any(not 1 <= m <= 12 for m in self.peak_months):
            raise ValueError("peak_months are month numbers 1-12")
        return self


class TrendParameters(_Strict):
    """Parameters of the named trend presets (linear, seasonal, spike, custom)."""

    growth_rate: float = Field(default=0.05, gt=-0.9, lt=10)
    peak_multiplier: float = Field(default=1.6, gt=0, lt=100)
    spike_month: str | None = None
    spike_multiplier: float = Field(default=3.0, gt=0, lt=1000)
    points: dict[str, float] = Field(default_factory=dict)

    @field_validator("spike_month")
    @classmethod
    def _spike(cls, value: str | None) -> str | None:
        return _check_date(value)


class Anomaly(_Strict):
    """One injected anomaly: kind, scope, window and magnitude."""

    kind: Literal[ANOMALY_KINDS]  # type: ignore[valid-type]
    scope: Scope = Field(default_factory=Scope)
    start: str
    end: str | None = None
    magnitude: float = Field(default=3.0, gt=0, lt=1000)

    @field_validator("start", "end")
    @classmethod
    def _dates(cls, value: str | None) -> str | None:
        return _check_date(value)


class AnomalyPolicy(_Strict):
    """Random injection by rate (anomalies per month) plus an explicit list."""

    rate: float = Field(default=0.0, ge=0, le=20)
    kinds: list[Literal[ANOMALY_KINDS]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(ANOMALY_KINDS)
    )
    items: list[Anomaly] = Field(default_factory=list)


def preset_trends(name: str, params: TrendParameters, start_month: str) -> list[Trend]:
    """The trends a named preset stands for."""
    if name == "linear":
        return [Trend(kind="linear", rate=params.growth_rate)]
    if name == "seasonal":
        return [
            Trend(kind="weekly", amplitude=0.25),
            Trend(kind="annual", amplitude=params.peak_multiplier - 1, peak_months=[11, 12]),
        ]
    if name == "spike":
        return [
            Trend(
                kind="spike",
                start=params.spike_month or start_month,
                multiplier=params.spike_multiplier,
            )
        ]
    if name == "custom":
        if not params.points:
            raise ValueError("the custom trend needs trend_params.points {YYYY-MM: multiplier}")
        return [Trend(kind="custom", points=params.points)]
    return []
