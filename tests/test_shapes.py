"""Generated bills have real-world shapes: heavy-tailed rows, compute-led spend, commitment
coverage and tag coverage by profile, a long tail of small services (PROVIDERS.md §8-9)."""

from __future__ import annotations

import pytest

from focusgen.catalog.tables import catalog_tables
from focusgen.providers.conventions import CONVENTIONS
from focusgen.world.model import RUNTIME
from support.data import make_dataset, read

CLOUDS = ("aws", "azure", "gcp", "oci")
ROWS = 200_000
CONSUMED = "ChargeCategory = 'Usage' AND coalesce(CommitmentDiscountStatus, '') <> 'Unused'"


@pytest.fixture(scope="module")
def shaped(tmp_path_factory):
    """Datasets by (provider, profile, settings), generated once per module."""
    root = tmp_path_factory.mktemp("shapes")
    cache: dict = {}

    def get(provider: str, profile: str = "enterprise", **settings):
        key = (provider, profile, tuple(sorted(settings.items())))
        if key not in cache:
            options = {"settings": settings} if settings else {}
            cache[key] = read(
                make_dataset(
                    root,
                    providers=provider,
                    profile=profile,
                    distribution="balanced",
                    rows=ROWS,
                    months=1,
                    granularity="daily",
                    **options,
                )
            )
        return cache[key]

    return get


def one(data, sql: str):
    return data.rows(sql)[0]


@pytest.mark.parametrize("provider", ["aws", "gcp", "oci"])
def test_row_costs_are_heavy_tailed(shaped, provider):
    data = shaped(provider)
    zero, p50, p99, positive_p50 = one(
        data,
        f"""SELECT avg((BilledCost = 0)::int), quantile_cont(BilledCost, 0.5),
                   quantile_cont(BilledCost, 0.99),
                   quantile_cont(BilledCost, 0.5) FILTER (WHERE BilledCost > 0)
            FROM t WHERE {CONSUMED}""",
    )
    # Free inbound transfer and covered usage bill nothing: a large share of rows is $0.
    assert zero >= 0.15
    # Most rows are cents; the 99th percentile is orders of magnitude above the median.
    assert p99 / max(p50, 1e-9) >= 50
    assert p99 / positive_p50 >= 30
    top_share, max_share = one(
        data,
        f"""WITH r AS (SELECT EffectiveCost AS c, ntile(100) OVER (ORDER BY EffectiveCost DESC) AS q
                       FROM t WHERE {CONSUMED})
            SELECT sum(c) FILTER (WHERE q = 1) / sum(c), max(c) / sum(c) FROM r""",
    )
    # The top 1% of rows carries a large part of the spend, yet no single row dominates.
    assert top_share >= 0.25
    assert max_share < 0.05


def test_startup_rows_include_free_transfer(shaped):
    data = shaped("aws", "startup")
    zero = one(data, f"SELECT avg((BilledCost = 0)::int) FROM t WHERE {CONSUMED}")[0]
    free = data.count(f"{CONSUMED} AND ListUnitPrice = 0 AND SkuId IS NOT NULL")
    assert free > 0
    assert zero >= 0.1


@pytest.mark.parametrize("provider", CLOUDS)
def test_compute_is_about_half_of_spend(shaped, provider):
    data = shaped(provider)
    # Consumption and its tax: credits net against compute and support fees follow upfront
    # purchases, both of which say nothing of the service mix.
    (share,) = one(
        data,
        """SELECT sum(EffectiveCost) FILTER (WHERE ServiceCategory = 'Compute')
                  / sum(EffectiveCost)
           FROM t WHERE ChargeCategory IN ('Usage', 'Tax')""",
    )
    assert 0.45 <= share <= 0.60
    # Compute leads every other category.
    (leader,) = one(
        data,
        "SELECT ServiceCategory FROM t WHERE ChargeCategory = 'Usage' "
        "GROUP BY 1 ORDER BY sum(EffectiveCost) DESC LIMIT 1",
    )
    assert leader == "Compute"


def _eligible_coverage(data, provider: str) -> tuple[float, float]:
    """Used over eligible usage (commitment-eligible runtime SKUs, not spot): by effective
    cost and by list (on-demand equivalent) cost."""
    tables = catalog_tables(provider)
    ids = sorted(
        {
            str(tables.sku_price_id[i])
            for i in range(len(tables.sku_id))
            if tables.sku_usage[i] == RUNTIME and tables.sku_commitment[i] > 0
        }
    )
    data.con.execute("CREATE OR REPLACE TEMP TABLE eligible AS SELECT unnest(?) AS id", [ids])
    return one(
        data,
        f"""SELECT sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used')
                   / sum(EffectiveCost),
                   sum(ListCost) FILTER (WHERE CommitmentDiscountStatus = 'Used') / sum(ListCost)
            FROM t WHERE {CONSUMED} AND PricingCategory <> 'Dynamic'
                AND SkuPriceId IN (SELECT id FROM eligible)""",
    )


@pytest.mark.parametrize("provider", CLOUDS)
def test_enterprise_commitments_cover_most_eligible_compute(shaped, provider):
    effective, on_demand = _eligible_coverage(shaped(provider), provider)
    assert 0.58 <= on_demand <= 0.85  # preset: 0.7 of the eligible on-demand equivalent
    assert 0.45 <= effective <= 0.80


def test_startups_run_on_demand(shaped):
    data = shaped("aws", "startup")
    assert data.count("CommitmentDiscountId IS NOT NULL") == 0
    assert data.count("PricingCategory = 'Committed'") == 0


def _complete_tags(provider: str) -> str:
    return " AND ".join(
        f"json_extract_string(Tags, '$.\"{key}\"') IS NOT NULL"
        for key in CONVENTIONS[provider].tag_keys
    )


@pytest.mark.parametrize(
    ("provider", "profile", "coverage"),
    [("aws", "enterprise", None), ("gcp", "startup", None), ("azure", "enterprise", 0.7)],
)
def test_tag_coverage_by_spend_follows_the_setting(shaped, provider, profile, coverage):
    settings = {} if coverage is None else {"tag_coverage": coverage}
    data = shaped(provider, profile, **settings)
    if coverage is None:
        coverage = {"enterprise": 0.85, "startup": 0.6}[profile]
    complete = _complete_tags(provider)
    by_spend, by_count, untagged, incomplete = one(
        data,
        f"""SELECT sum(EffectiveCost) FILTER (WHERE {complete}) / sum(EffectiveCost),
                   count(DISTINCT ResourceId) FILTER (WHERE {complete})
                   / count(DISTINCT ResourceId),
                   count(DISTINCT ResourceId) FILTER (WHERE Tags IS NULL),
                   count(DISTINCT ResourceId) FILTER (WHERE Tags IS NOT NULL AND NOT ({complete}))
            FROM t WHERE {CONSUMED} AND ResourceId IS NOT NULL""",
    )
    assert abs(by_spend - coverage) <= 0.06
    # Counting resources overstates coverage: the big spenders are the untagged ones.
    assert by_count > by_spend
    assert untagged > 0 and incomplete > 0


def test_tags_are_mis_spelt_or_partial_on_some_resources(shaped):
    data = shaped("aws", "startup")
    k_app, k_env, _, _ = CONVENTIONS["aws"].tag_keys
    mis_cased = data.count(
        f"json_extract_string(Tags, '$.\"{k_env.capitalize()}\"') IS NOT NULL "
        f"AND json_extract_string(Tags, '$.\"{k_env}\"') IS NULL"
    )
    partial = data.count(
        f"json_extract_string(Tags, '$.\"{k_app}\"') IS NOT NULL "
        "AND json_extract_string(Tags, '$.team') IS NULL"
    )
    assert mis_cased > 0 and partial > 0


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
def test_a_long_tail_of_small_services(shaped, provider):
    data = shaped(provider)
    shares = [
        s
        for (s,) in data.rows(
            """SELECT sum(EffectiveCost) / (SELECT sum(EffectiveCost) FROM t WHERE
                                            ChargeCategory = 'Usage')
               FROM t WHERE ChargeCategory = 'Usage' GROUP BY ServiceName"""
        )
    ]
    small = [s for s in shares if s < 0.01]
    assert len(shares) >= 30
    assert len(small) >= 20
    # Many small services that together stay a minority of the bill (a fifth at most).
    assert sum(small) < 0.2
    assert max(shares) < 0.45
