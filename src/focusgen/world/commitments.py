"""Choose a commitment portfolio (reservations, savings plans, CUDs) for the covered lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np

from focusgen.catalog.tables import CatalogTables
from focusgen.engine.timeline import Timeline
from focusgen.providers.conventions import CONVENTIONS
from focusgen.providers.idgen import digit_tokens, fill, hex_tokens, uuid_tokens
from focusgen.world.concurrency import peak_concurrency
from focusgen.world.identity import bare_account
from focusgen.world.keys import distinct, table_unique, unique_columns
from focusgen.world.model import RUNTIME, SPEND_COMMITMENT, USAGE_COMMITMENT, Commitments

TERMS_HOURS = (8760, 26280)
PAYMENTS = ("All Upfront", "Partial Upfront", "No Upfront")
UPFRONT_FRACTION = (1.0, 0.5, 0.0)
# Discount off the contracted rate by (term, payment): 1-year and 3-year reservations.
DISCOUNT = ((0.36, 0.33, 0.28), (0.60, 0.55, 0.45))
SPEND_DISCOUNT_FACTOR = 0.9


def empty_commitments() -> Commitments:
    """A portfolio with no commitments."""
    i32 = np.zeros(0, dtype=np.int32)
    f64 = np.zeros(0, dtype=np.float64)
    s = np.zeros(0, dtype=str)
    return Commitments(
        kind=i32,
        billing=i32,
        sub=i32,
        sku=i32,
        region=i32,
        service=i32,
        capacity=f64,
        rate=f64,
        list_rate=f64,
        unit_list=f64,
        unit_contracted=f64,
        start=i32,
        end=i32,
        term_hours=i32,
        upfront=f64,
        payment=i32,
        id=s,
        name=s,
        sku_id=s,
        sku_price_id=s,
    )


def build_commitments(
    rng: np.random.Generator,
    tables: CatalogTables,
    timeline: Timeline,
    line_sku: np.ndarray,
    line_sub: np.ndarray,
    line_region: np.ndarray,
    line_service: np.ndarray,
    line_start: np.ndarray,
    line_end: np.ndarray,
    line_qty: np.ndarray,
    line_spot: np.ndarray,
    contracted: np.ndarray,
    listed: np.ndarray,
    sub_billing: np.ndarray,
    sub_ids: np.ndarray,
    spend_service: int,
    coverage: float,
    utilisation: float,
    max_commitments: int,
) -> tuple[Commitments, np.ndarray, np.ndarray, np.ndarray]:
    """Pick covered lines, group them into commitments and size each one.

    Returns the portfolio, each line's commitment index (-1 = none), each line's
    committed rate per pricing unit (0 where not covered) and each line's renewal
    commitment (-1 = none), which takes over when the first term ends.

    ``coverage`` is the share of the eligible usage (on-demand equivalent, over the run)
    the portfolio covers. Terms bought during the run, terms ending unrenewed and the cap on
    the number of commitments leave part of the assigned usage uncovered, so the share of
    lines assigned is raised until the realised coverage meets the target.
    """
    args = (
        tables,
        timeline,
        line_sku,
        line_sub,
        line_region,
        line_service,
        line_start,
        line_end,
        line_qty,
        contracted,
        listed,
        sub_billing,
        spend_service,
    )
    eligible = commitment_eligible(tables, line_sku, line_spot)
    if coverage <= 0 or max_commitments <= 0 or not eligible.any():
        return _no_portfolio(len(line_sku))
    # Lines in the order they are taken (longest first, random among equals), the same for
    # every attempt: drawn once, and each attempt goes on from the stream's state after it.
    life = (line_end - line_start).astype(float)
    cost = contracted * line_qty * life
    candidates = np.flatnonzero(eligible)
    order = candidates[np.lexsort((rng.random(len(candidates)), -life[candidates]))]
    whole = float(cost[eligible].sum())
    ranking = rank_lines(tables, order, cost, whole, line_sku, line_sub, line_region, sub_billing)
    state = rng.bit_generator.state
    target = coverage
    best, best_error, naming = None, np.inf, None
    for _ in range(4):
        rng.bit_generator.state = state
        result, stream = _portfolio(rng, *args, ranking, target, utilisation, max_commitments)
        realised = realised_coverage(line_start, line_end, line_qty, contracted, whole, result)
        if abs(realised - coverage) < best_error:
            best, best_error, naming = result, abs(realised - coverage), stream
        if target >= 1.0 or best_error <= 0.03 or realised <= 0:
            break
        target = min(1.0, target * coverage / realised)
    if naming is not None:  # only the portfolio kept is named
        rng.bit_generator.state = naming
        _name_commitments(rng, tables, best[0], sub_ids)
    return best


def commitment_eligible(
    tables: CatalogTables, line_sku: np.ndarray, line_spot: np.ndarray
) -> np.ndarray:
    """Lines a commitment may cover: always-on, commitment-eligible SKUs, not spot."""
    return (
        (tables.sku_usage[line_sku] == RUNTIME) & (tables.sku_commitment[line_sku] > 0) & ~line_spot
    )


def realised_coverage(
    line_start: np.ndarray,
    line_end: np.ndarray,
    line_qty: np.ndarray,
    contracted: np.ndarray,
    whole: float,
    portfolio: tuple[Commitments, np.ndarray, np.ndarray, np.ndarray],
) -> float:
    """Share of the eligible usage (``whole``: its contracted cost over the run) inside a
    commitment term."""
    commitments, line_commitment, _, line_renewal = portfolio
    per_period = contracted * line_qty
    covered = np.flatnonzero(line_commitment >= 0)
    if whole <= 0 or not len(covered):
        return 0.0
    periods = np.zeros(len(covered))
    for which in (line_commitment[covered], line_renewal[covered]):
        has = which >= 0
        c = np.maximum(which, 0)
        lo = np.maximum(line_start[covered], commitments.start[c])
        hi = np.minimum(line_end[covered], commitments.end[c])
        periods += np.where(has, np.clip(hi - lo, 0, None), 0)
    return float((per_period[covered] * periods).sum()) / whole


@dataclass(frozen=True)
class Ranking:
    """The eligible lines in the order they are taken, with what every portfolio asks of
    them worked out once: each attempt takes a prefix.

    Families (billing account, region, instance family) and (family, SKU) pairs are
    numbered in sorted key order, so the families of any prefix, renumbered by rank among
    those present, are what sorting the prefix's own keys would give.
    """

    order: np.ndarray
    share: np.ndarray  # share of the eligible usage taken up to each line
    billing: np.ndarray
    family: np.ndarray  # each line's family number
    families: int
    pair: np.ndarray  # each line's (family, SKU) number
    pair_family: np.ndarray  # each pair's family number
    usage_sku: np.ndarray  # whether each line's SKU takes usage commitments


def rank_lines(
    tables: CatalogTables,
    order: np.ndarray,
    cost: np.ndarray,
    whole: float,
    line_sku: np.ndarray,
    line_sub: np.ndarray,
    line_region: np.ndarray,
    sub_billing: np.ndarray,
) -> Ranking:
    """The ranking of ``order`` (eligible lines, first taken first) for ``_portfolio``."""
    sku = line_sku[order]
    billing = sub_billing[line_sub[order]]
    _, family = unique_columns(
        [billing, line_region[order], tables.sku_family[sku]], return_inverse=True
    )
    pairs, pair = unique_columns([family, sku], return_inverse=True)
    return Ranking(
        order=order,
        share=np.cumsum(cost[order]) / whole,
        billing=billing,
        family=family,
        families=int(family.max()) + 1,
        pair=pair,
        pair_family=pairs[:, 0],
        usage_sku=tables.sku_commitment[sku] == USAGE_COMMITMENT,
    )


def prefix_families(ranking: Ranking, taken: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``taken`` lines' families, numbered in sorted key order among the families
    those lines use, and how many distinct SKUs each family runs there."""
    families, family_of = table_unique(ranking.family[:taken], ranking.families)
    pairs = np.flatnonzero(np.bincount(ranking.pair[:taken], minlength=len(ranking.pair_family)))
    family_of_pair = np.searchsorted(families, ranking.pair_family[pairs])
    return family_of, np.bincount(family_of_pair, minlength=len(families))


def _no_portfolio(n_lines: int) -> tuple[Commitments, np.ndarray, np.ndarray, np.ndarray]:
    """No commitments: no line covered, no committed rate, no renewal."""
    none = np.full(n_lines, -1, dtype=np.int32)
    return empty_commitments(), none, np.zeros(n_lines), none.copy()


def _portfolio(
    rng: np.random.Generator,
    tables: CatalogTables,
    timeline: Timeline,
    line_sku: np.ndarray,
    line_sub: np.ndarray,
    line_region: np.ndarray,
    line_service: np.ndarray,
    line_start: np.ndarray,
    line_end: np.ndarray,
    line_qty: np.ndarray,
    contracted: np.ndarray,
    listed: np.ndarray,
    sub_billing: np.ndarray,
    spend_service: int,
    ranking: Ranking,
    coverage: float,
    utilisation: float,
    max_commitments: int,
) -> tuple[tuple[Commitments, np.ndarray, np.ndarray, np.ndarray], dict | None]:
    """One portfolio covering (before terms and caps) ``coverage`` of the eligible usage,
    unnamed, and the random stream's state to name it from (None when it is empty).

    ``ranking``: the eligible lines in the order they are taken (see ``Ranking``)."""
    n = len(line_sku)
    line_commitment = np.full(n, -1, dtype=np.int32)
    line_rate = np.zeros(n)
    kinds = tables.catalog.commitment_types
    taken = int(np.searchsorted(ranking.share, coverage)) + 1
    covered = ranking.order[:taken]

    billing = ranking.billing[:taken]
    # Reserve a family in a region or leave it to the savings plan: decided per family, so a
    # reservation covers every covered size of its family.
    if len(covered):
        family_of, sizes = prefix_families(ranking, taken)
        # Families running several sizes are the classic size-flexible reservation.
        reserve = (rng.random(len(sizes)) < 0.5) | (sizes > 1)
    else:
        family_of, reserve = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    as_usage = ranking.usage_sku[:taken] & reserve[family_of]
    if "usage" not in kinds:
        as_usage[:] = False
    groups: list[tuple[int, np.ndarray]] = []
    # Size flexibility: one reservation covers every size of an instance family in a region.
    if as_usage.any():
        keys, inverse = table_unique(family_of[as_usage], len(sizes))
        sizes = np.bincount(inverse, minlength=len(keys))
        budget = max(0, max_commitments - len(distinct(billing)))
        keep = np.argsort(-sizes, kind="stable")[:budget]
        kept_key = np.zeros(len(keys), dtype=bool)
        kept_key[keep] = True
        kept = kept_key[inverse]
        # Each key's lines, in covered order: a stable sort by key, cut at the key sizes.
        usage_lines = covered[as_usage][np.argsort(inverse, kind="stable")]
        edges = np.concatenate([[0], np.cumsum(sizes)])
        for key in keep.tolist():
            groups.append((USAGE_COMMITMENT, usage_lines[edges[key] : edges[key + 1]]))
        spend_lines = np.concatenate([covered[~as_usage], covered[as_usage][~kept]])
    else:
        spend_lines = covered
    if "spend" in kinds:
        for account in distinct(sub_billing[line_sub[spend_lines]]):
            members = spend_lines[sub_billing[line_sub[spend_lines]] == account]
            if len(members) and len(groups) < max_commitments:
                groups.append((SPEND_COMMITMENT, np.sort(members)))
    if not groups:
        return _no_portfolio(n), None

    n_groups = len(groups)
    kind = np.array([k for k, _ in groups], dtype=np.int32)
    members = np.concatenate([m for _, m in groups])
    sizes = np.array([len(m) for _, m in groups])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    group_of = np.repeat(np.arange(n_groups, dtype=np.int32), sizes)
    usage = kind == USAGE_COMMITMENT

    # Terms, payments, starts and utilisation targets, drawn group by group in this order.
    window_hours = timeline.n_periods * timeline.period_hours
    term = np.empty(n_groups, dtype=np.int64)
    payment = np.empty(n_groups, dtype=np.int64)
    start_hour = np.empty(n_groups, dtype=np.int64)
    target = np.empty(n_groups)
    for g in range(n_groups):
        term[g] = TERMS_HOURS[int(rng.random() < 0.4)]
        payment[g] = int(rng.integers(0, 3))
        if rng.random() < 0.35:
            start_hour[g] = int(rng.random() * window_hours * 0.5)
        else:
            start_hour[g] = -int(rng.random() * max(term[g] - window_hours, term[g] / 2))
        target[g] = rng.normal(utilisation, 0.03)
    target = np.clip(target, 0.5, 0.995)
    discount = np.array(DISCOUNT)[(term == TERMS_HOURS[1]).astype(int), payment]
    discount = np.where(usage, discount, discount * SPEND_DISCOUNT_FACTOR)
    start = start_hour // timeline.period_hours
    end = start + term // timeline.period_hours

    norm = tables.sku_normalization[line_sku[members]]
    member_usage = usage[group_of]
    unit_contracted = np.minimum.reduceat(contracted[members] / norm, offsets)
    unit_list = np.minimum.reduceat(listed[members] / norm, offsets)
    unit_rate = unit_contracted * (1 - discount)
    # Reservations: a rate per normalised unit, each size paying its factor times it.
    rates = np.where(
        member_usage, unit_rate[group_of] * norm, contracted[members] * (1 - discount[group_of])
    )
    per_hour = line_qty[members] * np.where(member_usage, norm, rates)
    peak = peak_concurrency(line_start[members], line_end[members], per_hour, sizes)
    capacity = peak / target
    capacity = np.where(usage, np.ceil(capacity * 100) / 100, capacity)
    line_commitment[members] = group_of
    line_rate[members] = rates
    first = members[offsets]
    billing_account = sub_billing[line_sub[first]].astype(np.int32)
    # Each billing account's commitments belong to its first sub-account (the payer).
    accounts, account_of = np.unique(billing_account, return_inverse=True)
    payer = np.array([np.flatnonzero(sub_billing == b)[0] for b in accounts.tolist()])
    columns = {
        "kind": kind,
        "billing": billing_account,
        "sub": payer[account_of.ravel()],
        "sku": np.where(usage, line_sku[first], -1),
        "region": np.where(usage, line_region[first], -1),
        "service": np.where(usage, line_service[first], spend_service),
        "capacity": capacity,
        "rate": np.where(usage, unit_rate, 1.0),
        "list_rate": np.where(usage, unit_list * (1 - discount), 1.0),
        "unit_list": np.where(usage, unit_list, capacity),
        "unit_contracted": np.where(usage, unit_contracted, capacity),
        "start": start,
        "end": end,
        "term_hours": term,
        "upfront": np.array(UPFRONT_FRACTION)[payment],
        "payment": payment,
    }
    # Renewed like for like when the term ends inside the run and the usage it covers goes
    # on (most are: coverage stays up from one term to the next).
    still_used = np.maximum.reduceat(line_end[members], offsets) > end
    renewals: list[int] = []
    line_renewal = np.full(n, -1, dtype=np.int32)
    for g in np.flatnonzero((end > 0) & (end < timeline.n_periods) & still_used).tolist():
        if rng.random() < 0.9:
            line_renewal[members[offsets[g] : offsets[g] + sizes[g]]] = n_groups + len(renewals)
            renewals.append(g)
    again = np.array(renewals, dtype=np.int64)
    for name, values in columns.items():
        columns[name] = np.concatenate([values, values[again]])
    columns["start"][n_groups:] = end[again]
    columns["end"][n_groups:] = end[again] + term[again] // timeline.period_hours
    out = Commitments(
        **{
            name: values.astype(np.float64 if values.dtype.kind == "f" else np.int32)
            for name, values in columns.items()
        },
        id=np.zeros(0, dtype=str),
        name=np.zeros(0, dtype=str),
        sku_id=np.zeros(0, dtype=str),
        sku_price_id=np.zeros(0, dtype=str),
    )
    # Named by the caller from this point of the stream, if this portfolio is the one kept.
    return (out, line_commitment, line_rate, line_renewal), rng.bit_generator.state


def _name_commitments(
    rng: np.random.Generator, tables: CatalogTables, c: Commitments, sub_ids: np.ndarray
) -> None:
    n = len(c)
    templates = tables.catalog.commitment_id_templates
    kinds = tables.catalog.commitment_types
    conv = CONVENTIONS[tables.catalog.provider]
    ids = np.empty(n, dtype=object)
    names = np.empty(n, dtype=object)
    sku_ids = np.empty(n, dtype=object)
    price_ids = np.empty(n, dtype=object)
    for kind, key in ((USAGE_COMMITMENT, "usage"), (SPEND_COMMITMENT, "spend")):
        mine = np.flatnonzero(c.kind == kind)
        if not len(mine):
            continue
        region = np.where(
            c.region[mine] >= 0, tables.region_id[np.maximum(c.region[mine], 0)], "global"
        )
        label = np.array([f"{key[:1]}{i:03d}" for i in range(len(mine))])
        values = _placeholder_values(rng, bare_account(sub_ids[c.sub[mine]]), region, label)
        ids[mine] = fill(templates[key], values, len(mine)).to_numpy(zero_copy_only=False)
        for j, i in enumerate(mine):
            term = "1yr" if c.term_hours[i] == TERMS_HOURS[0] else "3yr"
            payment = PAYMENTS[c.payment[i]]
            if kind == USAGE_COMMITMENT:
                sku = int(c.sku[i])
                details = _parsed(tables.sku_details[sku] or "{}")
                what = (
                    details.get("InstanceSeries")
                    or details.get("InstanceType")
                    or (tables.sku_meter[sku])
                )
                names[i] = f"{kinds[key]} {what} {region[j]} {term}"
                sku_ids[i] = str(tables.sku_id[sku])
                offer = f"{term}-{payment.replace(' ', '')}"
                price_ids[i] = f"{tables.sku_id[sku]}.{conv.commitment_term_code}.{offer}"
            else:
                names[i] = f"{kinds[key]} {term} {payment} {j + 1}"
                sku_ids[i] = f"{conv.commitment_term_code}-SPEND-{term}"
                price_ids[i] = (
                    f"{conv.commitment_term_code}-SPEND-{term}-{payment.replace(' ', '')}"
                )
    c.id = ids.astype(str)
    c.name = names.astype(str)
    c.sku_id = sku_ids.astype(str)
    c.sku_price_id = price_ids.astype(str)


@cache
def _parsed(details: str) -> dict:
    """A SKU's details text as a dict (shared: read only), parsed once per process."""
    return json.loads(details)


def _placeholder_values(
    rng: np.random.Generator, accounts: np.ndarray, region: np.ndarray, label: np.ndarray
) -> dict:
    """Values for every id-template placeholder, for commitments (which have no app)."""
    k = len(label)
    return {
        "account": lambda: accounts,
        "region": lambda: region,
        "zone": lambda: region,
        "uuid": lambda: uuid_tokens(rng, k),
        "hex8": lambda: hex_tokens(rng, k, 8),
        "hex16": lambda: hex_tokens(rng, k, 16),
        "hex17": lambda: hex_tokens(rng, k, 17),
        "hex24": lambda: hex_tokens(rng, k, 24),
        "hex32": lambda: hex_tokens(rng, k, 32),
        "num": lambda: digit_tokens(rng, k, 19),
        "name": lambda: label,
        "app": lambda: label,
        "n": lambda: np.arange(1, k + 1).astype(str),
        "env": lambda: np.full(k, "prod"),
        "team": lambda: np.full(k, "finops"),
        "rg": lambda: np.full(k, "rg-commitments"),
    }
