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


_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_ALNUM = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))


def _pick(rng: np.random.Generator, alphabet: np.ndarray, n: int, width: int) -> np.ndarray:
    picks = alphabet[rng.integers(0, len(alphabet), size=(n, width))]
    return np.ascontiguousarray(picks).view(f"<U{width}").ravel()


def _hex32(rng: np.random.Generator, n: int) -> np.ndarray:
    return hex_tokens(rng, n, 32)


def _hex24(rng: np.random.Generator, n: int) -> np.ndarray:
    return hex_tokens(rng, n, 24)


def _snowflake_orgs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Snowflake organization names: upper-case letters and digits, starting with a letter."""
    return np.strings.add(_pick(rng, _LETTERS, n, 1), upper_tokens(rng, n, 7))


def _snowflake_accounts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Snowflake account locators: two letters and five digits (e.g. XY12345)."""
    return np.strings.add(_pick(rng, _LETTERS, n, 2), digit_tokens(rng, n, 5))


def _databricks_workspaces(rng: np.random.Generator, n: int) -> np.ndarray:
    return digit_tokens(rng, n, 16)


def _datadog_orgs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Datadog organization public ids (12 lower-case hex)."""
    return hex_tokens(rng, n, 12)


def _openai_orgs(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.strings.add("org-", _pick(rng, _ALNUM, n, 24))


def _openai_projects(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.strings.add("proj_", _pick(rng, _ALNUM, n, 24))


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
    # ServiceCategory, ServiceSubcategory and service code of the spend-commitment service
    # when it is not one of the catalog's services.
    spend_category: tuple[str, str, str] = ("Compute", "Other (Compute)", "ComputeSavingsPlans")


# Providers whose exports fold credits into the usage rows they reduce (BilledCost = cost +
# credits, the credits listed in x_Credits) instead of writing separate Credit rows.
CREDITS_IN_USAGE = frozenset({"gcp"})

# Charge-period grain of each provider's own export (scenario granularity "native"):
# AWS, Google Cloud and OCI export hourly rows, Azure and the SaaS publishers daily ones.
NATIVE_GRAIN = {
    "aws": "hourly",
    "gcp": "hourly",
    "oci": "hourly",
    "azure": "daily",
    "ibm": "daily",
    "snowflake": "daily",
    "databricks": "daily",
    "datadog": "daily",
    "mongodb": "daily",
    "llm": "daily",
}

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
    "ibm": Conventions(
        billing_ids=_hex32,
        sub_account_ids=_hex32,
        tag_keys=("app", "env", "team", "cost-center"),
        invoice_prefix="",
        invoice_digits=10,
        spend_service="Enterprise Savings Plan",
        commitment_term_code="ESP",
        spend_category=("Management and Governance", "Cost Management", "billing"),
    ),
    "snowflake": Conventions(
        billing_ids=_snowflake_orgs,
        sub_account_ids=_snowflake_accounts,
        tag_keys=("APPLICATION", "ENVIRONMENT", "TEAM", "COST_CENTER"),
        invoice_prefix="INV-",
        invoice_digits=8,
        spend_service="Capacity",
        commitment_term_code="CAPACITY",
        spend_category=("Databases", "Data Warehouses", "CAPACITY"),
    ),
    "databricks": Conventions(
        billing_ids=lambda rng, n: uuid_tokens(rng, n),
        sub_account_ids=_databricks_workspaces,
        tag_keys=("application", "environment", "team", "cost_center"),
        invoice_prefix="DB-",
        invoice_digits=9,
        spend_service="Databricks Commit Units",
        commitment_term_code="DBCU",
        spend_category=("Analytics", "Analytics Platforms", "DBCU"),
    ),
    "datadog": Conventions(
        billing_ids=_datadog_orgs,
        sub_account_ids=_datadog_orgs,
        tag_keys=("service", "env", "team", "cost-center"),
        invoice_prefix="DD-",
        invoice_digits=9,
        spend_service="Infrastructure",
        commitment_term_code="ANNUAL",
    ),
    "mongodb": Conventions(
        billing_ids=_hex24,
        sub_account_ids=_hex24,
        tag_keys=("application", "environment", "team", "cost-center"),
        invoice_prefix="",
        invoice_digits=12,
        spend_service="Atlas Clusters",
        commitment_term_code="ATLAS",
    ),
    "llm": Conventions(
        billing_ids=_openai_orgs,
        sub_account_ids=_openai_projects,
        tag_keys=("application", "environment", "team", "cost-center"),
        invoice_prefix="OAI-",
        invoice_digits=8,
        spend_service="Chat Completions",
        commitment_term_code="SCALE",
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
