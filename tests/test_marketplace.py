"""Marketplace listings: third-party publishers on a cloud bill, and the third-party rule."""

from __future__ import annotations

import pytest

from focusgen import generate, load_scenario
from focusgen.validate import validate
from focusgen.world.build import build_world
from support.data import read

AWS_INC = "Amazon Web Services, Inc."
DATADOG = "Datadog Pro"
FIREWALL = "Palo Alto Networks VM-Series Next-Generation Firewall (Bundle 2)"
ATLAS = "MongoDB Atlas (pay-as-you-go)"
OPTIONS = dict(
    providers="aws",
    rows=40_000,
    months=1,
    granularity="daily",
    category_weights={"Management and Governance": 30, "Databases": 30, "Networking": 30,
                      "Compute": 10},
)  # fmt: skip


def _scenario(seed: int, version: str, out: str):
    return load_scenario(None, seed=seed, focus_version=version, output_path=out, **OPTIONS)


@pytest.fixture(scope="module")
def bill(tmp_path_factory):
    """An AWS bill holding all three kinds of listing (the first seed that draws them)."""
    for seed in range(1, 40):
        pw = build_world(_scenario(seed, "1.3", "/unused")).providers[0]
        drawn = set(pw.services.name[pw.lines.service])
        if {DATADOG, FIREWALL, ATLAS} <= drawn:
            out = tmp_path_factory.mktemp("market") / "out"
            generate(_scenario(seed, "1.3", str(out)))
            return out
    raise AssertionError("no seed below 40 draws every marketplace listing")


def test_listings_name_their_publisher_and_host(bill):
    data = read(bill)
    rows = dict(
        (name, (pub, sp, host, issuer))
        for name, pub, sp, host, issuer in data.rows(
            "SELECT DISTINCT ServiceName, PublisherName, ServiceProviderName, HostProviderName, "
            "InvoiceIssuerName FROM t WHERE ChargeCategory = 'Usage'"
        )
    )
    assert rows[DATADOG] == ("Datadog, Inc.", "Datadog, Inc.", "Datadog, Inc.", AWS_INC)
    assert rows[FIREWALL] == ("Palo Alto Networks", "Palo Alto Networks", "AWS", AWS_INC)
    assert rows[ATLAS] == ("MongoDB, Inc.", "MongoDB, Inc.", "MongoDB, Inc.", "MongoDB, Inc.")
    assert data.count("ProviderName <> 'AWS'") == 0
    own = rows["Amazon Elastic Compute Cloud"]
    assert own == (AWS_INC, "AWS", "AWS", AWS_INC)


def test_seller_billed_listing_bills_zero_and_is_not_taxed(bill):
    data = read(bill)
    assert data.count(f"ServiceName = '{ATLAS}'") > 0
    assert data.count(f"ServiceName = '{ATLAS}' AND (BilledCost <> 0 OR EffectiveCost <> 0)") == 0
    assert data.count(f"ServiceName = '{ATLAS}' AND ListCost > 0") > 0
    assert data.count(f"ServiceName = '{ATLAS}' AND ChargeCategory = 'Tax'") == 0
    # Every row whose issuer is not the provider bills nothing (FOCUS 1.2/1.3 third-party rule).
    assert data.count(f"InvoiceIssuerName <> '{AWS_INC}' AND BilledCost <> 0") == 0
    # Listings billed by AWS are billed and taxed like AWS's own services.
    assert data.count(f"ServiceName = '{DATADOG}' AND BilledCost > 0") > 0
    assert data.count(f"ServiceName IN ('{DATADOG}', '{FIREWALL}') AND ChargeCategory = 'Tax'") > 0


def test_bill_with_listings_has_no_findings(bill):
    report = validate(bill, version="1.3")
    assert report.rule_ids == set(), report.rule_ids
