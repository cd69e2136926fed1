"""Commitment lifecycle: renewals inside the run, size flexibility, amortisation per term."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from focusgen import load_scenario
from focusgen.engine import chunk as chunk_module
from focusgen.engine.planner import Chunk, plan_chunks
from focusgen.world.build import build_world
from support.data import make_dataset, read


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("cd"),
        providers="aws,azure",
        rows=120_000,
        months=12,
        start="2025-01",
        profile="enterprise",
        seed=5,
    )


def test_renewals_take_over_when_a_term_ends(year):
    data = read(year)
    handovers = data.rows("""
        WITH used AS (
          SELECT ResourceId, CommitmentDiscountId AS id, min(ChargePeriodStart) AS first,
                 max(ChargePeriodEnd) AS last
          FROM t WHERE CommitmentDiscountStatus = 'Used' GROUP BY ALL)
        SELECT a.ResourceId FROM used a JOIN used b
          ON a.ResourceId = b.ResourceId AND a.id <> b.id AND b.first = a.last""")
    assert handovers, "a commitment ending inside the run is renewed for the same resources"


def test_size_flexible_reservations_cover_several_sizes(year):
    data = read(year)
    flexible = data.rows("""
        SELECT CommitmentDiscountId, count(DISTINCT SkuId),
               count(DISTINCT round(CommitmentDiscountQuantity / PricingQuantity, 6))
        FROM t WHERE CommitmentDiscountStatus = 'Used' AND CommitmentDiscountCategory = 'Usage'
        GROUP BY 1 HAVING count(DISTINCT SkuId) > 1""")
    assert flexible, "some reservation covers more than one size of a family"
    assert all(factors > 1 for _, _, factors in flexible)
    units = data.rows(
        "SELECT DISTINCT CommitmentDiscountUnit FROM t WHERE CommitmentDiscountCategory = 'Usage'"
    )
    assert units == [("Normalized Hours",)]


def test_every_period_of_every_term_amortises_exactly(year):
    data = read(year)
    spread = data.rows("""
        WITH p AS (SELECT CommitmentDiscountId AS id, ChargePeriodStart, sum(EffectiveCost) AS a
                   FROM t WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL
                   GROUP BY ALL)
        SELECT id, max(a) - min(a), max(a) FROM p GROUP BY id""")
    assert len(spread) >= 4
    assert all(gap <= 1e-9 * top for _, gap, top in spread)


@pytest.mark.parametrize("batch_rows", [1, 97])
def test_used_capacity_summed_in_period_batches_is_bit_identical(monkeypatch, batch_rows):
    """Batching covered line-periods (which bounds a big world's memory) changes no bit."""
    fields = dict(rows=60_000, months=14, start="2025-01", profile="enterprise", seed=5)
    world = build_world(load_scenario(None, providers="aws", **fields))
    pw = world.providers[0]
    assert (pw.lines.renewal >= 0).any(), "renewals must be in play"
    chunks = [c for c in plan_chunks(world, 3_000) if not c.closing]
    whole = [chunk_module._used_capacity(pw, c) for c in chunks]
    monkeypatch.setattr(chunk_module, "CAPACITY_BATCH_ROWS", batch_rows)
    batched = [chunk_module._used_capacity(pw, c) for c in chunks]
    assert sum(float(w.sum()) for w in whole) > 0
    for chunk, one, other in zip(chunks, whole, batched, strict=True):
        assert one.view(np.int64).tolist() == other.view(np.int64).tolist(), chunk


def test_used_capacity_expands_one_batch_of_line_periods_at_a_time(monkeypatch):
    """A whole month of covered line-periods is summed in batches, not held at once."""
    world = build_world(
        load_scenario(
            None, providers="aws", rows=1_000_000, months=1, granularity="hourly", seed=42
        )
    )
    pw = world.providers[0]
    lo, hi = (int(b) for b in pw.timeline.month_bounds[:2])
    month = Chunk(0, 0, 0, lo, hi, 0, 0, len(pw.lines.sku))
    covered = np.count_nonzero(pw.lines.commitment >= 0)
    assert covered * (hi - lo) > 100_000, "the month must hold many covered line-periods"

    def traced_peak(batch_rows: int) -> tuple[int, np.ndarray]:
        monkeypatch.setattr(chunk_module, "CAPACITY_BATCH_ROWS", batch_rows)
        tracemalloc.start()
        try:
            used = chunk_module._used_capacity(pw, month)
            return tracemalloc.get_traced_memory()[1], used
        finally:
            tracemalloc.stop()

    whole_peak, whole = traced_peak(1 << 24)
    batched_peak, batched = traced_peak(4_096)
    assert batched_peak * 5 < whole_peak, (batched_peak, whole_peak)
    assert whole.view(np.int64).tolist() == batched.view(np.int64).tolist()
