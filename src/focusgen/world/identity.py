"""Resource ids, names and tags, filled from the catalog's templates for many resources at once."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from focusgen.catalog.tables import CatalogTables
from focusgen.providers.conventions import CONVENTIONS, ENVIRONMENTS
from focusgen.providers.idgen import digit_tokens, fill, hex_tokens, uuid_tokens
from focusgen.world.model import Org, Resources

# Variable-width strings: a resource id is ~110 characters, which fixed-width numpy
# unicode stores in 4 bytes each at the width of the longest id; this stores 16 bytes plus
# the UTF-8 text per resource, so the world stays small at 100M rows.
TEXT = np.dtypes.StringDType()


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
    # order, as np.flatnonzero(kind == k) did): per-resource texts are gathered once in
    # that order and sliced per kind, and each output is scattered back once. Gathering and
    # scattering variable-width strings kind by kind cost ~0.9 us a string (a daily 1M-row
    # AWS world names ~20K resources of ~55 kinds).
    order = np.argsort(kind, kind="stable")
    kinds, starts = np.unique(kind[order], return_index=True)
    bounds = [*starts.tolist(), n]
    app_names = org.app_name.astype(TEXT)
    env_names = np.array(ENVIRONMENTS, dtype=TEXT)
    accounts = bare_account(org.sub_id)  # once per sub-account, not per resource
    in_order: dict[str, np.ndarray] = {}

    def sorted_texts(name: str) -> np.ndarray:
        """A per-resource text column in kind order, made on first use."""
        if name not in in_order:
            in_order[name] = {
                "account": lambda: accounts[sub[order]],
                "region": lambda: tables.region_id[region[order]],
                "zone": lambda: np.where(
                    zone[order] >= 0,
                    tables.zone_name[np.maximum(zone[order], 0)],
                    tables.region_id[region[order]],
                ),
                "app": lambda: app_names[app[order]],
                "env": lambda: env_names[env[order]],
                "team": lambda: org.app_team.astype(TEXT)[app[order]],
            }[name]()
        return in_order[name]

    id_pieces, name_pieces = [], []
    for k, lo, hi in zip(kinds.tolist(), bounds[:-1], bounds[1:], strict=True):
        m = hi - lo
        id_template, name_template, _ = tables.kind_templates[k]
        serial = rng.integers(1, 99, m).astype(str)
        values = {
            "account": lambda lo=lo, hi=hi: sorted_texts("account")[lo:hi],
            "region": lambda lo=lo, hi=hi: sorted_texts("region")[lo:hi],
            "zone": lambda lo=lo, hi=hi: sorted_texts("zone")[lo:hi],
            "hex8": lambda m=m: hex_tokens(rng, m, 8),
            "hex16": lambda m=m: hex_tokens(rng, m, 16),
            "hex17": lambda m=m: hex_tokens(rng, m, 17),
            "hex24": lambda m=m: hex_tokens(rng, m, 24),
            "hex32": lambda m=m: hex_tokens(rng, m, 32),
            "uuid": lambda m=m: uuid_tokens(rng, m),
            "num": lambda m=m: digit_tokens(rng, m, 19),
            "app": lambda lo=lo, hi=hi: sorted_texts("app")[lo:hi],
            "env": lambda lo=lo, hi=hi: sorted_texts("env")[lo:hi],
            "team": lambda lo=lo, hi=hi: sorted_texts("team")[lo:hi],
            "rg": lambda lo=lo, hi=hi: np.strings.add(
                np.strings.add("rg-", sorted_texts("app")[lo:hi]),
                np.strings.add("-", sorted_texts("env")[lo:hi]),
            ),
            "n": lambda serial=serial: serial,
        }
        if name_template:
            resource_names = fill(name_template, values, m)
        else:
            resource_names = np.strings.add(
                np.strings.add(sorted_texts("app")[lo:hi], "-"),
                np.strings.add(sorted_texts("env")[lo:hi], "-"),
            )
            resource_names = np.strings.add(resource_names, serial)
        values["name"] = lambda resource_names=resource_names: resource_names
        id_pieces.append(fill(id_template, values, m).astype(TEXT))
        name_pieces.append(resource_names.astype(TEXT))
    ids = np.empty(n, dtype=TEXT)
    names = np.empty(n, dtype=TEXT)
    if n:
        ids[order] = np.concatenate(id_pieces)
        names[order] = np.concatenate(name_pieces)
    kind_types = [t or "" for _, _, t in tables.kind_templates]
    types = np.array(kind_types, dtype=TEXT)[kind]
    tags, tags_valid = _tags(
        rng,
        tables.catalog.provider,
        app.astype(np.int64) * len(ENVIRONMENTS) + env,
        app,
        env,
        app_names,
        env_names,
        org.app_team.astype(TEXT),
        org.app_cost_centre.astype(TEXT),
        tag_coverage,
        spend,
    )
    return Resources(
        id=_dedupe(ids),
        name=names,
        type=types,
        type_valid=types != "",
        tags=tags,
        tags_valid=tags_valid,
        app=app,
        env=env,
    )


def bare_account(ids: np.ndarray) -> np.ndarray:
    """Sub-account ids as id templates embed them (Azure: the GUID without /subscriptions/)."""
    return np.strings.replace(ids, "/subscriptions/", "")


def _dedupe(ids: np.ndarray) -> np.ndarray:
    """Make ids unique by suffixing later duplicates (rare: names drawn from small pools)."""
    # Arrow hashes the strings; numpy's unique sorted them (a daily 1M-row AWS world's 20K
    # ids, with some duplicates: 6.5 ms against 17.7 ms).
    encoded = pa.array(ids, type=pa.string()).dictionary_encode()
    if len(encoded.dictionary) == len(ids):
        return ids
    _, first = np.unique(encoded.indices.to_numpy(), return_index=True)
    keep = np.zeros(len(ids), dtype=bool)
    keep[first] = True
    dup = np.flatnonzero(~keep)
    ids = ids.copy()
    ids[dup] = np.strings.add(ids[dup], np.char.mod("-%d", np.arange(2, len(dup) + 2)))
    return ids


def _tags(
    rng: np.random.Generator,
    provider: str,
    owner: np.ndarray,
    app_of: np.ndarray,
    env_of: np.ndarray,
    app_names: np.ndarray,
    env_names: np.ndarray,
    app_teams: np.ndarray,
    app_cost_centres: np.ndarray,
    coverage: float,
    spend: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """JSON tag objects: complete, mis-spelt, partial or absent.

    Resources are taken in a random order, big spenders later (they are the ones that escape
    tagging: count coverage overstates spend coverage); the first ``coverage`` of the spend
    gets the complete set, the next slices a mis-cased key (all four keys, one spelt wrong),
    then only some keys, the rest no tags at all. ``owner`` keys each resource's (app,
    environment): the values the tags spell out; ``app_of`` and ``env_of`` index each
    resource's app and environment in the per-app and per-environment texts.
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
    # A tag text depends only on its owner and how it is spelt: format each pair in use once.
    spelling = np.where(misspelt, 1, np.where(full, 0, 2))
    _, one, inverse = np.unique(owner * 3 + spelling, return_index=True, return_inverse=True)
    app_one, env_one = app_of[one], env_of[one]
    app, env = app_names[app_one], env_names[env_one]
    team, cost_centre = app_teams[app_one], app_cost_centres[app_one]
    full, misspelt = full[one], misspelt[one]
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
    return tags[inverse.ravel()], valid
