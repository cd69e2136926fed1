"""Split cost allocation (FOCUS 1.3+): shared clusters and databases split over workloads."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from support.data import make_dataset, read


@pytest.fixture(scope="module")
def allocated(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("alloc"),
        providers="aws,gcp",
        rows=30_000,
        months=2,
        focus_version="1.4",
        split_allocation=True,
    )


def test_ratios_sum_to_one_and_split_quantities_and_costs(allocated):
    data = read(allocated)
    rows = data.rows("""SELECT ResourceId, ChargePeriodStart, SkuPriceId, AllocatedMethodDetails,
                               PricingQuantity, EffectiveCost, ListUnitPrice, ListCost
                        FROM t WHERE AllocatedMethodId IS NOT NULL""")
    assert rows
    groups = defaultdict(list)
    for resource, start, price, details, quantity, effective, unit_price, list_cost in rows:
        ratio = json.loads(details)["Elements"][0]["AllocatedRatio"]
        groups[(resource, start, price)].append((ratio, quantity, effective))
        assert list_cost == unit_price * quantity
    for shares in groups.values():
        assert len(shares) == 3
        assert sum(r for r, _, _ in shares) == pytest.approx(1.0, abs=1e-9)
        total = sum(q for _, q, _ in shares)
        for ratio, quantity, _ in shares:
            assert quantity == pytest.approx(ratio * total, rel=1e-9, abs=1e-12)


def test_allocated_columns_are_consistent(allocated):
    data = read(allocated)
    assert (
        data.count(
            "AllocatedMethodId IS NULL AND (AllocatedResourceId IS NOT NULL OR "
            "AllocatedMethodDetails IS NOT NULL OR AllocatedTags IS NOT NULL)"
        )
        == 0
    )
    assert data.count("(AllocatedResourceId IS NULL) <> (AllocatedResourceName IS NULL)") == 0
    idle = data.count("AllocatedMethodId IS NOT NULL AND AllocatedResourceId IS NULL")
    workloads = data.count("AllocatedResourceId IS NOT NULL")
    assert workloads == 2 * idle > 0
    for (tags,) in data.rows(
        "SELECT DISTINCT AllocatedTags FROM t WHERE AllocatedTags IS NOT NULL"
    ):
        assert isinstance(json.loads(tags), dict)
    assert (
        data.count(
            "AllocatedResourceId IS NOT NULL AND NOT starts_with(AllocatedResourceId, ResourceId)"
        )
        == 0
    )


def test_allocation_needs_focus_1_3():
    from focusgen import ScenarioError, load_scenario

    with pytest.raises(ScenarioError, match=r"split_allocation needs focus_version 1\.3"):
        load_scenario(None, split_allocation=True, focus_version="1.2")
