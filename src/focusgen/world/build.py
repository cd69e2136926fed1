"""Build the World from a Scenario: size the inventory so the row or spend target is met."""

from __future__ import annotations

import numpy as np

from focusgen.catalog.tables import CatalogTables, catalog_tables
from focusgen.engine.timeline import Timeline
from focusgen.providers.conventions import CONVENTIONS, CREDITS_IN_USAGE, NATIVE_GRAIN
from focusgen.providers.idgen import digit_tokens
from focusgen.scenario.model import PROVIDERS, Scenario, currency_rates
from focusgen.scenario.timeline_spec import Scope
from focusgen.world.anomalies import apply_structural, resolve_anomalies
from focusgen.world.capacity import choose_reservations
from focusgen.world.commitments import build_commitments
from focusgen.world.corrections import correction_pairs, sla_credit_pairs
from focusgen.world.identity import name_resources
from focusgen.world.keys import unique_columns, unique_rows
from focusgen.world.model import RUNTIME, Lines, ProviderWorld, Services, World
from focusgen.world.org import build_org
from focusgen.world.resources import (
    Candidates,
    draw_candidates,
    kind_monthly_cost,
    kind_probabilities,
    line_monthly_cost,
    per_kind_cost,
)
from focusgen.world.schedule import purchase_schedule
from focusgen.world.scope import scope_mask

# Spot rows cost 28-42% of the contracted price (engine.chunk); committed usage saves ~40%.
SPOT_FACTOR = 0.35
COMMITMENT_SAVING = 0.4
QUANTITY_SCALE = {"startup": 0.6, "enterprise": 1.6, "data-heavy": 1.3, "ml-ai": 1.3}


def timeline_of(scenario: Scenario, provider: str | None = None) -> Timeline:
    """A provider's timeline (its charge-period grain), or the run's billing months."""
    year, month = scenario.start_year_month
    grain = scenario.granularity
    if grain == "native":
        grain = NATIVE_GRAIN.get(provider or "", "daily")
    return Timeline(year, month, scenario.months, grain)


def stream(scenario: Scenario, *key: int) -> np.random.Generator:
    """A random stream keyed by purpose, independent of every other stream."""
    return np.random.default_rng(np.random.SeedSequence(scenario.seed, spawn_key=key))


def build_world(scenario: Scenario) -> World:
    """The whole organisation, deterministic in (scenario, seed)."""
    timeline = timeline_of(scenario)
    chosen = [p for p in PROVIDERS if p in scenario.providers]
    worlds = []
    total_weight = remaining_weight = sum(scenario.providers[p] for p in chosen)
    assigned = 0
    for p in chosen:
        rows = None
        if scenario.rows is not None:
            # Carry each provider's rounding error into the next provider's target.
            share_left = scenario.providers[p] / remaining_weight
            rows = max(1, round((scenario.rows - assigned) * share_left))
        share = scenario.providers[p] / total_weight
        world = _provider_world(
            scenario, timeline_of(scenario, p), p, PROVIDERS.index(p), share, rows
        )
        worlds.append(world)
        assigned += world.expected_rows
        remaining_weight -= scenario.providers[p]
    world = World(timeline=timeline, providers=worlds)
    _add_timeline_effects(scenario, world)
    return world


def _add_timeline_effects(scenario: Scenario, world: World) -> None:
    """Trends (masks per provider) and anomalies (resolved, applied, priced)."""
    policy = scenario.anomalies
    effects = resolve_anomalies(
        stream(scenario, 3),
        world,
        policy.items,
        policy.rate,
        list(policy.kinds),
        scenario.profile_settings.monthly_growth,
    )
    apply_structural(world, effects)
    world.anomalies = effects
    for pw in world.providers:
        if any(
            e.provider == pw.provider and e.kind in ("new-service", "commitment-expiry")
            for e in effects
        ):
            _recount(pw)
        pw.trends = [
            (trend, None if trend.scope == Scope() else scope_mask(pw, trend.scope))
            for trend in scenario.all_trends
        ]
        pw.anomalies = [e for e in effects if e.provider == pw.provider]
        pw.focus_version = scenario.focus_version


def _recount(pw: ProviderWorld) -> None:
    """Re-count rows after anomalies moved line starts or commitment ends."""
    lines = pw.lines
    pw.schedule = purchase_schedule(pw.commitments, pw.timeline)
    pw.tax_pairs, usage, fixed = _count_rows(
        pw.timeline,
        lines.sub,
        lines.service,
        lines.start,
        lines.end,
        lines.shares,
        pw.commitments,
        pw.schedule,
        pw.reservations,
        pw.org,
        pw.tables.catalog.support_rate > 0,
        pw.tables.service_third_party,
        pw.provider not in CREDITS_IN_USAGE,
    )
    pw.expected_rows = usage + fixed


def _count_rows(
    timeline: Timeline,
    line_sub,
    line_service,
    line_start,
    line_end,
    shares,
    commitments,
    schedule,
    reservations,
    org,
    support: bool = True,
    untaxed: np.ndarray | None = None,
    credit_rows: bool = True,
) -> tuple[np.ndarray, int, int]:
    """Tax pairs, usage rows and every other row (unused, purchases, reservations, month end).

    The world knows its row count before any row is made; sizing and re-counting share this.
    """
    n = timeline.n_periods
    usage = int(((line_end - line_start) * shares).sum())
    unused = int((np.minimum(commitments.end, n) - np.maximum(commitments.start, 0)).clip(0).sum())
    tax_pairs = _tax_pairs(
        timeline, line_sub, line_service, line_start, line_end, commitments, schedule, reservations
    )
    if untaxed is not None and untaxed.any():
        # The provider does not tax what its publisher invoices.
        tax_pairs = tax_pairs[~np.isin(tax_pairs[:, 2], np.flatnonzero(untaxed))]
    fixed = (
        unused
        + len(schedule)
        + len(reservations) * n
        + _close_rows(tax_pairs, org, timeline.months, support, credit_rows)
    )
    return tax_pairs, usage, fixed


def _provider_world(
    scenario: Scenario,
    timeline: Timeline,
    provider: str,
    index: int,
    share: float,
    rows: int | None,
) -> ProviderWorld:
    settings = scenario.profile_settings
    tables = catalog_tables(provider)
    n_periods = timeline.n_periods
    scale = QUANTITY_SCALE[scenario.profile]
    kind_p = spend_calibrated_probabilities(
        tables, scenario.service_category_weights, scale, settings
    )
    lines_per_resource = float(kind_p @ (1 + tables.kind_meter_count))
    active = settings.persistent_share + (1 - settings.persistent_share) * 0.5
    cost_per_resource = float(kind_p @ kind_monthly_cost(tables)) * scale
    if rows is not None:
        target_rows = rows
        est_resources = target_rows / (lines_per_resource * n_periods * active)
        target_spend = None
        max_commitments = int(min(60, 0.04 * target_rows / n_periods))
    else:
        target_rows = None
        target_spend = settings.monthly_spend * share * scenario.exchange_rate
        est_resources = target_spend / scenario.exchange_rate / cost_per_resource
        max_commitments = 60
    subs = int(np.clip(round(est_resources / 12), 1, settings.sub_accounts))
    apps = int(np.clip(round(est_resources / 6), 1, settings.applications))
    billing = int(np.clip(subs // 4, 1, settings.billing_accounts))
    org = build_org(
        stream(scenario, 1, index, 0),
        provider,
        billing,
        subs,
        apps,
        min(settings.teams, apps),
        settings.credit_share,
    )
    services = _services(tables)
    codes = scenario.account_currencies
    billing_currency = np.array([codes[i % len(codes)] for i in range(len(org.billing_id))])
    rates = currency_rates()
    fx_base = np.array([rates[c] for c in billing_currency])
    fx = _exchange_walk(stream(scenario, 5), billing_currency, fx_base, timeline.months)

    pool_size = int(est_resources * 1.6) + 32
    attempt = 0
    while True:
        pool = draw_candidates(
            stream(scenario, 1, index, 1, attempt),
            tables,
            kind_p,
            pool_size,
            n_periods,
            subs,
            apps,
            settings.spot_share,
            settings.persistent_share,
            scale,
        )
        rate = fx_base[org.sub_billing[pool.sub[pool.line_resource]]]
        pool_prices = _prices(tables, pool, settings.negotiated_discount, rate)
        pool_shares = _allocation_shares(scenario, tables, pool)
        rows_per_resource = np.bincount(
            pool.line_resource,
            weights=(pool.end - pool.start)[pool.line_resource] * pool_shares,
            minlength=len(pool),
        )
        line_cost = line_monthly_cost(tables, pool.line_sku, pool.line_qty) * scenario.exchange_rate
        line_cost *= tables.region_price_factor[pool.region[pool.line_resource]]
        span = (pool.end - pool.start)[pool.line_resource] / max(1, n_periods)
        cost_per = np.bincount(pool.line_resource, weights=line_cost * span, minlength=len(pool))
        enough = (
            rows_per_resource.sum() >= target_rows * 1.05 + 64
            if target_rows is not None
            else cost_per.sum() >= target_spend * 1.05
        )
        if enough or attempt > 12:
            break
        pool_size *= 2
        attempt += 1

    def assemble(usage_target: float) -> tuple:
        measure = rows_per_resource if target_rows is not None else cost_per
        cumulative = np.cumsum(measure)
        k = int(np.searchsorted(cumulative, usage_target)) + 1
        k = max(1, min(k, len(pool)))
        start = pool.start[:k].copy()
        end = pool.end[:k].copy()
        if target_rows is not None:
            before = cumulative[k - 2] if k > 1 else 0
            wanted = max(1.0, usage_target - before)
            n_lines = pool.line_offset[k] - pool.line_offset[k - 1]
            life = max(1, round(wanted / n_lines))
            end[k - 1] = min(end[k - 1], start[k - 1] + life)
        return k, start, end

    rng_commit = stream(scenario, 1, index, 2)
    fixed = 0
    for _ in range(4):
        if target_rows is not None:
            k, start, end = assemble(max(1, target_rows - fixed))
        else:
            k, start, end = assemble(target_spend)
        n_lines = int(pool.line_offset[k])
        lr = pool.line_resource[:n_lines]
        line_start, line_end = start[lr], end[lr]
        sku = pool.line_sku[:n_lines].copy()  # copies: the larger pool is freed after
        line_sub = pool.sub[lr]
        line_region = pool.region[lr]
        line_service = tables.kind_service[pool.kind[lr]]
        listed, contracted = (p[:n_lines].copy() for p in pool_prices)
        commitments, line_commitment, line_rate, line_renewal = build_commitments(
            np.random.default_rng(rng_commit.bit_generator.seed_seq),
            tables,
            timeline,
            sku,
            line_sub,
            line_region,
            line_service,
            line_start,
            line_end,
            pool.line_qty[:n_lines],
            pool.spot[lr],
            contracted,
            listed,
            org.sub_billing,
            org.sub_id,
            services.spend_index,
            settings.commitment_coverage,
            settings.commitment_utilisation,
            max_commitments,
        )
        schedule = purchase_schedule(commitments, timeline)
        reservations, line_cr = choose_reservations(
            np.random.default_rng(stream(scenario, 1, index, 6).bit_generator.seed_seq),
            tables,
            sku,
            line_sub,
            line_service,
            line_region,
            pool.zone[lr],
            line_start,
            line_end,
            pool.line_qty[:n_lines],
            pool.spot[lr],
            listed,
            contracted,
            org.sub_id,
            max(1, max_commitments // 3) if max_commitments > 0 else 0,
        )
        tax_pairs, usage_rows, new_fixed = _count_rows(
            timeline,
            line_sub,
            line_service,
            line_start,
            line_end,
            pool_shares[:n_lines],
            commitments,
            schedule,
            reservations,
            org,
            tables.catalog.support_rate > 0,
            tables.service_third_party,
            tables.catalog.provider not in CREDITS_IN_USAGE,
        )
        total = usage_rows + new_fixed
        if target_rows is None or abs(total - target_rows) <= max(1, 0.002 * target_rows):
            break
        fixed = new_fixed
    resources = name_resources(
        stream(scenario, 1, index, 3),
        tables,
        org,
        pool.kind[:k],
        pool.app[:k],
        pool.env[:k],
        pool.sub[:k],
        pool.region[:k],
        pool.zone[:k],
        settings.tag_coverage,
        cost_per[:k],
    )
    lines = Lines(
        resource=lr.astype(np.int32),
        sku=sku,
        service=line_service.astype(np.int32),
        sub=line_sub,
        region=line_region,
        zone=pool.zone[lr],
        start=line_start,
        end=line_end,
        qty=pool.line_qty[:n_lines].copy(),
        shape=pool.line_shape[:n_lines].copy(),
        spot=pool.spot[lr],
        commitment=line_commitment,
        renewal=line_renewal,
        list_price=listed,
        contracted_price=contracted,
        commit_rate=line_rate,
        shares=pool_shares[:n_lines].astype(np.int8),
        reservation=line_cr,
    )
    _allocation_targets(stream(scenario, 1, index, 5), lines, pool.app, org)
    invoice_rng = stream(scenario, 1, index, 4)
    conv = CONVENTIONS[provider]
    invoice_ids = np.strings.add(
        conv.invoice_prefix,
        digit_tokens(invoice_rng, len(org.billing_id) * timeline.months, conv.invoice_digits),
    ).reshape(len(org.billing_id), timeline.months)
    world = ProviderWorld(
        provider=provider,
        index=index,
        tables=tables,
        timeline=timeline,
        currency=scenario.currency,
        org=org,
        services=services,
        lines=lines,
        resources=resources,
        commitments=commitments,
        tax_pairs=tax_pairs,
        expected_rows=total,
        invoice_ids=invoice_ids,
    )
    world.billing_currency, world.fx_base, world.fx = billing_currency, fx_base, fx
    world.reservations = reservations
    world.schedule = schedule
    return world


def kind_effective_cost(tables: CatalogTables, quantity_scale: float, settings) -> np.ndarray:
    """Expected monthly effective cost of one resource of each kind (USD, base region).

    Unlike ``kind_monthly_cost`` (list prices, catalog quantities) this follows how resources
    are drawn and priced: non-runtime quantities scale with the profile and the lognormal
    resource size (mean e^0.18), spot-capable SKUs are discounted for the spot share and
    commitment-eligible runtime SKUs for the covered share.
    """
    n_sku = len(tables.sku_id)
    runtime = tables.sku_usage == RUNTIME
    qty = np.where(runtime, tables.sku_qty, tables.sku_qty * quantity_scale * np.exp(0.18))
    cost = line_monthly_cost(tables, np.arange(n_sku), qty) * (1 - settings.negotiated_discount)
    cost = cost * np.where(tables.sku_spot, 1 - settings.spot_share * (1 - SPOT_FACTOR), 1.0)
    eligible = runtime & (tables.sku_commitment > 0)
    cost = cost * np.where(eligible, 1 - settings.commitment_coverage * COMMITMENT_SAVING, 1.0)
    return per_kind_cost(tables, cost)


def spend_calibrated_probabilities(
    tables: CatalogTables, category_weights: dict[str, float], quantity_scale: float, settings
) -> np.ndarray:
    """Kind probabilities whose expected spend per ServiceCategory follows the weights.

    ``kind_probabilities`` sets the mix inside a category (service and kind weights, more
    resources of cheap kinds), but a category's spend would then depend on its SKUs' prices
    (a catalog with many cheap compute services and a few costly network ones would spend
    little on compute). Each category's probabilities are rescaled so its share of the
    expected effective spend equals its share of the weights (of the categories the catalog
    has); the long tail inside a category keeps its relative weight.
    """
    kind_p = kind_probabilities(tables, category_weights)
    if tables.catalog.service_weights_only:
        return kind_p
    category = tables.service_category[tables.kind_service]
    spend = kind_p * kind_effective_cost(tables, quantity_scale, settings)
    present = {c: w for c, w in category_weights.items() if w > 0 and kind_p[category == c].any()}
    total = sum(present.values())
    if not present or spend.sum() <= 0:
        return kind_p
    out = np.zeros_like(kind_p)
    for name, weight in present.items():
        mine = category == name
        if spend[mine].sum() > 0:
            out[mine] = kind_p[mine] * (weight / total) / spend[mine].sum()
    if out.sum() <= 0:
        return kind_p
    return out / out.sum()


SHARED_SUBCATEGORIES = ("Containers", "Relational Databases")


def _allocation_shares(scenario: Scenario, tables: CatalogTables, pool: Candidates) -> np.ndarray:
    """Rows per period of each line: 3 for shared clusters/databases when splitting, else 1."""
    if not scenario.split_allocation:
        return np.ones(len(pool.line_sku), dtype=np.int64)
    service = tables.kind_service[pool.kind[pool.line_resource]]
    shared = np.isin(tables.service_subcategory[service], SHARED_SUBCATEGORIES) & (
        tables.sku_usage[pool.line_sku] == 0
    )
    return np.where(shared, 3, 1).astype(np.int64)


def _allocation_targets(rng: np.random.Generator, lines: Lines, app: np.ndarray, org) -> None:
    """Two workloads (other applications) and ratios (theirs and the idle rest) per line."""
    n = len(lines)
    lines.alloc_app = rng.integers(0, len(org.app_name), size=(n, 2)).astype(np.int32)
    owner = app[lines.resource]
    lines.alloc_app[:, 0] = np.where(
        lines.alloc_app[:, 0] == owner, (owner + 1) % len(org.app_name), lines.alloc_app[:, 0]
    )
    idle = rng.uniform(0.08, 0.25, n)
    split = rng.uniform(0.25, 0.75, n)
    lines.alloc_ratio = np.round(
        np.stack([(1 - idle) * split, (1 - idle) * (1 - split), idle], axis=1), 6
    )
    lines.alloc_ratio[:, 2] = np.round(1.0 - lines.alloc_ratio[:, 0] - lines.alloc_ratio[:, 1], 6)


def _exchange_walk(
    rng: np.random.Generator, currency: np.ndarray, base: np.ndarray, months: int
) -> np.ndarray:
    """Monthly exchange rates per billing account: a random walk from the base rate.

    Accounts in the same currency share the walk; the US dollar never moves.
    """
    unique = sorted(set(currency.tolist()))
    steps = rng.normal(0.0, 0.015, size=(len(unique), months))
    steps[:, 0] = 0.0
    walk = np.exp(np.cumsum(steps, axis=1))
    index = np.array([unique.index(c) for c in currency])
    out = base[:, None] * walk[index]
    out[currency == "USD"] = 1.0
    return out


def _services(tables: CatalogTables) -> Services:
    catalog = tables.catalog
    conv = CONVENTIONS[catalog.provider]
    names = list(tables.service_name)
    categories = list(tables.service_category)
    subcategories = list(tables.service_subcategory)
    codes = list(tables.service_code)
    if conv.spend_service in names:
        spend_index = names.index(conv.spend_service)
    else:
        spend_index = len(names)
        names.append(conv.spend_service)
        category, subcategory, code = conv.spend_category
        categories.append(category)
        subcategories.append(subcategory)
        codes.append(code)
    support_index = len(names)
    names.append(catalog.support_service)
    categories.append("Management and Governance")
    subcategories.append("Support")
    codes.append("Support")
    return Services(
        name=np.array(names),
        category=np.array(categories),
        subcategory=np.array(subcategories),
        code=np.array(codes),
        spend_index=spend_index,
        support_index=support_index,
    )


def _prices(
    tables: CatalogTables, pool: Candidates, discount: float, rate: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """List and contracted unit prices per line, in the billing currency."""
    region = pool.region[pool.line_resource]
    listed = tables.sku_list_price[pool.line_sku] * tables.region_price_factor[region] * rate
    # Round to the provider's price-list precision so unit prices read like real ones.
    listed = np.round(listed, 10)
    contracted = np.round(listed * (1 - discount), 10)
    return listed, contracted


def _tax_pairs(
    timeline,
    line_sub,
    line_service,
    line_start,
    line_end,
    commitments,
    schedule,
    reservations=None,
):
    """Unique (month, sub-account, service) triples that have charges: one tax row each."""
    owner, months = _months_spanned(timeline, line_start, line_end)
    parts = [(months, line_sub[owner], line_service[owner])]
    n = timeline.n_periods
    if reservations is not None and len(reservations):
        parts.append(
            (
                np.repeat(np.arange(timeline.months), len(reservations)),
                np.tile(reservations.sub, timeline.months),
                np.tile(reservations.service, timeline.months),
            )
        )
    if len(commitments):
        lo = np.maximum(commitments.start, 0)
        hi = np.minimum(commitments.end, n)
        live = np.flatnonzero(hi > lo)
        owner, months = _months_spanned(timeline, lo[live], hi[live])
        held = live[owner]
        parts.append((months, commitments.sub[held], commitments.service[held]))
        if len(schedule):
            parts.append(
                (
                    timeline.month_of(schedule.start),
                    commitments.sub[schedule.commitment],
                    commitments.service[schedule.commitment],
                )
            )
    return unique_columns([np.concatenate(column) for column in zip(*parts, strict=True)])


def _months_spanned(
    timeline: Timeline, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each (item, month) pair where item i's periods [start, end) touch the month."""
    first = timeline.month_of(start)
    count = timeline.month_of(end - 1) - first + 1
    owner = np.repeat(np.arange(len(first)), count)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    return owner, first[owner] + offset


def _close_rows(
    tax_pairs: np.ndarray, org, months: int, support: bool = True, credit_rows: bool = True
) -> int:
    """Tax, credit (unless folded into usage), support (when charged) and correction rows
    implied by the charged triples."""
    month_sub = unique_rows(tax_pairs[:, :2])
    credits = int(org.sub_credited[month_sub[:, 1]].sum()) if credit_rows else 0
    month_billing = unique_rows(
        np.stack([month_sub[:, 0], org.sub_billing[month_sub[:, 1]]], axis=1)
    )
    corrections = correction_pairs(tax_pairs, months)
    sla = sla_credit_pairs(tax_pairs)
    fees = len(month_billing) if support else 0
    return len(tax_pairs) + credits + fees + len(corrections) + len(sla)
