"""Build a provider's organisation: billing accounts, sub-accounts, applications and teams."""

from __future__ import annotations

import numpy as np

from focusgen.providers.conventions import CONVENTIONS, TEAMS, WORDS
from focusgen.world.keys import distinct
from focusgen.world.model import Org

_ORG_NAMES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
_UNIT_NAMES = ("Shared Services", "Retail", "Platform", "Research", "Corporate", "Europe", "APAC")


def build_org(
    rng: np.random.Generator,
    provider: str,
    billing_accounts: int,
    sub_accounts: int,
    applications: int,
    teams: int,
    credit_share: float,
) -> Org:
    """Draw the account hierarchy and the applications that own resources."""
    conv = CONVENTIONS[provider]
    company = _ORG_NAMES[int(rng.integers(len(_ORG_NAMES)))]
    billing_ids = _unique(conv.billing_ids, rng, billing_accounts)
    billing_names = np.array(
        [
            f"{company} {_UNIT_NAMES[i % len(_UNIT_NAMES)]}" + ("" if i < 7 else f" {i}")
            for i in range(billing_accounts)
        ]
    )
    sub_ids = _unique(conv.sub_account_ids, rng, sub_accounts)
    sub_billing = np.sort(rng.integers(0, billing_accounts, sub_accounts)).astype(np.int32)
    sub_billing[:billing_accounts] = np.arange(min(billing_accounts, sub_accounts))
    sub_billing = np.sort(sub_billing)
    words = np.array(WORDS)
    sub_names = np.array(
        [
            f"{company.lower()}-{words[i % len(words)]}-{('prod', 'nonprod', 'shared')[i % 3]}"
            + (f"-{i // len(words)}" if i >= len(words) else "")
            for i in range(sub_accounts)
        ]
    )
    if provider == "gcp":
        sub_ids = np.strings.add(np.strings.add(sub_names, "-"), np.strings.slice(sub_ids, 5, 11))
    credited = rng.random(sub_accounts) < credit_share
    team_names = np.array(
        [
            TEAMS[i % len(TEAMS)] + (f"-{i // len(TEAMS)}" if i >= len(TEAMS) else "")
            for i in range(teams)
        ]
    )
    app_names = np.array(
        [
            words[i % len(words)] + (f"{i // len(words)}" if i >= len(words) else "")
            for i in rng.permutation(applications)
        ]
    )
    app_team = team_names[rng.integers(0, teams, applications)]
    app_cost_centre = np.strings.add(
        "CC-", (1000 + rng.integers(0, 90, applications) * 10).astype(str)
    )
    return Org(
        billing_id=billing_ids,
        billing_name=billing_names,
        sub_id=sub_ids,
        sub_name=sub_names,
        sub_billing=sub_billing,
        sub_credited=credited,
        app_name=app_names,
        app_team=app_team,
        app_cost_centre=app_cost_centre,
    )


def _unique(make, rng: np.random.Generator, n: int) -> np.ndarray:
    values = make(rng, n)
    while len(distinct(values)) < n:
        values = make(rng, n)
    return values
