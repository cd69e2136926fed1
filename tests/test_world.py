"""Coherence over time, row targets and determinism of the simulated organisation."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focusgen import load_scenario
from focusgen.world import build_world
from support.data import make_dataset, read


def test_resources_keep_their_identity_over_months(datasets):
    data = read(datasets["aws"])
    drift = data.rows("""
        SELECT ResourceId FROM t WHERE ResourceId IS NOT NULL AND ChargeCategory = 'Usage'
        GROUP BY ResourceId
        HAVING count(DISTINCT RegionId) > 1 OR count(DISTINCT SubAccountId) > 1
            OR count(DISTINCT coalesce(Tags, '')) > 1 OR count(DISTINCT BillingAccountId) > 1
            OR count(DISTINCT ResourceName) > 1""")
    assert drift == []


def test_most_resources_appear_on_many_days(datasets):
    data = read(datasets["azure"])
    days = [
        r[0]
        for r in data.rows("""
        SELECT count(DISTINCT date_trunc('day', ChargePeriodStart)) FROM t
        WHERE ResourceId IS NOT NULL AND CommitmentDiscountStatus IS DISTINCT FROM 'Unused'
          AND ChargeCategory = 'Usage' GROUP BY ResourceId""")
    ]
    assert len(days) > 20
    assert sorted(days)[len(days) // 2] >= 30, "the median resource lives at least a month"


def test_accounts_and_currency_are_stable(datasets):
    data = read(datasets["gcp"])
    assert (
        data.rows("""SELECT SubAccountId FROM t WHERE SubAccountId IS NOT NULL GROUP BY 1
                        HAVING count(DISTINCT BillingAccountId) > 1""")
        == []
    )
    assert (
        data.rows("""SELECT BillingAccountId FROM t GROUP BY 1
                        HAVING count(DISTINCT BillingCurrency) > 1""")
        == []
    )
    months = data.rows("SELECT count(DISTINCT BillingPeriodStart) FROM t")[0][0]
    assert months == 3


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.integers(min_value=100, max_value=400_000),
    months=st.integers(min_value=1, max_value=4),
    granularity=st.sampled_from(["daily", "hourly"]),
    providers=st.sampled_from(["aws", "azure,gcp", "aws,azure,gcp,oci", "oci"]),
    profile=st.sampled_from(["startup", "enterprise", "data-heavy", "ml-ai"]),
)
def test_row_target_is_met_within_two_percent(rows, months, granularity, providers, profile):
    scenario = load_scenario(
        None,
        rows=rows,
        months=months,
        granularity=granularity,
        providers=providers,
        profile=profile,
        seed=rows % 97,
    )
    world = build_world(scenario)
    assert abs(world.expected_rows - rows) <= 0.02 * rows


def test_expected_rows_are_the_rows_written(tmp_path):
    out = make_dataset(tmp_path, providers="aws,oci", rows=12_345, months=2)
    data = read(out)
    assert (
        data.count()
        == build_world(
            load_scenario(None, providers="aws,oci", rows=12_345, months=2, seed=7)
        ).expected_rows
    )


def _digest(folder) -> dict[str, str]:
    """Hashes of the data files, and the summary without its output path."""
    out = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "summary.json"
    }
    summary = json.loads((folder / "summary.json").read_text())
    del summary["scenario"]["output"]["path"]
    out["summary.json"] = json.dumps(summary, sort_keys=True)
    return out


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = make_dataset(tmp_path / "a", providers="aws,azure,gcp,oci", rows=20_000, format="csv")
    b = make_dataset(tmp_path / "b", providers="aws,azure,gcp,oci", rows=20_000, format="csv")
    assert _digest(a) == _digest(b)
    c = make_dataset(tmp_path / "c", providers="aws,azure,gcp,oci", rows=20_000, format="parquet")
    d = make_dataset(tmp_path / "d", providers="aws,azure,gcp,oci", rows=20_000, format="parquet")
    assert _digest(c) == _digest(d)


def test_different_seed_gives_different_data(tmp_path):
    a = make_dataset(tmp_path / "a", providers="gcp", rows=5_000, seed=1)
    b = make_dataset(tmp_path / "b", providers="gcp", rows=5_000, seed=2)
    ids_a = {r[0] for r in read(a).rows("SELECT DISTINCT ResourceId FROM t")}
    ids_b = {r[0] for r in read(b).rows("SELECT DISTINCT ResourceId FROM t")}
    assert ids_a != ids_b
    assert _digest(a) != _digest(b)


def test_spend_target_sets_monthly_spend(tmp_path):
    out = make_dataset(tmp_path, providers="aws", monthly_spend=50_000, months=2)
    data = read(out)
    monthly = data.rows("""SELECT sum(EffectiveCost) FROM t WHERE ChargeCategory IN ('Usage')
                           GROUP BY BillingPeriodStart""")
    for (total,) in monthly:
        assert 30_000 < total < 75_000


def test_small_chunks_split_periods_by_line_and_keep_invariants(tmp_path):
    from focusgen import generate

    scenario = load_scenario(
        None,
        providers="aws",
        rows=40_000,
        months=1,
        granularity="daily",
        seed=3,
        output_path=str(tmp_path / "small"),
    )
    summary = generate(scenario, chunk_rows=500)
    data = read(tmp_path / "small")
    assert data.count() == summary.expected_rows == summary.rows
    spread = data.rows("""
        WITH p AS (SELECT CommitmentDiscountId AS id, ChargePeriodStart, sum(EffectiveCost) AS a,
                          count(*) FILTER (WHERE CommitmentDiscountStatus = 'Unused') AS u
                   FROM t WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL
                   GROUP BY ALL)
        SELECT id, max(a) - min(a), max(a), min(u), max(u) FROM p GROUP BY id""")
    assert spread
    for _, gap, top, low, high in spread:
        assert gap <= 1e-9 * top and low == high == 1


def test_resource_types_and_tags_are_codes_into_distinct_texts():
    # Each text is stored once; a resource's code picks its kind's type and a tag object
    # that spells out its own application and environment.
    from focusgen.providers.conventions import CONVENTIONS, ENVIRONMENTS

    scenario = load_scenario(None, providers="aws", rows=40_000, months=1, seed=11)
    pw = build_world(scenario).providers[0]
    r = pw.resources
    for texts in (r.type_texts.to_pylist(), r.tag_texts.to_pylist()):
        assert len(texts) == len(set(texts))
    assert len(r.type_code) == len(r.tag_code) == len(r.id)
    assert r.tags_valid.any() and not r.tags_valid.all()
    app_key, env_key = CONVENTIONS["aws"].tag_keys[:2]
    tags = r.tag_texts.to_pylist()
    for i in np.flatnonzero(r.tags_valid)[:500].tolist():
        tag = json.loads(tags[r.tag_code[i]])
        assert tag[app_key] == pw.org.app_name[r.app[i]]
        if env_key in tag:
            assert tag[env_key] == ENVIRONMENTS[r.env[i]]
    # Each line's SKU belongs to its resource's kind: the resource's type is that kind's.
    kind_type = [t or "" for _, _, t in pw.tables.kind_templates]
    types = r.type_texts.to_pylist()
    line_kind = pw.tables.sku_kind[pw.lines.sku]
    resource_type = [types[c] for c in r.type_code[pw.lines.resource].tolist()]
    assert resource_type == [kind_type[k] for k in line_kind.tolist()]
    assert (r.type_valid[pw.lines.resource] == (np.array(resource_type) != "")).all()


def test_resource_ids_are_made_unique_keeping_the_first_of_each():
    from focusgen.world.identity import _dedupe

    ids = pa.array(["a", "b", "a", "c", "a", "b"])
    assert _dedupe(ids).to_pylist() == ["a", "b", "a-2", "c", "a-3", "b-4"]
    unique = pa.array(["x", "y", "z"])
    assert _dedupe(unique) is unique


def test_sku_region_texts_are_made_for_the_pairs_the_world_bills(datasets):
    from focusgen.engine.statics import _price_text, statics, used_sku_regions
    from focusgen.executors.tasks import world_for

    scenario = load_scenario(None, providers="aws", rows=30_000, months=1, seed=5)
    world = world_for(scenario.model_dump_json())[1]
    pw = world.providers[0]
    st_, pairs = statics(pw), used_sku_regions(pw)
    n_regions = len(pw.tables.region_id)
    assert 0 < len(pairs) == len(st_.description) < len(st_.pair_code)
    # Every line's and reservation's pair has a text; no other pair does.
    billed = pw.lines.sku.astype(np.int64) * n_regions + pw.lines.region
    assert (st_.pair_code[billed] >= 0).all()
    assert np.array_equal(np.flatnonzero(st_.pair_code >= 0), pairs)
    # Each pair's code points at its own text: its region's price and name where the
    # template has them.
    t = pw.tables
    for key in pairs.tolist():
        sku, region = divmod(key, n_regions)
        text = st_.description[int(st_.pair_code[key])].as_py()
        template = t.sku_description[sku]
        if "{" not in template:
            assert text == template
        if "{price}" in template:
            assert _price_text(t.sku_list_price[sku] * t.region_price_factor[region]) in text
        if "{region_name}" in template:
            assert t.region_name[region] in text
    # In the output every usage row has a description, one per SKU price and region.
    data = read(datasets["aws"])
    assert (
        data.rows("""
        SELECT SkuPriceId, RegionId FROM t WHERE ChargeCategory = 'Usage' AND SkuPriceId IS NOT NULL
        GROUP BY SkuPriceId, RegionId HAVING count(DISTINCT ChargeDescription) > 1""")
        == []
    )
    assert data.count("ChargeCategory = 'Usage' AND ChargeDescription IS NULL") == 0
