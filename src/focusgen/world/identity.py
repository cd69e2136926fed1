"""Resource ids, names and tags, filled from the catalog's templates for many resources at once."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from focusgen.catalog.tables import CatalogTables
from focusgen.engine import kernels as pc
from focusgen.engine.arrow import strings
from focusgen.engine.fromnumpy import from_numpy
from focusgen.providers.conventions import CONVENTIONS, ENVIRONMENTS
from focusgen.providers.idgen import as_text, digit_text, fill, hex_text, join, uuid_text
from focusgen.world.keys import unique_columns
from focusgen.world.model import Org, Resources

# Serial numbers of resource names, drawn 1-98, as text.
SERIALS = pa.array([str(i) for i in range(99)], pa.string())


def name_resources(
    rng: np.random.Generator,
    tables: CatalogTables,
    org: Org,
    kind: np.ndarray,
    app: np.ndarray,
    env: np.ndarray,
    sub: np.ndarray,
    region: np.ndarray,
    zone: np.ndarray,
    tag_coverage: float,
    spend: np.ndarray | None = None,
) -> Resources:
    """Ids, names, types and tags of the given resources (fixed for their lives).

    ``spend`` (expected cost per resource) makes ``tag_coverage`` a share of spend rather
    than of resources.
    """
    n = len(kind)
    # Resources in kind order (stable, so each kind's slice lists its resources in index
    # order): each kind fills its templates over one slice of per-resource texts, and the
    # ids and names go back to resource order with one gather each.
    order = np.argsort(kind, kind="stable")
    kinds, starts = np.unique(kind[order], return_index=True)
    bounds = [*starts.tolist(), n]
    app_names = strings(org.app_name)
    env_names = strings(ENVIRONMENTS)
    # A resource's zone text: its zone, or its region where it has none.
    places = pa.concat_arrays([strings(tables.zone_name), strings(tables.region_id)])
    place = np.where(zone >= 0, zone, len(tables.zone_name) + region)
    per_resource = {
        "account": lambda: pc.take(strings(bare_account(org.sub_id)), sub[order]),
        "region": lambda: pc.take(strings(tables.region_id), region[order]),
        "zone": lambda: pc.take(places, place[order]),
        "app": lambda: pc.take(app_names, app[order]),
        "env": lambda: pc.take(env_names, env[order]),
        "team": lambda: pc.take(strings(org.app_team), app[order]),
    }
    in_order: dict[str, pa.Array] = {}

    def sorted_texts(name: str) -> pa.Array:
        """A per-resource text column in kind order, made on first use."""
        if name not in in_order:
            in_order[name] = per_resource[name]()
        return in_order[name]

    id_pieces, name_pieces = [], []
    for k, lo, hi in zip(kinds.tolist(), bounds[:-1], bounds[1:], strict=True):
        m = hi - lo
        id_template, name_template, _ = tables.kind_templates[k]
        serial = pc.take(SERIALS, rng.integers(1, 99, m))

        def text(name: str, lo: int = lo, m: int = m) -> pa.Array:
            return sorted_texts(name).slice(lo, m)

        values = {
            "account": lambda text=text: text("account"),
            "region": lambda text=text: text("region"),
            "zone": lambda text=text: text("zone"),
            "hex8": lambda m=m: hex_text(rng, m, 8),
            "hex16": lambda m=m: hex_text(rng, m, 16),
            "hex17": lambda m=m: hex_text(rng, m, 17),
            "hex24": lambda m=m: hex_text(rng, m, 24),
            "hex32": lambda m=m: hex_text(rng, m, 32),
            "uuid": lambda m=m: uuid_text(rng, m),
            "num": lambda m=m: digit_text(rng, m, 19),
            "app": lambda text=text: text("app"),
            "env": lambda text=text: text("env"),
            "team": lambda text=text: text("team"),
            "rg": lambda text=text: join("rg-", text("app"), "-", text("env")),
            "n": lambda serial=serial: serial,
        }
        if name_template:
            resource_names = fill(name_template, values, m)
        else:
            resource_names = join(text("app"), "-", text("env"), "-", serial)
        values["name"] = lambda resource_names=resource_names: resource_names
        id_pieces.append(fill(id_template, values, m))
        name_pieces.append(resource_names)
    # The per-resource texts and each kind's pieces are let go as soon as they are used:
    # a daily 100M-row world names 2.4M resources, and each copy of their texts is ~100 MB.
    in_order.clear()
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    ids = pc.take(_concat_and_clear(id_pieces), back) if n else strings([])
    names = pc.take(_concat_and_clear(name_pieces), back) if n else strings([])
    # Kinds share resource types ("instance"): one text per type.
    types, type_of_kind = np.unique(
        np.array([t or "" for _, _, t in tables.kind_templates]), return_inverse=True
    )
    tag_code, tag_texts, tags_valid = _tags(
        rng,
        tables.catalog.provider,
        app,
        env,
        org.app_name,
        np.array(ENVIRONMENTS),
        org.app_team,
        org.app_cost_centre,
        tag_coverage,
        spend,
    )
    return Resources(
        id=_dedupe(ids),
        name=names,
        type_code=type_of_kind.astype(np.int32)[kind],
        type_texts=strings(types),
        type_valid=types[type_of_kind][kind] != "",
        tag_code=tag_code,
        tag_texts=tag_texts,
        tags_valid=tags_valid,
        app=app,
        env=env,
    )


def _concat_and_clear(pieces: list[pa.Array]) -> pa.Array:
    """The pieces as one array; the list is emptied so the pieces can be freed."""
    whole = pa.concat_arrays(pieces)
    pieces.clear()
    return whole


def bare_account(ids: np.ndarray) -> np.ndarray:
    """Sub-account ids as id templates embed them (Azure: the GUID without /subscriptions/)."""
    return np.strings.replace(ids, "/subscriptions/", "")


def _dedupe(ids: pa.Array) -> pa.Array:
    """Make ids unique by suffixing later duplicates.

    Ids built from names drawn from small pools repeat in big worlds: 17% of a daily
    10M-row AWS world's 203K ids. The suffixed texts replace the duplicates in one copy of
    the ids (a concatenation and a gather made two: 250 MB above the rest of a daily
    100M-row world's naming).
    """
    encoded = pc.dictionary_encode(ids)
    if len(encoded.dictionary) == len(ids):
        return ids
    indices = encoded.indices.to_numpy()
    del encoded  # its dictionary holds every distinct id: up to the size of the ids
    _, first = np.unique(indices, return_index=True)
    duplicate = np.ones(len(ids), dtype=bool)
    duplicate[first] = False
    dup = np.flatnonzero(duplicate)
    suffixed = join(pc.take(ids, dup), "-", as_text(np.arange(2, len(dup) + 2)))
    return pc.replace_with_mask(ids, from_numpy(duplicate), suffixed)


def _tags(
    rng: np.random.Generator,
    provider: str,
    app_of: np.ndarray,
    env_of: np.ndarray,
    app_names: np.ndarray,
    env_names: np.ndarray,
    app_teams: np.ndarray,
    app_cost_centres: np.ndarray,
    coverage: float,
    spend: np.ndarray | None = None,
) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """JSON tag objects: complete, mis-spelt, partial or absent, as codes into their texts.

    Resources are taken in a random order, big spenders later (they are the ones that escape
    tagging: count coverage overstates spend coverage); the first ``coverage`` of the spend
    gets the complete set, the next slices a mis-cased key (all four keys, one spelt wrong),
    then only some keys, the rest no tags at all. ``app_of`` and ``env_of`` index each
    resource's app and environment (the values its tags spell out) in the per-app and
    per-environment texts.
    """
    k_app, k_env, k_team, k_cc = CONVENTIONS[provider].tag_keys
    n = len(app_of)
    draw = rng.random(n)
    if spend is not None and n and spend.sum() > 0:
        weight = np.maximum(spend, 0) + 1e-12
        order = np.argsort(draw * (weight / weight.mean()) ** 0.1, kind="stable")
        position = np.empty(n)
        cumulative = np.cumsum(weight[order])
        # Spend share before each resource's midpoint: a quantile of spend, not of count.
        position[order] = (cumulative - weight[order] / 2) / cumulative[-1]
        draw = position
    rest = 1 - coverage
    full = draw < coverage
    misspelt = (draw >= coverage) & (draw < coverage + rest * 0.1)
    partial = (draw >= coverage + rest * 0.1) & (draw < coverage + rest * 0.5)
    full = full | misspelt
    valid = full | partial
    # A tag text depends only on the app, the environment and how it is spelt (0 complete,
    # 1 mis-spelt, 2 partial): each combination in use is formatted once.
    spelling = np.where(misspelt, 1, np.where(full, 0, 2))
    combos, inverse = unique_columns([app_of, env_of, spelling], return_inverse=True)
    app_one, env_one, spelt = combos.T
    app, env = app_names[app_one], env_names[env_one]
    team, cost_centre = app_teams[app_one], app_cost_centres[app_one]
    full, misspelt = spelt < 2, spelt == 1
    env_value = env
    env_key = np.where(misspelt, k_env.capitalize() if "." not in k_env else k_env + "s", k_env)

    def pair(key: np.ndarray | str, value: np.ndarray) -> np.ndarray:
        return np.strings.add(
            np.strings.add(np.strings.add('"', key), '":"'), np.strings.add(value, '"')
        )

    body = np.strings.add(pair(k_app, app), ",")
    body = np.strings.add(body, pair(env_key, env_value))
    tail = np.strings.add(
        np.strings.add(",", pair(k_team, team)), np.strings.add(",", pair(k_cc, cost_centre))
    )
    body = np.where(full, np.strings.add(body, tail), body)
    tags = np.strings.add(np.strings.add("{", body), "}")
    return inverse.astype(np.int32), strings(tags), valid
