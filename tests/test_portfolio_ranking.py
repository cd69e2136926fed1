"""Portfolio attempts read families off a ranking made once: the same as sorting each prefix."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from focusgen.world.commitments import prefix_families, rank_lines
from focusgen.world.keys import unique_rows
from focusgen.world.model import USAGE_COMMITMENT


@st.composite
def eligible_lines(draw):
    n_lines = draw(st.integers(1, 60))
    n_skus = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    tables = SimpleNamespace(
        # a few SKUs share a family; -1 is a SKU outside any family
        sku_family=rng.integers(-1, 4, n_skus),
        sku_commitment=rng.integers(0, 3, n_skus),
    )
    line_sku = rng.integers(0, n_skus, n_lines)
    line_sub = rng.integers(0, 5, n_lines)
    line_region = rng.integers(0, 3, n_lines)
    sub_billing = rng.integers(0, 2, 5)
    order = rng.permutation(n_lines)[: draw(st.integers(1, n_lines))]
    cost = rng.random(n_lines) + 0.01
    taken = draw(st.integers(1, len(order)))
    return tables, order, cost, line_sku, line_sub, line_region, sub_billing, taken


@settings(max_examples=200, deadline=None)
@given(eligible_lines())
def test_prefix_families_are_those_of_the_prefix_sorted(case):
    tables, order, cost, line_sku, line_sub, line_region, sub_billing, taken = case
    ranking = rank_lines(
        tables, order, cost, float(cost[order].sum()), line_sku, line_sub, line_region, sub_billing
    )
    covered = order[:taken]
    keys = np.stack(
        [
            sub_billing[line_sub[covered]],
            line_region[covered],
            tables.sku_family[line_sku[covered]],
        ],
        axis=1,
    )
    _, expected_family = unique_rows(keys, return_inverse=True)
    pairs = unique_rows(np.stack([expected_family, line_sku[covered]], axis=1))
    expected_sizes = np.bincount(pairs[:, 0], minlength=int(expected_family.max()) + 1)

    family_of, sizes = prefix_families(ranking, taken)

    assert family_of.tolist() == expected_family.tolist()
    assert sizes.tolist() == expected_sizes.tolist()
    assert (
        ranking.usage_sku.tolist()
        == (tables.sku_commitment[line_sku[order]] == USAGE_COMMITMENT).tolist()
    )
