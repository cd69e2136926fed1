"""Billing accounts in several currencies, USD pricing currency, exchange rates that move."""

from __future__ import annotations

import pytest

from support.data import make_dataset, read


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("fx"),
        providers="aws,azure",
        rows=30_000,
        months=3,
        billing_currencies=["EUR", "GBP", "JPY"],
        focus_version="1.2",
        settings={"billing_accounts": 3, "sub_accounts": 12},
    )


def test_each_account_bills_in_one_currency_priced_in_usd(multi):
    data = read(multi)
    per_account = data.rows(
        "SELECT BillingAccountId, count(DISTINCT BillingCurrency), "
        "any_value(BillingCurrency) FROM t GROUP BY 1"
    )
    assert all(n == 1 for _, n, _ in per_account)
    assert {c for _, _, c in per_account} >= {"EUR", "GBP"}
    assert data.rows("SELECT DISTINCT PricingCurrency FROM t") == [("USD",)]


def test_exchange_rates_move_between_months_and_hold_within_one(multi):
    data = read(multi)
    rates = data.rows("""
        SELECT BillingAccountId, BillingPeriodStart,
               min(ListUnitPrice / PricingCurrencyListUnitPrice),
               max(ListUnitPrice / PricingCurrencyListUnitPrice)
        FROM t WHERE ListUnitPrice > 0 AND ChargeCategory = 'Usage' AND ChargeClass IS NULL
               AND CommitmentDiscountStatus IS DISTINCT FROM 'Unused'
        GROUP BY 1, 2 ORDER BY 1, 2""")
    by_account: dict[str, list[float]] = {}
    for account, _, low, high in rates:
        assert high == pytest.approx(low, rel=1e-9)
        by_account.setdefault(account, []).append(low)
    assert any(len(set(round(r, 6) for r in series)) > 1 for series in by_account.values())


def test_cost_relations_hold_in_every_currency(multi):
    data = read(multi)
    assert (
        data.count("ListUnitPrice IS NOT NULL AND ListCost <> ListUnitPrice * PricingQuantity") == 0
    )
    assert (
        data.count(
            "ChargeCategory = 'Usage' AND ChargeClass IS NULL AND NOT "
            "(ListCost >= ContractedCost - 1e-9 AND ContractedCost >= EffectiveCost - 1e-9)"
        )
        == 0
    )
    drift = data.rows("""
        SELECT max(abs(EffectiveCost / PricingCurrencyEffectiveCost
                   - ListUnitPrice / PricingCurrencyListUnitPrice))
        FROM t WHERE PricingCurrencyEffectiveCost <> 0 AND PricingCurrencyListUnitPrice > 0""")
    assert drift[0][0] < 1e-6


def test_unknown_billing_currency_is_rejected():
    from focusgen import ScenarioError, load_scenario

    with pytest.raises(ScenarioError, match="billing_currencies"):
        load_scenario(None, billing_currencies=["EUR", "XXX"])
