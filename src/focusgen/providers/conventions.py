"""Per-provider conventions the catalogs do not carry: account ids, tag keys, invoice ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from focusgen.providers.idgen import digit_tokens, hex_tokens, upper_tokens, uuid_tokens

Tokens = Callable[[np.random.Generator, int], np.ndarray]


def _aws_accounts(rng: np.random.Generator, n: int) -> np.ndarray:
    return digit_tokens(rng, n, 12)


def _azure_billing(rng: np.random.Generator, n: int) -> np.ndarray:
    guid = np.strings.add(np.strings.add(uuid_tokens(rng, n), ":"), uuid_tokens(rng, n))
    profile = np.strings.add(np.strings.add(upper_tokens(rng, n, 4), "-"), upper_tokens(rng, n, 4))
    profile = np.strings.add(np.strings.add(profile, "-BG7-"), upper_tokens(rng, n, 3))
    return np.strings.add(
        np.strings.add("/providers/Microsoft.Billing/billingAccounts/", guid),
        np.strings.add("_2019-05-31/billingProfiles/", profile),
    )


def _azure_subscriptions(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.strings.add("/subscriptions/", uuid_tokens(rng, n))


def _gcp_billing(rng: np.random.Generator, n: int) -> np.ndarray:
    upper = np.strings.upper(hex_tokens(rng, n, 18))
    parts = [np.strings.slice(upper, a, a + 6) for a in (0, 6, 12)]
    return np.strings.add(
        np.strings.add(np.strings.add(parts[0], "-"), parts[1]), np.strings.add("-", parts[2])
    )


def _gcp_projects(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.strings.add("proj-", digit_tokens(rng, n, 6))


def _oci_billing(rng: np.random.Generator, n: int) -> np.ndarray:
    return digit_tokens(rng, n, 8)


def _oci_tenancies(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.strings.add("ocid1.tenancy.oc1..aaaaaaaa", hex_tokens(rng, n, 52))


@dataclass(frozen=True)
class Conventions:
    """How one provider writes accounts, tags and invoices."""

    billing_ids: Tokens
    sub_account_ids: Tokens
    tag_keys: tuple[str, str, str, str]
    invoice_prefix: str
    invoice_digits: int
    spend_service: str
    commitment_term_code: str


CONVENTIONS: dict[str, Conventions] = {
    "aws": Conventions(
        billing_ids=_aws_accounts,
        sub_account_ids=_aws_accounts,
        tag_keys=("application", "environment", "team", "cost-center"),
        invoice_prefix="",
        invoice_digits=10,
        spend_service="Savings Plans for AWS Compute usage",
        commitment_term_code="4NA7Y494T4",
    ),
    "azure": Conventions(
        billing_ids=_azure_billing,
        sub_account_ids=_azure_subscriptions,
        tag_keys=("application", "env", "team", "costcenter"),
        invoice_prefix="G",
        invoice_digits=9,
        spend_service="Azure Savings Plan for Compute",
        commitment_term_code="Reservation",
    ),
    "gcp": Conventions(
        billing_ids=_gcp_billing,
        sub_account_ids=_gcp_projects,
        tag_keys=("app", "env", "team", "cost_center"),
        invoice_prefix="",
        invoice_digits=10,
        spend_service="Compute Engine",
        commitment_term_code="CUD",
    ),
    "oci": Conventions(
        billing_ids=_oci_billing,
        sub_account_ids=_oci_tenancies,
        tag_keys=(
            "Operations.Application",
            "Operations.Environment",
            "Operations.Team",
            "Finance.CostCenter",
        ),
        invoice_prefix="",
        invoice_digits=9,
        spend_service="COMPUTE",
        commitment_term_code="COMMIT",
    ),
}

WORDS = [
    "atlas",
    "apollo",
    "aurora",
    "beacon",
    "cobalt",
    "comet",
    "delta",
    "ember",
    "falcon",
    "fjord",
    "galaxy",
    "harbor",
    "helix",
    "horizon",
    "ion",
    "jade",
    "kepler",
    "lumen",
    "magnet",
    "meridian",
    "nebula",
    "nova",
    "onyx",
    "orbit",
    "pixel",
    "polaris",
    "prism",
    "quartz",
    "quasar",
    "raven",
    "sierra",
    "solar",
    "sonic",
    "spark",
    "summit",
    "tango",
    "titan",
    "vector",
    "vertex",
    "vortex",
    "willow",
    "zenith",
    "zephyr",
    "mosaic",
    "canyon",
    "glacier",
    "lotus",
    "maple",
    "orchid",
    "pepper",
    "saffron",
]
TEAMS = [
    "platform",
    "payments",
    "search",
    "data-eng",
    "ml-research",
    "growth",
    "identity",
    "mobile",
    "web",
    "checkout",
    "analytics",
    "security",
    "infra",
    "sre",
    "billing",
    "catalog",
    "logistics",
    "marketing",
    "support",
    "devex",
]
ENVIRONMENTS = ("prod", "staging", "dev", "test")
ENVIRONMENT_WEIGHTS = (0.55, 0.15, 0.22, 0.08)
