"""Cost relations and null rules hold on every row; commitments amortise exactly."""

from __future__ import annotations

import pytest

from support.data import read

PROVIDERS = ("aws", "azure", "gcp", "oci", "hourly")


@pytest.mark.parametrize("name", PROVIDERS)
def test_list_and_contracted_cost_are_unit_price_times_quantity(datasets, name):
    rel = read(datasets[name])
    bad = rel.count(
        "(ListUnitPrice IS NOT NULL AND ListCost <> ListUnitPrice * PricingQuantity) OR "
        "(ContractedUnitPrice IS NOT NULL AND "
        "ContractedCost <> ContractedUnitPrice * PricingQuantity)"
    )
    assert bad == 0


@pytest.mark.parametrize("name", PROVIDERS)
def test_cost_ordering_on_usage(datasets, name):
    rel = read(datasets[name])
    bad = rel.count(
        "ChargeCategory = 'Usage' AND NOT (ListCost >= ContractedCost - 1e-9 "
        "AND ContractedCost >= EffectiveCost - 1e-9)"
    )
    assert bad == 0
    assert (
        rel.count(
            "ChargeCategory IN ('Usage','Purchase','Tax') AND BilledCost < 0 "
            "AND ChargeClass IS NULL"
        )
        == 0
    )


@pytest.mark.parametrize("name", PROVIDERS)
def test_null_rules_by_charge_category(datasets, name):
    rel = read(datasets[name])
    rules = {
        "tax has no sku, price or quantity": "ChargeCategory = 'Tax' AND (SkuId IS NOT NULL OR "
        "SkuPriceId IS NOT NULL OR ListUnitPrice IS NOT NULL OR PricingQuantity IS NOT NULL "
        "OR PricingUnit IS NOT NULL OR PricingCategory IS NOT NULL "
        "OR ConsumedQuantity IS NOT NULL)",
        "usage/purchase carry sku, prices, quantity": "ChargeClass IS NULL AND "
        "ChargeCategory IN ('Usage','Purchase') AND "
        "(SkuId IS NULL OR SkuPriceId IS NULL OR ListUnitPrice IS NULL OR "
        "ContractedUnitPrice IS NULL OR PricingQuantity IS NULL OR PricingUnit IS NULL "
        "OR PricingCategory IS NULL)",
        "consumed quantity only on used usage": "(ChargeCategory <> 'Usage' OR "
        "CommitmentDiscountStatus = 'Unused') AND ConsumedQuantity IS NOT NULL",
        "usage rows are metered": "ChargeCategory = 'Usage' AND ChargeClass IS NULL AND "
        "coalesce(CommitmentDiscountStatus, '') <> 'Unused' AND ConsumedQuantity IS NULL",
        "unit null iff quantity null": "(ConsumedUnit IS NULL) <> (ConsumedQuantity IS NULL) OR "
        "(PricingUnit IS NULL) <> (PricingQuantity IS NULL) OR "
        "(CommitmentDiscountUnit IS NULL) <> (CommitmentDiscountQuantity IS NULL)",
        "commitment columns null iff id null": "(CommitmentDiscountId IS NULL) <> "
        "(CommitmentDiscountCategory IS NULL) OR (CommitmentDiscountId IS NULL) <> "
        "(CommitmentDiscountType IS NULL) OR (CommitmentDiscountId IS NULL AND "
        "CommitmentDiscountStatus IS NOT NULL)",
        "status on committed usage": "ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT "
        "NULL AND CommitmentDiscountStatus IS NULL",
        "purchases are never committed": "ChargeCategory = 'Purchase' AND "
        "(PricingCategory = 'Committed' OR ChargeFrequency = 'Usage-Based')",
        "region pair": "(RegionId IS NULL) <> (RegionName IS NULL)",
        "capacity reservation pair": "(CapacityReservationId IS NULL) <> "
        "(CapacityReservationStatus IS NULL)",
        "unused capacity is the reservation": "CapacityReservationStatus = 'Unused' AND "
        "(ResourceId <> CapacityReservationId OR ChargeCategory <> 'Usage')",
        "resource type needs id": "ResourceId IS NULL AND ResourceType IS NOT NULL",
        "sub account pair": "(SubAccountId IS NULL) <> (SubAccountName IS NULL)",
        "details need price id": "SkuPriceId IS NULL AND SkuPriceDetails IS NOT NULL",
        "mandatory not null": "BilledCost IS NULL OR EffectiveCost IS NULL OR ListCost IS NULL "
        "OR ContractedCost IS NULL OR BillingAccountId IS NULL OR BillingCurrency IS NULL OR "
        "ChargePeriodStart IS NULL OR ChargePeriodEnd IS NULL OR ServiceName IS NULL OR "
        "ServiceCategory IS NULL OR ChargeCategory IS NULL OR InvoiceIssuerName IS NULL OR "
        "ProviderName IS NULL OR PublisherName IS NULL OR ChargeFrequency IS NULL",
        "covered usage is free on the bill": "CommitmentDiscountStatus = 'Used' AND "
        "(BilledCost <> 0 OR PricingCategory <> 'Committed')",
        "unused rows are committed and free": "CommitmentDiscountStatus = 'Unused' AND "
        "(BilledCost <> 0 OR PricingCategory <> 'Committed' OR ResourceId <> CommitmentDiscountId)",
        "commitment purchases amortise": "ChargeCategory = 'Purchase' AND CommitmentDiscountId "
        "IS NOT NULL AND (EffectiveCost <> 0 OR ResourceId <> CommitmentDiscountId)",
        # a Correction may reverse an earlier credit (a positive Credit row)
        "credits are negative and unpriced": "ChargeCategory = 'Credit' AND ((BilledCost > 0 "
        "AND ChargeClass IS NULL) OR ListCost <> BilledCost OR EffectiveCost <> BilledCost OR "
        "ContractedCost <> BilledCost)",
        "credit reversals are corrections": "ChargeCategory = 'Credit' AND BilledCost > 0 AND "
        "(ChargeClass IS DISTINCT FROM 'Correction' OR ChargeDescription NOT LIKE 'Reversal%')",
        "charge period inside billing period": "ChargeClass IS NULL AND "
        "(ChargePeriodStart < BillingPeriodStart OR ChargePeriodEnd > BillingPeriodEnd) "
        "OR ChargePeriodStart >= ChargePeriodEnd",
        "corrections fix an earlier billing period": "ChargeClass = 'Correction' AND "
        "ChargePeriodEnd > BillingPeriodStart",
    }
    broken = {name: n for name, sql in rules.items() if (n := rel.count(sql))}
    assert broken == {}


def test_commitments_exist_and_amortise_per_period(datasets):
    rel = read(datasets["aws"])
    spread = rel.rows("""
        WITH p AS (
          SELECT CommitmentDiscountId AS id, ChargePeriodStart, sum(EffectiveCost) AS amortised,
                 count(*) FILTER (WHERE CommitmentDiscountStatus = 'Unused') AS unused_rows
          FROM t WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL
          GROUP BY ALL)
        SELECT id, max(amortised) - min(amortised), max(amortised), min(unused_rows),
               max(unused_rows)
        FROM p GROUP BY id""")
    assert spread, "the enterprise profile must produce commitments"
    for commitment, gap, top, min_unused, max_unused in spread:
        # Every period of a commitment amortises the same amount, split over Used + Unused.
        assert gap <= 1e-9 * max(1.0, top), commitment
        assert min_unused == max_unused == 1, commitment


def test_recurring_fees_match_monthly_amortisation(datasets):
    """No Upfront pays each month what it amortises; Partial Upfront half of it."""
    checked = 0
    for name in PROVIDERS:
        checked += _check_recurring_fees(read(datasets[name]))
    assert checked > 0, "the datasets hold recurring commitment fees"


def _check_recurring_fees(data) -> int:
    rows = data.rows("""
        WITH p AS (
          SELECT CommitmentDiscountId AS id, BillingPeriodStart AS m, sum(BilledCost) AS fee,
                 any_value(ChargeDescription) AS description
          FROM t WHERE ChargeCategory = 'Purchase' AND ChargeFrequency = 'Recurring'
                   AND CommitmentDiscountId IS NOT NULL
          GROUP BY ALL),
        u AS (
          SELECT CommitmentDiscountId AS id, BillingPeriodStart AS m,
                 sum(EffectiveCost) AS amortised
          FROM t WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL GROUP BY ALL)
        SELECT p.description, p.fee, u.amortised FROM p JOIN u USING (id, m)""")
    for description, fee, amortised in rows:
        share = 1.0 if "No Upfront" in description else 0.5
        assert "Upfront" in description
        assert fee == pytest.approx(share * amortised, rel=1e-9)
    return len(rows)


def test_upfront_purchases_cover_the_whole_term(datasets):
    """An upfront fee equals the per-period amortisation times the periods of its term."""
    checked = 0
    for name in PROVIDERS:
        checked += _check_upfront_fees(read(datasets[name]), 1 if name == "hourly" else 24)
    assert checked > 0, "the datasets hold upfront commitment purchases"


def _check_upfront_fees(data, hours: int) -> int:
    rows = data.rows("""
        WITH p AS (
          SELECT CommitmentDiscountId AS id, BilledCost AS fee, ChargeDescription AS d
          FROM t WHERE ChargeCategory = 'Purchase' AND ChargeFrequency = 'One-Time'
                   AND CommitmentDiscountId IS NOT NULL),
        u AS (
          SELECT CommitmentDiscountId AS id, ChargePeriodStart, sum(EffectiveCost) AS amortised
          FROM t WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL GROUP BY ALL)
        SELECT p.d, p.fee, max(u.amortised) FROM p JOIN u USING (id) GROUP BY ALL""")
    for description, fee, per_period in rows:
        term_hours = 8760 if "1 Year" in description else 26280
        share = 1.0 if "All Upfront" in description else 0.5
        assert fee == pytest.approx(share * per_period * term_hours / hours, rel=1e-9)
    return len(rows)


def test_corrections_land_in_a_later_billing_period(datasets):
    data = read(datasets["aws"])
    rows = data.rows("""SELECT ChargeCategory, BilledCost, BillingPeriodStart, ChargePeriodStart
                        FROM t WHERE ChargeClass = 'Correction'""")
    assert rows
    for category, billed, billing_start, charge_start in rows:
        assert charge_start < billing_start
        assert (billed < 0) == (category == "Usage")
