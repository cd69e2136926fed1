"""Shared fixtures: small generated datasets, read back with DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.data import make_dataset


@pytest.fixture(scope="session")
def datasets(tmp_path_factory) -> dict[str, Path]:
    """One multi-month dataset per provider (FOCUS 1.2, daily) and an hourly one."""
    root = tmp_path_factory.mktemp("datasets")
    out = {}
    for provider in ("aws", "azure", "gcp", "oci"):
        out[provider] = make_dataset(
            root,
            providers=provider,
            rows=30_000,
            months=3,
            granularity="daily",
            focus_version="1.2",
            profile="enterprise",
        )
    out["hourly"] = make_dataset(
        root,
        providers="aws,gcp",
        rows=60_000,
        months=1,
        granularity="hourly",
        focus_version="1.2",
    )
    return out
