"""Injected anomalies: pick scopes and windows, apply structural ones, price their ground truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from focusgen.engine.trends import date_to_period
from focusgen.scenario.timeline_spec import Anomaly, Scope
from focusgen.world.keys import distinct
from focusgen.world.model import METERED, RUNTIME, STORAGE, ProviderWorld, World
from focusgen.world.scope import scope_mask


@dataclass
class AnomalyEffect:
    """One anomaly resolved against the world: which lines, which periods, how strong."""

    id: str
    kind: str
    provider: str
    scope: str
    start: int
    end: int
    magnitude: float
    lines: np.ndarray
    factor: float
    expected_extra_cost: float = 0.0

    def multiplier(self, period: np.ndarray) -> np.ndarray:
        """Usage multiplier of the affected lines in each period (1 outside the window)."""
        inside = (period >= self.start) & (period < self.end)
        if self.kind == "runaway-resource":
            progress = (period - self.start + 1) / max(1, self.end - self.start)
            return np.where(inside, 1.0 + (self.magnitude - 1.0) * progress, 1.0)
        return np.where(inside, self.factor, 1.0)


def expected_line_cost(pw: ProviderWorld, lines: np.ndarray) -> np.ndarray:
    """Expected contracted cost of one charge period of each line (before trends)."""
    t = pw.tables
    hours = float(pw.timeline.period_hours)
    usage = t.sku_usage[pw.lines.sku[lines]]
    qty = pw.lines.qty[lines]
    per_period = np.select(
        [usage == RUNTIME, usage == STORAGE],
        [qty * hours, qty * hours / 730.0],
        default=qty * hours * 1.12,
    )
    return per_period / t.sku_block_size[pw.lines.sku[lines]] * pw.lines.contracted_price[lines]


def _overlap(pw: ProviderWorld, lines: np.ndarray, start: int, end: int) -> np.ndarray:
    lo = np.maximum(pw.lines.start[lines], start)
    hi = np.minimum(pw.lines.end[lines], end)
    return np.maximum(0, hi - lo)


def resolve_anomalies(
    rng: np.random.Generator,
    world: World,
    items: list[Anomaly],
    rate: float,
    kinds: list[str],
    growth: float,
) -> list[AnomalyEffect]:
    """Explicit anomalies plus ``rate`` random ones per month, resolved and priced."""
    timeline = world.timeline
    specs: list[tuple[Anomaly, int | None]] = [(a, None) for a in items]
    # ``rate`` anomalies per month on average: the count is fixed, the kinds and places random.
    count = max(1, round(rate * timeline.months)) if rate > 0 else 0
    for _ in range(count):
        kind = str(rng.choice(kinds))
        p = int(rng.integers(len(world.providers)))
        specs.append((_random_anomaly(rng, world.providers[p], kind), p))
    effects: list[AnomalyEffect] = []
    for spec, provider in specs:
        for p, pw in enumerate(world.providers):
            if provider is not None and p != provider:
                continue
            effect = _resolve(pw, spec, f"anomaly-{len(effects) + 1:03d}", growth)
            if effect is not None and any(
                e.kind == effect.kind == "new-service" and e.scope == effect.scope for e in effects
            ):
                effect = None
            if effect is not None:
                effects.append(effect)
                break
    return effects


def _random_anomaly(rng: np.random.Generator, pw: ProviderWorld, kind: str) -> Anomaly:
    timeline = pw.timeline
    days = max(2, timeline.n_periods * timeline.period_hours // 24)
    start_day = int(rng.integers(min(3, days - 1), max(min(3, days - 1) + 1, days - 5)))
    length = {"runaway-resource": int(rng.integers(5, 12)), "idle-resources": 14}.get(
        kind, int(rng.integers(1, 4))
    )
    start = _day_text(timeline, start_day)
    end = _day_text(timeline, min(days, start_day + length))
    lines = pw.lines
    scope = Scope(provider=pw.provider)
    magnitude = float(np.round(rng.uniform(2.5, 5.0), 2))
    uncovered = lines.commitment < 0
    # Scopes are drawn by cost so that an anomaly moves a visible amount of money.
    cost = expected_line_cost(pw, np.arange(len(lines))) * (lines.end - lines.start)
    if kind in ("spike", "drop"):
        by_service = np.bincount(
            lines.service[uncovered], weights=cost[uncovered], minlength=len(pw.services.name)
        )
        service = int(rng.choice(len(by_service), p=by_service / by_service.sum()))
        scope = Scope(provider=pw.provider, service=str(pw.services.name[service]))
        if kind == "drop":
            magnitude = float(np.round(rng.uniform(0.1, 0.4), 2))
    elif kind == "runaway-resource":
        metered = np.flatnonzero((pw.tables.sku_usage[lines.sku] == METERED) & uncovered)
        if len(metered):
            top = metered[cost[metered] >= np.quantile(cost[metered], 0.8)]
            pick = int(rng.choice(top))
        else:
            pick = 0
        resource = pw.resources.id[int(lines.resource[pick])].as_py()
        scope = Scope(provider=pw.provider, resource=resource)
        magnitude = float(np.round(rng.uniform(6.0, 15.0), 1))
    elif kind == "egress-surge":
        subs = distinct(lines.sub[_egress_lines(pw)]) if _egress_lines(pw).any() else [0]
        sub = int(rng.choice(subs))
        scope = Scope(provider=pw.provider, account=str(pw.org.sub_name[sub]))
    elif kind == "idle-resources":
        usage = pw.tables.sku_usage[lines.sku]
        line_app = pw.resources.app[lines.resource]
        apps = np.intersect1d(line_app[usage == RUNTIME], line_app[usage == METERED])
        app = int(rng.choice(apps)) if len(apps) else 0
        scope = Scope(provider=pw.provider, application=str(pw.org.app_name[app]))
        magnitude = 1.0
    elif kind in ("new-service", "commitment-expiry"):
        end = None
        magnitude = 1.0
    return Anomaly(kind=kind, scope=scope, start=start, end=end, magnitude=magnitude)


def _day_text(timeline, day: int) -> str:
    from datetime import UTC, datetime, timedelta

    origin = datetime.fromtimestamp(timeline.origin_us / 1_000_000, tz=UTC)
    return (origin + timedelta(days=day)).strftime("%Y-%m-%d")


def _egress_lines(pw: ProviderWorld) -> np.ndarray:
    """Priced data-transfer lines (free data-in cannot surge a bill)."""
    units = pw.tables.sku_consumed_unit[pw.lines.sku]
    return (
        (pw.services.category[pw.lines.service] == "Networking")
        & np.isin(units, ["GB", "GiB"])
        & (pw.lines.list_price > 0)
    )


def _resolve(pw: ProviderWorld, spec: Anomaly, ident: str, growth: float) -> AnomalyEffect | None:
    timeline = pw.timeline
    n = timeline.n_periods
    start = max(0, date_to_period(timeline, spec.start))
    default_end = (
        n
        if spec.kind in ("new-service", "commitment-expiry")
        else start + max(1, 72 // timeline.period_hours)
    )
    end = min(n, date_to_period(timeline, spec.end)) if spec.end else min(n, default_end)
    if start >= n or end <= start:
        return None
    mask = scope_mask(pw, spec.scope)
    lines = pw.lines
    uncovered = lines.commitment < 0
    usage = pw.tables.sku_usage[lines.sku]
    factor = spec.magnitude
    if spec.kind == "drop":
        factor = spec.magnitude if spec.magnitude < 1 else 1.0 / spec.magnitude
        mask &= uncovered
    elif spec.kind in ("spike", "runaway-resource"):
        mask &= uncovered
    elif spec.kind == "egress-surge":
        mask &= _egress_lines(pw)
    elif spec.kind == "idle-resources":
        # The scope's machines keep running while its traffic and requests stop: waste.
        mask &= usage == METERED
        factor = 0.02
    elif spec.kind == "new-service":
        if spec.scope.service is None:
            service = _smallest_service(pw)
            mask &= lines.service == service
            spec = spec.model_copy(
                update={
                    "scope": spec.scope.model_copy(
                        update={"service": str(pw.services.name[service])}
                    )
                }
            )
        mask &= lines.end > start
    elif spec.kind == "commitment-expiry":
        chosen = _expiring_commitment(pw, mask, start)
        if chosen is None:
            return None
        commitment, start = chosen
        mask = lines.commitment == commitment
    affected = np.flatnonzero(mask)
    if not len(affected):
        return None
    scope = (
        spec.scope
        if spec.scope.provider
        else spec.scope.model_copy(update={"provider": pw.provider})
    )
    effect = AnomalyEffect(
        id=ident,
        kind=spec.kind,
        provider=pw.provider,
        scope=scope.describe(),
        start=start,
        end=end,
        magnitude=spec.magnitude,
        lines=affected,
        factor=factor,
    )
    effect.expected_extra_cost = _expected_extra(pw, effect, growth)
    return effect


def _expiring_commitment(pw: ProviderWorld, mask: np.ndarray, start: int) -> tuple[int, int] | None:
    """A commitment that lapses: one whose term ends inside the run (it is not renewed),
    else one bought before the run (its term is cut at ``start``); None if neither exists.

    A term bought inside the run is never cut, so its purchase still amortises in full.
    """
    c, n = pw.commitments, pw.timeline.n_periods
    owners = distinct(pw.lines.commitment[mask & (pw.lines.commitment >= 0)])
    if not len(owners):
        return None
    natural = owners[(c.end[owners] > 0) & (c.end[owners] < n)]
    if len(natural):
        pick = natural[np.argmin(np.abs(c.end[natural] - start))]
        return int(pick), int(c.end[pick])
    early = owners[(c.start[owners] < 0) & (c.end[owners] > start)]
    if len(early):
        return int(early[0]), start
    return None


def _smallest_service(pw: ProviderWorld) -> int:
    """A service with few lines but a visible share of cost (a plausible 'new' service)."""
    lines = pw.lines
    cost = expected_line_cost(pw, np.arange(len(lines))) * (lines.end - lines.start)
    by_cost = np.bincount(lines.service, weights=cost, minlength=len(pw.services.name))
    by_lines = np.bincount(lines.service, minlength=len(pw.services.name))
    share = by_cost / max(by_cost.sum(), 1e-12)
    fits = np.flatnonzero((share >= 0.01) & (share <= 0.2) & (by_lines > 0))
    if not len(fits):
        fits = np.flatnonzero(by_lines > 0)
    return int(fits[np.argmin(by_lines[fits])])


def _expected_extra(pw: ProviderWorld, effect: AnomalyEffect, growth: float) -> float:
    timeline = pw.timeline
    lines = effect.lines
    mid = (effect.start + effect.end) / 2 * timeline.period_hours / 730.0
    trend = (1.0 + growth) ** mid
    base = expected_line_cost(pw, lines) * trend
    periods = _overlap(pw, lines, effect.start, effect.end)
    if effect.kind in ("spike", "drop", "egress-surge"):
        return float(((effect.factor - 1.0) * base * periods).sum())
    if effect.kind == "runaway-resource":
        return float(((effect.magnitude - 1.0) / 2.0 * base * periods).sum())
    if effect.kind == "idle-resources":
        apps = distinct(pw.resources.app[pw.lines.resource[lines]])
        runtime = np.flatnonzero(
            np.isin(pw.resources.app[pw.lines.resource], apps)
            & (pw.tables.sku_usage[pw.lines.sku] == RUNTIME)
        )
        return float(
            (
                expected_line_cost(pw, runtime)
                * trend
                * _overlap(pw, runtime, effect.start, effect.end)
            ).sum()
        )
    if effect.kind == "new-service":
        return float((base * periods).sum())
    # Lapsed coverage: the discount the lines no longer get for the rest of the run.
    saved = (pw.lines.contracted_price[lines] - pw.lines.commit_rate[lines]) / np.maximum(
        pw.lines.contracted_price[lines], 1e-12
    )
    after = np.maximum(0, pw.lines.end[lines] - np.maximum(pw.lines.start[lines], effect.start))
    return float((base * saved * after).sum())


def apply_structural(world: World, effects: list[AnomalyEffect]) -> None:
    """New services start at their window; expiring commitments end at theirs."""
    by_provider = {pw.provider: pw for pw in world.providers}
    for effect in effects:
        pw = by_provider[effect.provider]
        if effect.kind == "new-service":
            lines = effect.lines
            pw.lines.start[lines] = np.maximum(pw.lines.start[lines], effect.start)
        elif effect.kind == "commitment-expiry":
            owners = distinct(pw.lines.commitment[effect.lines])
            # Cut only terms bought before the run; a term ending in the run just lapses.
            cut = owners[pw.commitments.start[owners] < 0]
            pw.commitments.end[cut] = np.minimum(pw.commitments.end[cut], effect.start)
            # Not renewed: the renewal that would have followed never starts.
            renewals = distinct(pw.lines.renewal[effect.lines]) if len(pw.lines.renewal) else []
            for r in renewals:
                if r >= 0:
                    n = pw.timeline.n_periods
                    pw.commitments.start[r] = pw.commitments.end[r] = max(
                        n, int(pw.commitments.end[r])
                    )
