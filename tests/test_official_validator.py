"""The official focus-validator 2.2.1 finds nothing wrong with our FOCUS 1.2 output."""

from __future__ import annotations

import pytest

from support.data import make_dataset
from support.official_validator import load_allowlist, run_official_validator, unexplained_failures

pytestmark = pytest.mark.official


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_official_validator_passes_our_output(tmp_path, provider, fmt):
    out = make_dataset(
        tmp_path,
        providers=provider,
        rows=6000,
        months=2,
        focus_version="1.2",
        format=fmt,
        layout="provider",
        profile="enterprise",
    )
    report = run_official_validator(out / f"{provider}.{fmt}", version="1.2")
    assert report.total > 500 and report.passed > 300
    unexplained = unexplained_failures(report, load_allowlist(csv=fmt == "csv"))
    assert [(f.rule_id, f.violations, f.message) for f in unexplained] == []
