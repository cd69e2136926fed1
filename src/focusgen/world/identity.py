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
    ids = np.empty(n, dtype=TEXT)
    names = np.empty(n, dtype=TEXT)
    types = np.empty(n, dtype=TEXT)
    app_name = org.app_name.astype(TEXT)[app]
    env_name = np.array(ENVIRONMENTS, dtype=TEXT)[env]
    team = org.app_team.astype(TEXT)[app]
    accounts = bare_account(org.sub_id)  # once per sub-account, not per resource
    for k in np.unique(kind):
        mine = np.flatnonzero(kind == k)
        m = len(mine)
        id_template, name_template, resource_type = tables.kind_templates[k]
        serial = rng.integers(1, 99, m).astype(str)
        values = {
            "account": lambda mine=mine: accounts[sub[mine]],
            "region": lambda mine=mine: tables.region_id[region[mine]],
            "zone": lambda mine=mine: np.where(
                zone[mine] >= 0,
                tables.zone_name[np.maximum(zone[mine], 0)],
                tables.region_id[region[mine]],
            ),
            "hex8": lambda m=m: hex_tokens(rng, m, 8),
            "hex16": lambda m=m: hex_tokens(rng, m, 16),
            "hex17": lambda m=m: hex_tokens(rng, m, 17),
            "hex24": lambda m=m: hex_tokens(rng, m, 24),
            "hex32": lambda m=m: hex_tokens(rng, m, 32),
            "uuid": lambda m=m: uuid_tokens(rng, m),
            "num": lambda m=m: digit_tokens(rng, m, 19),
            "app": lambda mine=mine: app_name[mine],
            "env": lambda mine=mine: env_name[mine],
            "team": lambda mine=mine: team[mine],
            "rg": lambda mine=mine: np.strings.add(
                np.strings.add("rg-", app_name[mine]), np.strings.add("-", env_name[mine])
            ),
            "n": lambda serial=serial: serial,
        }
        if name_template:
            resource_names = fill(name_template, values, m)
        else:
            resource_names = np.strings.add(
                np.strings.add(app_name[mine], "-"), np.strings.add(env_name[mine], "-")
            )
            resource_names = np.strings.add(resource_names, serial)
        values["name"] = lambda resource_names=resource_names: resource_names
        ids[mine] = fill(id_template, values, m)
        names[mine] = resource_names
        types[mine] = resource_type or ""
    tags, tags_valid = _tags(
        rng,
        tables.catalog.provider,
        app.astype(np.int64) * len(ENVIRONMENTS) + env,
        app_name,
        env_name,
        team,
        org.app_cost_centre.astype(TEXT)[app],
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
    app: np.ndarray,
    env: np.ndarray,
    team: np.ndarray,
    cost_centre: np.ndarray,
    coverage: float,
    spend: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """JSON tag objects: complete, mis-spelt, partial or absent.

    Resources are taken in a random order, big spenders later (they are the ones that escape
    tagging: count coverage overstates spend coverage); the first ``coverage`` of the spend
    gets the complete set, the next slices a mis-cased key (all four keys, one spelt wrong),
    then only some keys, the rest no tags at all. ``owner`` keys each resource's (app,
    environment): the values the tags spell out.
    """
    k_app, k_env, k_team, k_cc = CONVENTIONS[provider].tag_keys
    n = len(app)
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
    app, env, team, cost_centre = app[one], env[one], team[one], cost_centre[one]
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
