"""Draw candidate resources (kind, SKU, owner, region, lifetime, shape) and their line items."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from focusgen.catalog.tables import CatalogTables
from focusgen.providers.conventions import ENVIRONMENT_WEIGHTS, ENVIRONMENTS
from focusgen.world.model import RUNTIME, STORAGE

HOURS_PER_MONTH = 730.0


@dataclass
class Candidates:
    """Resources drawn i.i.d.; a run keeps a prefix of them (see world.build)."""

    kind: np.ndarray
    variant: np.ndarray
    app: np.ndarray
    env: np.ndarray
    sub: np.ndarray
    region: np.ndarray
    zone: np.ndarray
    start: np.ndarray
    end: np.ndarray
    spot: np.ndarray
    size: np.ndarray
    line_offset: np.ndarray
    line_resource: np.ndarray
    line_sku: np.ndarray
    line_shape: np.ndarray
    line_qty: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


def kind_probabilities(tables: CatalogTables, category_weights: dict[str, float]) -> np.ndarray:
    """Probability of each resource kind: category weight x service weight x kind weight."""
    service_p = np.zeros(tables.n_services)
    if tables.catalog.service_weights_only:
        category_weights = {}
    for category, weight in category_weights.items():
        in_category = tables.service_category == category
        total = tables.service_weight[in_category].sum()
        if total > 0 and weight > 0:
            service_p[in_category] = weight * tables.service_weight[in_category] / total
    if service_p.sum() == 0:
        service_p = tables.service_weight.copy()
    kind_p = np.zeros(len(tables.kind_service))
    for service in range(tables.n_services):
        mine = tables.kind_service == service
        kind_p[mine] = (
            service_p[service] * tables.kind_weight[mine] / tables.kind_weight[mine].sum()
        )
    # Cheap kinds need more resources for the same spend share: weight by count, not cost.
    cost = kind_monthly_cost(tables)
    kind_p = kind_p / np.maximum(cost, 1e-3) ** 0.6
    return kind_p / kind_p.sum()


def kind_monthly_cost(tables: CatalogTables) -> np.ndarray:
    """Expected list cost of one resource of each kind for one month (USD)."""
    sku_cost = line_monthly_cost(tables, np.arange(len(tables.sku_id)), tables.sku_qty)
    return per_kind_cost(tables, sku_cost)


def per_kind_cost(tables: CatalogTables, sku_cost: np.ndarray) -> np.ndarray:
    """A resource's cost per kind: its weighted-average variant plus every meter."""
    out = np.zeros(len(tables.kind_service))
    for k in range(len(out)):
        vs, vc = tables.kind_variant_start[k], tables.kind_variant_count[k]
        ms, mc = tables.kind_meter_start[k], tables.kind_meter_count[k]
        w = tables.sku_weight[vs : vs + vc]
        out[k] = (sku_cost[vs : vs + vc] * w).sum() / w.sum() + sku_cost[ms : ms + mc].sum()
    return out


def line_monthly_cost(tables: CatalogTables, sku: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """Expected list cost of a line for one month at base-region prices (USD)."""
    usage = tables.sku_usage[sku]
    monthly_units = np.where(
        usage == RUNTIME,
        qty * HOURS_PER_MONTH,
        np.where(usage == STORAGE, qty, qty * HOURS_PER_MONTH),
    )
    return monthly_units / tables.sku_block_size[sku] * tables.sku_list_price[sku]


def draw_candidates(
    rng: np.random.Generator,
    tables: CatalogTables,
    kind_p: np.ndarray,
    n: int,
    n_periods: int,
    n_subs: int,
    n_apps: int,
    spot_share: float,
    persistent_share: float,
    quantity_scale: float,
) -> Candidates:
    """Draw n resources with everything that stays fixed for their life."""
    kind = rng.choice(len(kind_p), size=n, p=kind_p).astype(np.int32)
    variant = _pick_variants(rng, tables, kind)
    app = rng.integers(0, n_apps, n).astype(np.int32)
    env = rng.choice(len(ENVIRONMENTS), size=n, p=ENVIRONMENT_WEIGHTS).astype(np.int8)
    # An application's environment lives in one sub-account: coherent ownership.
    sub = ((app.astype(np.int64) * 7919 + env.astype(np.int64) * 104729) % n_subs).astype(np.int32)
    region = _pick_regions(rng, tables, app, n)
    zone = _pick_zones(rng, tables, kind, region)
    start, end = _lifetimes(rng, n, n_periods, persistent_share)
    spot = tables.sku_spot[variant] & (rng.random(n) < spot_share)
    size = np.exp(rng.normal(0.0, 0.6, n)) * quantity_scale

    meters = tables.kind_meter_count[kind]
    per_resource = 1 + meters
    line_offset = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_resource, out=line_offset[1:])
    line_resource = np.repeat(np.arange(n, dtype=np.int32), per_resource)
    position = np.arange(len(line_resource)) - line_offset[line_resource]
    meter_sku = tables.kind_meter_start[kind[line_resource]] + position - 1
    line_sku = np.where(position == 0, variant[line_resource], meter_sku).astype(np.int32)
    usage = tables.sku_usage[line_sku]
    spread = tables.sku_spread[line_sku]
    noise = np.exp(rng.normal(0.0, 1.0, len(line_sku)) * spread - spread**2 / 2)
    line_qty = np.where(
        usage == RUNTIME,
        tables.sku_qty[line_sku],
        tables.sku_qty[line_sku] * size[line_resource] * noise,
    )
    shape = rng.choice(4, size=len(line_sku), p=(0.4, 0.3, 0.2, 0.1)).astype(np.int8)
    shape = np.where(
        usage == RUNTIME, 0, np.where(usage == STORAGE, np.where(shape % 2, 3, 0), shape)
    )
    return Candidates(
        kind=kind,
        variant=variant,
        app=app,
        env=env,
        sub=sub,
        region=region,
        zone=zone,
        start=start,
        end=end,
        spot=spot,
        size=size,
        line_offset=line_offset,
        line_resource=line_resource,
        line_sku=line_sku,
        line_shape=shape.astype(np.int8),
        line_qty=line_qty,
    )


def _pick_variants(rng: np.random.Generator, tables: CatalogTables, kind: np.ndarray) -> np.ndarray:
    n_kinds = len(tables.kind_service)
    keys = np.empty(0)
    index = np.empty(0, dtype=np.int32)
    for k in range(n_kinds):
        s, c = tables.kind_variant_start[k], tables.kind_variant_count[k]
        w = np.cumsum(tables.sku_weight[s : s + c])
        keys = np.concatenate([keys, k + w / w[-1] * 0.999999])
        index = np.concatenate([index, np.arange(s, s + c, dtype=np.int32)])
    position = np.searchsorted(keys, kind + rng.random(len(kind)) * 0.999999)
    return index[np.minimum(position, len(index) - 1)]


def _pick_regions(
    rng: np.random.Generator, tables: CatalogTables, app: np.ndarray, n: int
) -> np.ndarray:
    p = tables.region_weight / tables.region_weight.sum()
    # Each application has a home region; most of its resources live there.
    n_apps = int(app.max()) + 1 if n else 1
    home = rng.choice(len(p), size=n_apps, p=p)
    elsewhere = rng.choice(len(p), size=n, p=p)
    return np.where(rng.random(n) < 0.8, home[app], elsewhere).astype(np.int32)


def _pick_zones(
    rng: np.random.Generator, tables: CatalogTables, kind: np.ndarray, region: np.ndarray
) -> np.ndarray:
    count = tables.region_zone_count[region]
    zonal = tables.kind_zonal[kind] & (count > 0)
    offset = (rng.random(len(kind)) * np.maximum(count, 1)).astype(np.int32)
    return np.where(zonal, tables.region_zone_start[region] + offset, -1).astype(np.int32)


def _lifetimes(
    rng: np.random.Generator, n: int, n_periods: int, persistent_share: float
) -> tuple[np.ndarray, np.ndarray]:
    rest = 1.0 - persistent_share
    kind = rng.choice(4, size=n, p=(persistent_share, rest * 0.45, rest * 0.4, rest * 0.15))
    # Later creation is likelier than earlier: organisations grow.
    created = (np.sqrt(rng.random(n)) * n_periods).astype(np.int64)
    life = np.maximum(1, rng.exponential(n_periods / 4, n)).astype(np.int64)
    retire = (rng.random(n) * n_periods).astype(np.int64) + 1
    start = np.select([kind == 0, kind == 1, kind == 2, kind == 3], [0, created, created, 0])
    end = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [n_periods, n_periods, np.minimum(n_periods, created + life), retire],
    )
    start = np.minimum(start, n_periods - 1)
    end = np.clip(end, start + 1, n_periods)
    return start.astype(np.int32), end.astype(np.int32)
