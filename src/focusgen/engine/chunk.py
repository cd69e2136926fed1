"""Build one chunk's rows: usage (priced, committed or not), unused commitment and purchases."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from focusgen.engine import kernels as pc
from focusgen.engine.arrow import (
    coded,
    constant,
    decimals,
    release_chunk_memory,
    strings,
)
from focusgen.engine.blocks import (
    common_columns,
    contract_applied,
    cost_columns,
    invoice_detail_columns,
    keys,
    row_fx,
    service_columns,
    unit_price_columns,
)
from focusgen.engine.canonical import to_table
from focusgen.engine.credits import credits_in_usage, usage_credits
from focusgen.engine.fromnumpy import from_numpy
from focusgen.engine.planner import Chunk
from focusgen.engine.statics import pricing_categories, statics
from focusgen.engine.trends import trend_factor
from focusgen.engine.usage import consumed_quantity
from focusgen.focus.dialect import version_columns
from focusgen.world.model import SPEND_COMMITMENT, USAGE_COMMITMENT, ProviderWorld

STANDARD, DYNAMIC, COMMITTED = 0, 1, 2
NORMALIZED = "Normalized Hours"  # size-flexible reservations count normalised instance-hours


@dataclass
class ChunkSums:
    """Per (sub-account, service) sums of list, contracted, billed and effective cost."""

    values: np.ndarray  # shape (subs, services, 4)


def chunk_rng(seed: int, chunk: Chunk) -> np.random.Generator:
    """The chunk's own random stream, keyed by (provider, month, part)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, *chunk.key)))


def build_chunk(
    pw: ProviderWorld, chunk: Chunk, seed: int, growth: float
) -> tuple[pa.Table, ChunkSums]:
    """All non-closing rows of a chunk as one canonical table, with the chunk's cost sums."""
    release_chunk_memory()
    rng = chunk_rng(seed, chunk)
    n_subs, n_services = len(pw.org.sub_id), len(pw.services.name)
    sums = np.zeros((n_subs, n_services, 4))
    tables = []
    tables.append(_usage(pw, chunk, rng, growth, sums))
    if chunk.line_lo == 0:
        unused = _unused(pw, chunk, sums)
        if unused is not None:
            tables.append(unused)
        purchases = _purchases(pw, chunk, sums)
        if purchases is not None:
            tables.append(purchases)
        idle = _unused_reservations(pw, chunk, sums)
        if idle is not None:
            tables.append(idle)
    # Per-entity dictionaries repeat values (one publisher per service, one type per
    # resource); unifying leaves each column one dictionary of distinct values, which
    # Parquet writes as it is instead of hashing every row again (2.5x faster on a
    # 100M-row month's chunks). Arrow leaves single-chunk columns alone: hence the
    # empty chunk.
    table = pa.concat_tables([*tables, tables[0].slice(0, 0)]).unify_dictionaries()
    return table, ChunkSums(sums)


def _accumulate(sums: np.ndarray, sub: np.ndarray, service: np.ndarray, *costs: np.ndarray) -> None:
    key = sub.astype(np.int64) * sums.shape[1] + service
    size = sums.shape[0] * sums.shape[1]
    for j, cost in enumerate(costs):
        sums[:, :, j] += np.bincount(key, weights=cost, minlength=size).reshape(sums.shape[:2])


def interval_rows(
    start: np.ndarray, end: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    """One row per (interval, period) of ``[start, end)`` clipped to ``[lo, hi)``.

    Returns each row's interval index and charge period, interval-major.
    """
    first = np.maximum(start, lo)
    counts = np.maximum(np.minimum(end, hi) - first, 0)
    owner = np.repeat(np.arange(len(start), dtype=np.int32), counts)
    offsets = np.cumsum(counts) - counts
    period = (first[owner] + (np.arange(len(owner)) - offsets[owner])).astype(np.int64)
    return owner, period


def _usage(
    pw: ProviderWorld, chunk: Chunk, rng: np.random.Generator, growth: float, sums: np.ndarray
) -> pa.Table:
    """Usage rows of the chunk's active lines: quantities, prices, commitments, allocation."""
    st = statics(pw)
    lines, t = pw.lines, pw.tables
    timeline = pw.timeline
    active = np.flatnonzero((lines.start < chunk.end) & (lines.end > chunk.start))
    active = active[(active >= chunk.line_lo) & (active < chunk.line_hi)]
    local, period = interval_rows(lines.start[active], lines.end[active], chunk.start, chunk.end)
    n = len(local)

    sku = lines.sku[active]
    row_sku = sku[local]
    usage_kind = t.sku_usage[row_sku]
    consumed = consumed_quantity(
        rng,
        timeline,
        period,
        usage_kind,
        lines.qty[active][local],
        t.sku_spread[row_sku],
        lines.shape[active][local],
        lines.start[active][local],
        growth,
    )
    spot_factor = rng.uniform(0.28, 0.42, n)
    # Split cost allocation: a shared line's row becomes one row per share (two workloads
    # and the idle remainder); summable metrics are split by ratio, unit prices kept.
    share = np.zeros(n, dtype=np.int64)
    ratio = np.ones(n)
    row_shares = lines.shares[active][local] if len(lines.shares) else np.ones(n, np.int8)
    if (row_shares > 1).any():
        row_shares = row_shares.astype(np.int64)
        expand = np.repeat(np.arange(n), row_shares)
        share = np.arange(len(expand)) - np.repeat(np.cumsum(row_shares) - row_shares, row_shares)
        local, period, consumed = local[expand], period[expand], consumed[expand]
        spot_factor, row_sku, usage_kind = spot_factor[expand], row_sku[expand], usage_kind[expand]
        split = row_shares[expand] > 1
        ratio = np.where(split, lines.alloc_ratio[active[local], np.minimum(share, 2)], 1.0)
        consumed = consumed * ratio
        share = np.where(split, share, -1)
        n = len(expand)
    else:
        share = np.full(n, -1)
    row_line = active[local]
    commitment = current_commitment(pw, row_line, period)
    c = pw.commitments
    in_term = commitment >= 0
    # Each row's commitment index, 0 on rows without one (masked out where it matters).
    cid = np.maximum(commitment, 0).astype(np.int32, copy=False)
    if in_term.any():
        in_term &= (period >= c.start[cid]) & (period < c.end[cid])
    # Trends and anomalies scale uncovered usage; covered usage stays within its commitment.
    consumed = np.where(
        in_term, consumed, np.round(consumed * time_multiplier(pw, row_line, period), 6)
    )
    pricing_qty = consumed / t.sku_block_size[row_sku]
    norm = t.sku_normalization[row_sku]
    sub = lines.sub[active][local]
    fx = row_fx(pw, sub, chunk.month)
    # Prices follow the month's exchange rate; committed rates were fixed at purchase.
    drift = fx / pw.fx_base[pw.org.sub_billing[sub]]
    lp = lines.list_price[active][local] * drift
    cp = lines.contracted_price[active][local] * drift
    list_cost = lp * pricing_qty
    contracted_cost = cp * pricing_qty
    spot = lines.spot[active][local]
    committed_cost = lines.commit_rate[active][local] * pricing_qty
    billed = np.where(in_term, 0.0, np.where(spot, contracted_cost * spot_factor, contracted_cost))
    effective = np.where(in_term, committed_cost, billed)
    if st.third_party.any():
        # A listing its publisher invoices: the provider's rows carry no billed cost.
        paid_elsewhere = st.third_party[lines.service[active][local]]
        billed = np.where(paid_elsewhere, 0.0, billed)
        effective = np.where(paid_elsewhere, 0.0, effective)
    credit = None
    if credits_in_usage(pw):
        credit = usage_credits(pw, sub, billed)
        billed, effective = billed + credit, effective + credit
    category = np.where(in_term, COMMITTED, np.where(spot, DYNAMIC, STANDARD))

    service = lines.service[active][local]
    _accumulate(sums, sub, service, list_cost, contracted_cost, billed, effective)

    resources = lines.resource[active]
    uniq, inverse = np.unique(resources, return_inverse=True)
    res = inverse.ravel().astype(np.int32)[local]
    region = lines.region[active][local]
    zone = lines.zone[active][local]
    regional = pw.tables.service_regional[np.minimum(service, pw.tables.n_services - 1)]
    # Rows of non-regional services: the provider's global region id, else a null region.
    if t.catalog.global_region_id is None:
        row_region, region_valid = region, regional
    else:
        row_region, region_valid = np.where(regional, region, len(t.region_id)), None
    start_us = timeline.period_start_us(period)
    cols = common_columns(pw, st, chunk.month, sub, start_us, start_us + timeline.period_us)
    cols.update(service_columns(st, service))
    cols.update(invoice_detail_columns(pw, st, chunk.month, sub, service, "Usage"))
    cols.update(cost_columns(list_cost, contracted_cost, billed, effective, fx))
    cols.update(unit_price_columns(lp, cp, fx=fx))
    rcode, (rid, rname) = _resource_dictionaries(pw, st, uniq, res)
    row_resource = uniq[res]
    identity = pw.resources
    if len(c) and "ContractApplied" in version_columns(pw.focus_version):
        spend = c.kind[cid] == SPEND_COMMITMENT
        cols["ContractApplied"] = contract_applied(
            pw.focus_version,
            cid,
            c.id,
            st.contract_id,
            committed_cost,
            np.where(spend, committed_cost, pricing_qty * norm),
            np.where(c.kind == SPEND_COMMITMENT, st.commitment_currency, NORMALIZED),
            in_term,
        )
    cdq_spend = (
        np.where(
            c.kind[cid] == SPEND_COMMITMENT,
            committed_cost,
            pricing_qty * norm,
        )
        if len(c)
        else pricing_qty
    )
    cols.update(
        {
            "AvailabilityZone": coded(zone, st.zone, valid=zone >= 0),
            "ChargeCategory": constant("Usage", n),
            "ChargeDescription": coded(
                st.pair_code[row_sku * len(t.region_id) + region], st.description
            ),
            "ChargeFrequency": constant("Usage-Based", n),
            "CommitmentDiscountCategory": coded(cid, st.commitment_category, in_term),
            "CommitmentDiscountId": coded(cid, st.commitment_id, in_term),
            "CommitmentDiscountName": coded(cid, st.commitment_name, in_term),
            "CommitmentDiscountType": coded(cid, st.commitment_type, in_term),
            "CommitmentDiscountStatus": coded(np.zeros(n, np.int32), strings(["Used"]), in_term),
            "CommitmentDiscountQuantity": decimals(cdq_spend, valid=in_term),
            "CommitmentDiscountUnit": coded(cid, st.commitment_unit, in_term),
            "CommitmentProgramEligibilityDetails": coded(
                row_sku, st.sku_programs, st.sku_programs_valid[row_sku]
            ),
            "ConsumedQuantity": decimals(consumed),
            "ConsumedUnit": coded(row_sku, st.consumed_unit),
            "PricingCategory": coded(category, pricing_categories()),
            "PricingQuantity": decimals(pricing_qty),
            "PricingUnit": coded(row_sku, st.pricing_unit),
            "RegionId": coded(row_region, st.region_id, region_valid),
            "RegionName": coded(row_region, st.region_name, region_valid),
            "ResourceId": coded(rcode, rid),
            "ResourceName": coded(rcode, rname),
            "ResourceType": coded(
                identity.type_code[row_resource],
                st.resource_type,
                identity.type_valid[row_resource],
            ),
            "SkuId": coded(row_sku, st.sku_id),
            "SkuMeter": coded(row_sku, st.sku_meter),
            "SkuPriceDetails": coded(row_sku, st.sku_details, st.sku_details_valid[row_sku]),
            "SkuPriceId": coded(row_sku, st.sku_price_id),
            "Tags": coded(
                identity.tag_code[row_resource], st.tags, identity.tags_valid[row_resource]
            ),
            "_sku": keys(row_sku),
            "_credit": None if credit is None else decimals(credit, valid=credit != 0),
            "_region": keys(region),
            "_resource": keys(row_resource),
        }
    )
    if len(lines.reservation) and pw.reservations is not None and len(pw.reservations):
        reserved = lines.reservation[active][local]
        in_reservation = reserved >= 0
        cols["CapacityReservationId"] = coded(
            np.maximum(reserved, 0), st.reservation_id, in_reservation
        )
        cols["CapacityReservationStatus"] = coded(
            np.zeros(n, np.int32), strings(["Used"]), in_reservation
        )
    if (share >= 0).any():
        cols.update(_allocation_columns(pw, st, row_line, share, ratio, consumed, row_sku))
    return to_table(cols, n)


def _resource_dictionaries(
    pw: ProviderWorld, st, uniq: np.ndarray, res: np.ndarray
) -> tuple[np.ndarray, tuple[pa.Array, ...]]:
    """Row codes and dictionaries of ResourceId and ResourceName.

    When most of the world's resources are active in the chunk (always so in large runs),
    rows index the world's dictionaries as they are: a per-chunk copy of ~100K ids, names
    and tags would hold tens of MB per chunk alive. Otherwise the chunk takes its active
    resources only, which keeps small files' dictionary pages small. Either way the choice
    depends on the chunk alone, so output stays the same for any worker count.
    """
    world = (st.resource_id, st.resource_name)
    if 2 * len(uniq) >= len(pw.resources.id):
        return uniq[res], world
    pick = from_numpy(uniq)
    return res, tuple(pc.take(d, pick) for d in world)


def _allocation_columns(
    pw: ProviderWorld,
    st,
    row_line: np.ndarray,
    share: np.ndarray,
    ratio: np.ndarray,
    consumed: np.ndarray,
    row_sku: np.ndarray,
) -> dict[str, pa.Array]:
    """Allocated* columns: method, workload (null for the idle remainder), tags, ratios."""
    lines = pw.lines
    split = share >= 0
    workload = split & (share < 2)
    pick = np.flatnonzero(workload)
    line = row_line[pick]
    app = lines.alloc_app[line, share[pick]]
    names = strings(pw.org.app_name[app])
    containers = pw.services.subcategory[lines.service[line]] == "Containers"
    rid = pc.take(st.resource_id, lines.resource[line])
    joint = strings(np.where(containers, "/namespaces/", "/databases/"))
    workload_id = pc.binary_join_element_wise(rid, joint, names, "")
    key = strings(np.where(containers, "k8s-namespace", "database"))
    tags = pc.binary_join_element_wise('{"', key, '":"', names, '"}', "")
    position = np.zeros(len(share), dtype=np.int32)
    position[pick] = np.arange(len(pick), dtype=np.int32)
    every = np.flatnonzero(split)
    unit = pc.take(st.consumed_unit, row_sku[every])
    details = pc.binary_join_element_wise(
        '{"Elements":[{"AllocatedRatio":',
        pc.cast(from_numpy(ratio[every]), pa.string()),
        ',"UsageUnit":"',
        unit,
        '","UsageQuantity":',
        pc.cast(from_numpy(consumed[every]), pa.string()),
        "}]}",
        "",
    )
    all_position = np.zeros(len(share), dtype=np.int32)
    all_position[every] = np.arange(len(every), dtype=np.int32)
    method = np.where(
        pw.services.subcategory[lines.service[row_line]] == "Containers", 0, 1
    ).astype(np.int32)
    return {
        "AllocatedMethodId": coded(method, strings(["CpuRequestShare", "QueryTimeShare"]), split),
        "AllocatedMethodDetails": coded(all_position, details, split),
        "AllocatedResourceId": coded(position, workload_id, workload),
        "AllocatedResourceName": coded(position, names, workload),
        "AllocatedTags": coded(position, tags, workload),
    }


def current_commitment(pw: ProviderWorld, row_line: np.ndarray, period: np.ndarray) -> np.ndarray:
    """The commitment covering each row's line in its period: the renewal after the first term."""
    lines, c = pw.lines, pw.commitments
    commitment = lines.commitment[row_line]
    if len(lines.renewal) and (lines.renewal >= 0).any():
        renewal = lines.renewal[row_line]
        ended = (renewal >= 0) & (period >= c.end[np.maximum(commitment, 0)])
        commitment = np.where(ended, renewal, commitment)
    return commitment


def time_multiplier(pw: ProviderWorld, row_line: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Product of the trends and anomalies that apply to each row's line and period."""
    out = np.ones(len(row_line))
    for trend, mask in pw.trends:
        factor = trend_factor(trend, pw.timeline, period)
        out *= factor if mask is None else np.where(mask[row_line], factor, 1.0)
    if pw.anomalies:
        masks = anomaly_masks(pw)
        for effect, mask in zip(pw.anomalies, masks, strict=True):
            if effect.kind in ("new-service", "commitment-expiry"):
                continue
            hit = mask[row_line]
            if hit.any():
                out[hit] *= effect.multiplier(period[hit])
    return out


def anomaly_masks(pw: ProviderWorld) -> list[np.ndarray]:
    """Per anomaly, a boolean mask over the provider's lines (built once per world)."""
    cached = pw.__dict__.get("_anomaly_masks")
    if cached is None:
        cached = []
        for effect in pw.anomalies:
            mask = np.zeros(len(pw.lines), dtype=bool)
            mask[effect.lines] = True
            cached.append(mask)
        pw.__dict__["_anomaly_masks"] = cached
    return cached


# Covered line-periods expanded at once when summing used capacity. A month's first tiles
# sum every covered line of the world (not only their own line group): unbatched, 16K
# covered lines x 49 periods (AWS hourly, 100M rows) grew the heap by 48 MB for one chunk.
CAPACITY_BATCH_ROWS = 1 << 17


def _used_capacity(pw: ProviderWorld, chunk: Chunk) -> np.ndarray:
    """Capacity each commitment's covered lines use per period of the chunk.

    Covered lines run whole periods, so this follows from the world alone, with the
    same arithmetic as their usage rows (usage commitments count pricing units, spend
    commitments count currency). Periods are summed a batch at a time: each sum's key
    holds its period, so batches never share a sum and each adds its lines in the same
    order as one pass would.
    """
    lines, c, t = pw.lines, pw.commitments, pw.tables
    span = chunk.end - chunk.start
    covered = np.flatnonzero(
        (lines.commitment >= 0) & (lines.start < chunk.end) & (lines.end > chunk.start)
    )
    used = np.zeros(len(c) * span)
    start, end = lines.start[covered], lines.end[covered]
    hours = float(pw.timeline.period_hours)
    step = max(1, CAPACITY_BATCH_ROWS // max(1, len(covered)))
    for lo in range(chunk.start, chunk.end, step):
        owner, period = interval_rows(start, end, lo, min(lo + step, chunk.end))
        line = covered[owner]
        commitment = current_commitment(pw, line, period)
        in_term = (period >= c.start[commitment]) & (period < c.end[commitment])
        consumed = np.round(lines.qty[line] * hours, 6)
        pricing_qty = consumed / t.sku_block_size[lines.sku[line]]
        amount = np.where(
            c.kind[commitment] == SPEND_COMMITMENT,
            lines.commit_rate[line] * pricing_qty,
            pricing_qty * t.sku_normalization[lines.sku[line]],
        )
        key = commitment.astype(np.int64) * span + (period - chunk.start)
        used += np.bincount(key[in_term], weights=amount[in_term], minlength=len(used))
    return used


def _unused(pw: ProviderWorld, chunk: Chunk, sums: np.ndarray) -> pa.Table | None:
    c = pw.commitments
    if not len(c):
        return None
    who, period = interval_rows(c.start, c.end, chunk.start, chunk.end)
    n = len(who)
    if not n:
        return None
    span = chunk.end - chunk.start
    used = _used_capacity(pw, chunk)[who.astype(np.int64) * span + (period - chunk.start)]
    hours = float(pw.timeline.period_hours)
    is_usage = c.kind[who] == USAGE_COMMITMENT
    # Usage commitments count pricing units; spend commitments count currency.
    capacity_units = c.capacity[who] * hours
    unused_units = capacity_units - used
    pricing_qty = np.where(is_usage, unused_units, hours)
    lp = np.where(is_usage, c.unit_list[who], c.capacity[who])
    cp = np.where(is_usage, c.unit_contracted[who], c.capacity[who])
    effective = np.where(is_usage, c.rate[who] * unused_units, unused_units)
    list_cost = lp * pricing_qty
    contracted_cost = cp * pricing_qty
    billed = np.zeros(n)
    _accumulate(sums, c.sub[who], c.service[who], list_cost, contracted_cost, billed, effective)
    st = statics(pw)
    start_us = pw.timeline.period_start_us(period)
    cols = common_columns(
        pw, st, chunk.month, c.sub[who], start_us, start_us + pw.timeline.period_us
    )
    cols.update(_commitment_identity(pw, who, is_usage))
    cols.update(service_columns(st, c.service[who]))
    cols.update(invoice_detail_columns(pw, st, chunk.month, c.sub[who], c.service[who], "Usage"))
    if "ContractApplied" in version_columns(pw.focus_version):
        cols["ContractApplied"] = contract_applied(
            pw.focus_version,
            who,
            c.id,
            st.contract_id,
            effective,
            unused_units,
            np.where(c.kind == USAGE_COMMITMENT, NORMALIZED, st.commitment_currency),
            np.ones(n, dtype=bool),
        )
    fx = row_fx(pw, c.sub[who], chunk.month)
    cols.update(cost_columns(list_cost, contracted_cost, billed, effective, fx))
    cols.update(unit_price_columns(lp, cp, fx=fx))
    cols.update(
        {
            "ChargeCategory": constant("Usage", n),
            "ChargeDescription": coded(
                who, strings([f"Unused {d}" for d in st.commitment_description.to_pylist()])
            ),
            "ChargeFrequency": constant("Usage-Based", n),
            "CommitmentDiscountStatus": constant("Unused", n),
            "CommitmentDiscountQuantity": decimals(unused_units),
            "PricingCategory": constant("Committed", n),
            "PricingQuantity": decimals(pricing_qty),
            "PricingUnit": coded(is_usage.astype(np.int32), strings(["Hours", NORMALIZED])),
        }
    )
    return to_table(cols, n)


def _unused_reservations(pw: ProviderWorld, chunk: Chunk, sums: np.ndarray) -> pa.Table | None:
    """The idle part of each capacity reservation per period, billed at on-demand rates."""
    r = pw.reservations
    if r is None or not len(r) or chunk.end <= chunk.start:
        return None
    lines, t = pw.lines, pw.tables
    span = chunk.end - chunk.start
    hours = float(pw.timeline.period_hours)
    members = np.flatnonzero(
        (lines.reservation >= 0) & (lines.start < chunk.end) & (lines.end > chunk.start)
    )
    owner, period = interval_rows(lines.start[members], lines.end[members], chunk.start, chunk.end)
    line = members[owner]
    used = np.bincount(
        lines.reservation[line].astype(np.int64) * span + (period - chunk.start),
        weights=lines.qty[line] * hours,
        minlength=len(r) * span,
    )
    n = len(r) * span
    who = np.repeat(np.arange(len(r)), span)
    at = np.tile(np.arange(chunk.start, chunk.end, dtype=np.int64), len(r))
    consumed = r.capacity[who] * hours - used
    pricing_qty = consumed / t.sku_block_size[r.sku[who]]
    sub = r.sub[who]
    fx = row_fx(pw, sub, chunk.month)
    drift = fx / pw.fx_base[pw.org.sub_billing[sub]]
    lp = r.list_price[who] * drift
    cp = r.contracted_price[who] * drift
    list_cost, contracted_cost = lp * pricing_qty, cp * pricing_qty
    _accumulate(
        sums, sub, r.service[who], list_cost, contracted_cost, contracted_cost, contracted_cost
    )
    st = statics(pw)
    start_us = pw.timeline.period_start_us(at)
    cols = common_columns(pw, st, chunk.month, sub, start_us, start_us + pw.timeline.period_us)
    cols.update(service_columns(st, r.service[who]))
    cols.update(invoice_detail_columns(pw, st, chunk.month, sub, r.service[who], "Usage"))
    cols.update(cost_columns(list_cost, contracted_cost, contracted_cost, contracted_cost, fx))
    cols.update(unit_price_columns(lp, cp, fx=fx))
    sku = r.sku[who]
    cols.update(
        {
            "AvailabilityZone": coded(r.zone[who], st.zone),
            "CapacityReservationId": coded(who, st.reservation_id),
            "CapacityReservationStatus": constant("Unused", n),
            "ChargeCategory": constant("Usage", n),
            "ChargeDescription": coded(
                st.pair_code[sku * len(t.region_id) + r.region[who]], st.description
            ),
            "ChargeFrequency": constant("Usage-Based", n),
            "ConsumedQuantity": decimals(consumed),
            "ConsumedUnit": coded(sku, st.consumed_unit),
            "PricingCategory": constant("Standard", n),
            "PricingQuantity": decimals(pricing_qty),
            "PricingUnit": coded(sku, st.pricing_unit),
            "RegionId": coded(r.region[who], st.region_id),
            "RegionName": coded(r.region[who], st.region_name),
            "ResourceId": coded(who, st.reservation_id),
            "ResourceName": coded(who, st.reservation_id),
            "ResourceType": constant("Capacity Reservation", n),
            "SkuId": coded(sku, st.sku_id),
            "SkuMeter": coded(sku, st.sku_meter),
            "SkuPriceDetails": coded(sku, st.sku_details, st.sku_details_valid[sku]),
            "SkuPriceId": coded(sku, st.sku_price_id),
            "CommitmentProgramEligibilityDetails": coded(
                sku, st.sku_programs, st.sku_programs_valid[sku]
            ),
            "_sku": keys(sku),
            "_region": keys(r.region[who]),
        }
    )
    return to_table(cols, n)


def _commitment_identity(pw: ProviderWorld, who: np.ndarray, is_usage: np.ndarray) -> dict:
    """Identity columns of rows that belong to a commitment itself (unused, purchases)."""
    st = statics(pw)
    region = np.maximum(pw.commitments.region[who], 0)
    return {
        "CommitmentDiscountCategory": coded(who, st.commitment_category),
        "CommitmentDiscountId": coded(who, st.commitment_id),
        "CommitmentDiscountName": coded(who, st.commitment_name),
        "CommitmentDiscountType": coded(who, st.commitment_type),
        "CommitmentDiscountUnit": coded(who, st.commitment_unit),
        "CommitmentProgramEligibilityDetails": coded(who, st.commitment_programs),
        "RegionId": coded(region, st.region_id, is_usage),
        "RegionName": coded(region, st.region_name, is_usage),
        "ResourceId": coded(who, st.commitment_id),
        "ResourceName": coded(who, st.commitment_name),
        "ResourceType": coded(who, st.commitment_type),
        "SkuId": coded(who, st.commitment_sku_id),
        "SkuPriceId": coded(who, st.commitment_price_id),
        "SkuMeter": coded(who, st.commitment_type),
    }


def _purchases(pw: ProviderWorld, chunk: Chunk, sums: np.ndarray) -> pa.Table | None:
    c = pw.commitments
    if not len(c):
        return None
    schedule = pw.schedule
    pick = np.flatnonzero((schedule.start >= chunk.start) & (schedule.start < chunk.end))
    if not len(pick):
        return None
    n = len(pick)
    who = schedule.commitment[pick]
    hours = schedule.quantity[pick]
    fraction = schedule.amount_fraction[pick]
    recurring = schedule.recurring[pick]
    is_usage = c.kind[who] == USAGE_COMMITMENT
    pricing_qty = np.where(is_usage, c.capacity[who] * hours, hours)
    lp = np.where(is_usage, c.list_rate[who], c.capacity[who]) * fraction
    cp = np.where(is_usage, c.rate[who], c.capacity[who]) * fraction
    list_cost = lp * pricing_qty
    contracted_cost = cp * pricing_qty
    billed = contracted_cost
    effective = np.zeros(n)
    _accumulate(sums, c.sub[who], c.service[who], list_cost, contracted_cost, billed, effective)
    st = statics(pw)
    tl = pw.timeline
    start_us = tl.period_start_us(schedule.start[pick].astype(np.int64))
    end_us = tl.period_start_us(schedule.end[pick].astype(np.int64))
    cols = common_columns(pw, st, chunk.month, c.sub[who], start_us, end_us)
    cols.update(_commitment_identity(pw, who, is_usage))
    cols.update(service_columns(st, c.service[who]))
    cols.update(invoice_detail_columns(pw, st, chunk.month, c.sub[who], c.service[who], "Purchase"))
    if "ContractApplied" in version_columns(pw.focus_version):
        cols["ContractApplied"] = contract_applied(
            pw.focus_version,
            who,
            c.id,
            st.contract_id,
            billed,
            c.capacity[who] * hours,
            np.where(c.kind == USAGE_COMMITMENT, NORMALIZED, st.commitment_currency),
            np.ones(n, dtype=bool),
        )
    fx = row_fx(pw, c.sub[who], chunk.month)
    cols.update(cost_columns(list_cost, contracted_cost, billed, effective, fx))
    cols.update(unit_price_columns(lp, cp, fx=fx))
    payment = np.array(["All Upfront", "Partial Upfront", "No Upfront"])[c.payment[who]]
    what = np.array(st.commitment_description.to_pylist(), dtype=str)[who]
    text = np.strings.add(np.strings.add(what, " "), payment)
    text = np.where(
        recurring, np.strings.add(text, " recurring fee"), np.strings.add(text, " upfront fee")
    )
    uniq, inverse = np.unique(text, return_inverse=True)
    cols.update(
        {
            "ChargeCategory": constant("Purchase", n),
            "ChargeDescription": coded(inverse.ravel(), strings(uniq.tolist())),
            "ChargeFrequency": coded(
                recurring.astype(np.int32), strings(["One-Time", "Recurring"])
            ),
            "CommitmentDiscountQuantity": decimals(c.capacity[who] * hours),
            "PricingCategory": constant("Standard", n),
            "PricingQuantity": decimals(pricing_qty),
            "PricingUnit": coded(is_usage.astype(np.int32), strings(["Hours", NORMALIZED])),
        }
    )
    return to_table(cols, n)
