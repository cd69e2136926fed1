"""Typed shape of a provider catalog data file (services, resource kinds, SKUs, regions)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

UsageModel = Literal["runtime", "storage", "metered"]
CommitmentKind = Literal["none", "usage", "spend"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sku(_Strict):
    """One priced meter: a SKU id, its price id and how its quantity is drawn.

    ``list_price`` is the USD list price per *pricing unit* in the provider's base region;
    regional prices are ``list_price * region.price_factor``. ``block_size`` converts the
    consumed quantity into the pricing quantity (PricingQuantity = ConsumedQuantity /
    block_size), as Azure's ``10K`` units do.

    Quantity models:
      * ``runtime``: the resource runs the whole charge period; consumed quantity is the
        period length in hours times ``qty`` (``qty`` = 1 for one instance-hour per hour).
      * ``storage``: a provisioned size of about ``qty`` units, billed pro rata per period
        (consumed quantity = size * period_hours / hours_in_month for "-Months" units).
      * ``metered``: about ``qty`` units per hour, shaped by the resource's usage shape
        and drawn with lognormal noise of sigma ``spread``.
    """

    sku_id: str
    price_id: str
    meter: str
    description: str = Field(
        description="ChargeDescription template; may use {price}, {region_id}, {region_name}"
    )
    pricing_unit: str
    consumed_unit: str
    block_size: float = 1.0
    list_price: float = Field(ge=0)
    usage: UsageModel
    qty: float = Field(gt=0)
    spread: float = Field(default=0.5, ge=0)
    weight: float = Field(default=1.0, gt=0)
    commitment: CommitmentKind = "none"
    spot: bool = False
    normalization: float = Field(
        default=1.0, gt=0, description="size-flexibility factor (normalised units per unit)"
    )
    details: dict[str, str | int | float | bool] = Field(default_factory=dict)
    usage_type: str | None = Field(
        default=None, description="AWS x_UsageType template; {usage_prefix} is the region's"
    )
    operation: str | None = Field(default=None, description="AWS x_Operation")
    meter_subcategory: str | None = Field(
        default=None, description="Azure x_SkuMeterSubcategory (e.g. 'Dsv5 Series')"
    )


class ResourceKind(_Strict):
    """A kind of resource a service bills for; every resource of it emits one variant plus
    every meter, each as its own line item per charge period."""

    kind: str
    resource_type: str | None
    id_template: str
    name_template: str | None = None
    weight: float = Field(default=1.0, gt=0)
    zonal: bool = False
    variants: list[Sku] = Field(min_length=1)
    meters: list[Sku] = Field(default_factory=list)


class Service(_Strict):
    """A provider service (ServiceName) with its FOCUS category and subcategory."""

    name: str
    category: str
    subcategory: str
    service_code: str | None = Field(
        default=None,
        description="AWS x_ServiceCode, Azure x_SkuMeterCategory, GCP x_ServiceId",
    )
    legacy_name: str | None = Field(
        default=None, description="ServiceName in FOCUS 1.0/1.1 output, when it differed"
    )
    legacy_category: str | None = Field(
        default=None, description="ServiceCategory the provider assigned in 1.0/1.1 output"
    )
    legacy_subcategory: str | None = Field(
        default=None, description="ServiceSubcategory the provider assigned in 1.1 output"
    )
    regional: bool = True
    weight: float = Field(default=1.0, gt=0)
    resources: list[ResourceKind] = Field(min_length=1)
    publisher_name: str | None = Field(
        default=None,
        description="a marketplace listing's seller: PublisherName, and ServiceProviderName "
        "from 1.3 (the provider stays ProviderName and, unless billed_by_publisher, issuer)",
    )
    host_provider_name: str | None = Field(
        default=None,
        description="HostProviderName of a marketplace listing (default: its publisher; the "
        "provider's name for software running on the customer's own instances)",
    )
    billed_by_publisher: bool = Field(
        default=False,
        description="the publisher invoices and is paid directly: it is the InvoiceIssuerName "
        "and the provider's rows carry BilledCost 0 (FOCUS's third-party rule)",
    )


class Region(_Strict):
    """A region of the provider with its zones and price factor relative to the base region."""

    id: str
    name: str
    zones: list[str] = Field(default_factory=list)
    price_factor: float = Field(default=1.0, gt=0)
    weight: float = Field(default=1.0, gt=0)


class Catalog(_Strict):
    """A provider's catalog: parties, account types, regions and services."""

    provider: str
    provider_name: str
    publisher_name: str
    invoice_issuer_name: str
    host_provider_name: str | None = Field(
        default=None,
        description="HostProviderName (1.3+) when the service runs on another provider's "
        "infrastructure (e.g. a SaaS publisher on AWS); ProviderName when unset",
    )
    service_weights_only: bool = Field(
        default=False,
        description="the services' own weights set the spend mix; the scenario's category "
        "weights (made for clouds) do not apply, as for a SaaS publisher",
    )
    billing_account_type: str
    sub_account_type: str
    base_currency: str = "USD"
    tax_rate: float = Field(default=0.0, ge=0, lt=1)
    tax_description: str = "Tax"
    support_service: str
    support_rate: float = Field(
        default=0.03, ge=0, lt=1, description="share of the bill; 0 = no support fee rows"
    )
    credit_description: str = "Promotional credit"
    commitment_types: dict[str, str] = Field(
        description="commitment kind ('usage', 'spend') -> CommitmentDiscountType display value"
    )
    commitment_id_templates: dict[str, str]
    regions: list[Region] = Field(min_length=1)
    global_region_id: str | None = Field(
        default=None,
        description="RegionId the provider writes on the rows of services that are not "
        "regional (AWS 'global'); those rows carry a null RegionId when unset",
    )
    global_region_name: str | None = Field(
        default=None,
        description="RegionName beside global_region_id (1.2+ pairs a non-null RegionId with "
        "a non-null RegionName)",
    )
    services: list[Service] = Field(min_length=1)
