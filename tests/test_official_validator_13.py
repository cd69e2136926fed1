"""The official focus-validator 2.2.1, run with the assembled FOCUS 1.3 model, on our 1.3 output."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.data import SHARED, make_dataset
from support.official_validator import load_allowlist, run_official_validator, unexplained_failures

pytestmark = pytest.mark.official

RULE_SET_PATH = SHARED / "focus" / "validator-models"


def allowlist_13() -> dict[str, str]:
    """The 1.2 upstream-defect allowlist under the 1.3 model's "CAU-" ids, plus the 1.3 defects."""
    entries = {f"CAU-{rule}": reason for rule, reason in load_allowlist().items()}
    return entries | load_allowlist(Path(__file__).parent / "support" / "official_allowlist_13.txt")


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_official_validator_13_passes_our_output(tmp_path, provider):
    out = make_dataset(
        tmp_path,
        providers=provider,
        rows=6000,
        months=2,
        focus_version="1.3",
        format="parquet",
        layout="provider",
        profile="enterprise",
    )
    report = run_official_validator(
        out / f"{provider}.parquet", version="1.3", rule_set_path=RULE_SET_PATH
    )
    assert report.total > 500 and report.passed > 300
    unexplained = unexplained_failures(report, allowlist_13())
    assert [(f.rule_id, f.violations, f.message) for f in unexplained] == []
