"""Scenario model: providers, profile, distribution, period, size, FOCUS version, output."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from focusgen.scenario.presets import (
    distribution_names,
    distribution_preset,
    profile_names,
    profile_preset,
)
from focusgen.scenario.timeline_spec import (
    TREND_PRESETS,
    AnomalyPolicy,
    Trend,
    TrendParameters,
    preset_trends,
)
from focusgen.yamltext import parsed_yaml

CLOUD_PROVIDERS = ("aws", "azure", "gcp", "oci")
# Publishers selectable by name; appended after the clouds because a provider's position in
# PROVIDERS keys its random streams (the clouds' outputs must not change).
PUBLISHERS = ("ibm", "snowflake", "databricks", "datadog", "mongodb", "llm")
PROVIDERS = CLOUD_PROVIDERS + PUBLISHERS
DEFAULT_PROVIDERS = CLOUD_PROVIDERS  # when a scenario names no providers
FOCUS_VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4")
FORMATS = ("parquet", "csv", "csv.gz", "jsonl")
LAYOUTS = ("provider", "billing-period", "native")
Granularity = Literal["hourly", "daily", "native"]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@cache
def currency_rates() -> dict[str, float]:
    """Units of each supported billing currency per US dollar."""
    text = resources.files("focusgen.scenario").joinpath("currencies.yaml").read_text()
    return {k: float(v) for k, v in parsed_yaml(text, "currencies").items()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProfileSettings(_Strict):
    """What a profile fixes; every field may be overridden in a scenario's ``settings``."""

    billing_accounts: int = Field(ge=1, le=50)
    sub_accounts: int = Field(ge=1, le=2000)
    applications: int = Field(ge=1, le=5000)
    teams: int = Field(ge=1, le=500)
    monthly_spend: float = Field(gt=0)
    negotiated_discount: float = Field(ge=0, lt=0.5)
    commitment_coverage: float = Field(ge=0, le=1)
    commitment_utilisation: float = Field(gt=0.3, le=1)
    tag_coverage: float = Field(ge=0, le=1)
    spot_share: float = Field(ge=0, le=1)
    monthly_growth: float = Field(gt=-0.5, lt=2)
    credit_share: float = Field(ge=0, le=1)
    persistent_share: float = Field(ge=0, le=1)
    category_bias: dict[str, float] = Field(default_factory=dict)


class SettingsOverride(_Strict):
    """Field-by-field overrides of the profile (all optional)."""

    billing_accounts: int | None = Field(default=None, ge=1, le=50)
    sub_accounts: int | None = Field(default=None, ge=1, le=2000)
    applications: int | None = Field(default=None, ge=1, le=5000)
    teams: int | None = Field(default=None, ge=1, le=500)
    monthly_spend: float | None = Field(default=None, gt=0)
    negotiated_discount: float | None = Field(default=None, ge=0, lt=0.5)
    commitment_coverage: float | None = Field(default=None, ge=0, le=1)
    commitment_utilisation: float | None = Field(default=None, gt=0.3, le=1)
    tag_coverage: float | None = Field(default=None, ge=0, le=1)
    spot_share: float | None = Field(default=None, ge=0, le=1)
    monthly_growth: float | None = Field(default=None, gt=-0.5, lt=2)
    credit_share: float | None = Field(default=None, ge=0, le=1)
    persistent_share: float | None = Field(default=None, ge=0, le=1)
    category_bias: dict[str, float] | None = None


class OutputOptions(_Strict):
    """Where and how the dataset is written."""

    path: str = "focus-output"
    format: Literal["parquet", "csv", "csv.gz", "jsonl"] = "parquet"
    layout: Literal["provider", "billing-period", "native"] = "billing-period"
    extensions: bool = Field(
        default=True, description="write each provider's extension (x_) columns"
    )
    compression: Literal["snappy", "zstd", "gzip", "lz4", "none"] | None = Field(
        default=None,
        description="Parquet codec; default snappy, as AWS, Azure and BigQuery exports write",
    )

    @model_validator(mode="after")
    def _native_formats(self) -> OutputOptions:
        if self.layout == "native" and self.format == "jsonl":
            raise ValueError(
                "layout 'native' writes each provider's own formats (Parquet or gzip CSV); "
                "use format parquet, csv or csv.gz"
            )
        if self.compression is not None and self.format != "parquet":
            raise ValueError(
                f"compression {self.compression!r} applies to Parquet files; "
                "for compressed CSV use format csv.gz"
            )
        if self.compression not in (None, "snappy") and self.layout == "native":
            raise ValueError(
                f"compression {self.compression!r}: layout 'native' writes Snappy, "
                "as the providers' exports do"
            )
        return self

    @property
    def parquet_codec(self) -> str:
        """The codec Parquet files are written with."""
        return self.compression or "snappy"

    @property
    def native(self) -> bool:
        """Files laid out, named and manifested as the provider's own exports are."""
        return self.layout == "native"


class Scenario(_Strict):
    """Everything that determines a run; same scenario and seed give byte-identical files."""

    providers: dict[str, float] = Field(
        default_factory=lambda: {p: 1.0 for p in DEFAULT_PROVIDERS},
        description="provider -> relative weight (a list or comma string is accepted too)",
    )
    profile: str = "enterprise"
    distribution: str = "balanced"
    settings: SettingsOverride = Field(default_factory=SettingsOverride)
    category_weights: dict[str, float] | None = None
    start: str = "2026-01"
    months: int = Field(default=3, ge=1, le=36)
    granularity: Granularity = "daily"
    rows: Annotated[int, Field(ge=100, le=10_000_000_000)] | None = None
    monthly_spend: Annotated[float, Field(gt=0)] | None = None
    focus_version: str = "1.2"
    currency: str = "USD"
    billing_currencies: list[str] | None = Field(
        default=None, description="billing accounts cycle through these currencies"
    )
    seed: int = Field(default=42, ge=0, lt=2**63)
    split_allocation: bool = Field(
        default=False, description="split shared clusters and databases over workloads (1.3+)"
    )
    trend: str = "none"
    trend_params: TrendParameters = Field(default_factory=TrendParameters)
    trends: list[Trend] = Field(default_factory=list)
    anomalies: AnomalyPolicy = Field(default_factory=AnomalyPolicy)
    output: OutputOptions = Field(default_factory=OutputOptions)

    @field_validator("providers", mode="before")
    @classmethod
    def _providers(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [p.strip() for p in value.split(",") if p.strip()]
        if isinstance(value, list | tuple):
            value = {str(p).strip().lower(): 1.0 for p in value}
        if isinstance(value, dict):
            if not value:
                raise ValueError(f"give at least one provider of {', '.join(PROVIDERS)}")
            out = {}
            for key, weight in value.items():
                name = str(key).strip().lower()
                if name not in PROVIDERS:
                    raise ValueError(f"unknown provider {key!r}; allowed: {', '.join(PROVIDERS)}")
                if not isinstance(weight, int | float) or weight <= 0:
                    raise ValueError(f"weight of {name} must be a positive number, not {weight!r}")
                out[name] = float(weight)
            return out
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        if value not in profile_names():
            raise ValueError(f"unknown profile; allowed: {', '.join(profile_names())}")
        return value

    @field_validator("distribution")
    @classmethod
    def _distribution(cls, value: str) -> str:
        if value not in distribution_names():
            raise ValueError(f"unknown distribution; allowed: {', '.join(distribution_names())}")
        return value

    @field_validator("trend")
    @classmethod
    def _trend(cls, value: str) -> str:
        if value not in TREND_PRESETS:
            raise ValueError(f"unknown trend; allowed: {', '.join(TREND_PRESETS)}")
        return value

    @field_validator("anomalies", mode="before")
    @classmethod
    def _anomaly_list(cls, value: Any) -> Any:
        return {"items": value} if isinstance(value, list) else value

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        match = _MONTH.match(str(value))
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise ValueError("must be a month written YYYY-MM, e.g. 2026-01")
        return value

    @field_validator("focus_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> str:
        text = str(value)
        if text not in FOCUS_VERSIONS:
            raise ValueError(f"unsupported FOCUS version; allowed: {', '.join(FOCUS_VERSIONS)}")
        return text

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in currency_rates():
            raise ValueError(
                f"unsupported billing currency; allowed: {', '.join(currency_rates())}"
            )
        return code

    @field_validator("billing_currencies")
    @classmethod
    def _currencies(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("give at least one currency or leave billing_currencies unset")
        return [cls._currency(code) for code in value]

    @field_validator("category_weights")
    @classmethod
    def _weights(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        from focusgen.focus.spec import service_categories

        allowed = service_categories()
        for key, weight in value.items():
            if key not in allowed:
                raise ValueError(f"unknown ServiceCategory {key!r}; allowed: {', '.join(allowed)}")
            if weight < 0:
                raise ValueError(f"weight of {key!r} must be >= 0")
        return value

    @model_validator(mode="after")
    def _size(self) -> Scenario:
        if self.rows is not None and self.monthly_spend is not None:
            raise ValueError("give rows or monthly_spend, not both")
        if self.split_allocation and self.focus_version in ("1.0", "1.1", "1.2"):
            raise ValueError(
                f"split_allocation needs focus_version 1.3 or later, not {self.focus_version}"
            )
        if self.trend == "custom" and not self.trend_params.points:
            raise ValueError("trend=custom needs trend_params.points {YYYY-MM: multiplier}")
        return self

    @property
    def all_trends(self) -> list[Trend]:
        """The named trend preset's trends followed by the explicit ones."""
        return preset_trends(self.trend, self.trend_params, self.start) + list(self.trends)

    # Derived views --------------------------------------------------------------------
    @property
    def profile_settings(self) -> ProfileSettings:
        """The profile preset with the scenario's overrides applied."""
        base = profile_preset(self.profile)
        base.update({k: v for k, v in self.settings.model_dump().items() if v is not None})
        if self.monthly_spend is not None:
            base["monthly_spend"] = self.monthly_spend
        return ProfileSettings(**base)

    @property
    def service_category_weights(self) -> dict[str, float]:
        """Category weights: the distribution preset, overrides, then the profile's bias."""
        weights = distribution_preset(self.distribution)
        if self.category_weights:
            weights.update(self.category_weights)
        for category, factor in self.profile_settings.category_bias.items():
            if category in weights:
                weights[category] *= factor
        return weights

    @property
    def start_year_month(self) -> tuple[int, int]:
        """(year, month) of the first billing period."""
        year, month = self.start.split("-")
        return int(year), int(month)

    @property
    def account_currencies(self) -> list[str]:
        """Currencies billing accounts are billed in, assigned round-robin."""
        return self.billing_currencies or [self.currency]

    @property
    def exchange_rate(self) -> float:
        """Billing-currency units per US dollar."""
        return currency_rates()[self.currency]

    @property
    def output_path(self) -> Path:
        """The output folder as a path."""
        return Path(self.output.path)
