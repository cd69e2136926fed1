"""Provider catalogs: breadth, FOCUS categories, units, id formats."""

from __future__ import annotations

import itertools
import re
import string

import pytest

from focusgen.catalog import load_catalog
from focusgen.focus.spec import service_categories, subcategory_parents
from focusgen.focus.units import is_unit

REQUIRED = {
    "Compute",
    "Storage",
    "Databases",
    "Networking",
    "Analytics",
    "AI and Machine Learning",
    "Management and Governance",
    "Security",
    "Integration",
}
SKU_FORMATS = {
    "aws": re.compile(r"^[A-Z0-9]{16}$"),
    "gcp": re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$"),
    "oci": re.compile(r"^B[0-9]{5,6}$"),
}


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_catalog_breadth_and_categories(provider):
    catalog = load_catalog(provider)
    assert len(catalog.services) >= 15
    categories = {s.category for s in catalog.services}
    assert categories >= REQUIRED
    parents = subcategory_parents()
    for service in catalog.services:
        assert service.category in service_categories()
        assert parents[service.subcategory] == service.category
    assert len({s.name for s in catalog.services}) == len(catalog.services)


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_skus_have_prices_units_and_provider_id_formats(provider):
    catalog = load_catalog(provider)
    skus = [sku for s in catalog.services for k in s.resources for sku in [*k.variants, *k.meters]]
    assert len(skus) >= 60
    assert all(sku.list_price >= 0 and is_unit(sku.pricing_unit) for sku in skus)
    assert sum(sku.list_price > 0 for sku in skus) >= 0.95 * len(skus)
    if provider in SKU_FORMATS:
        assert all(SKU_FORMATS[provider].match(sku.sku_id) for sku in skus), provider
    prices = {}
    for sku in skus:
        assert prices.setdefault(sku.price_id, sku.list_price) == sku.list_price
    assert len(catalog.regions) >= 8
    assert all(r.name.isascii() for r in catalog.regions)


def test_known_list_prices_are_real():
    linux = {
        sku.details["InstanceType"]: sku.list_price
        for s in load_catalog("aws").services
        for k in s.resources
        for sku in k.variants
        if sku.details.get("OperatingSystem") == "Linux"
    }
    assert linux["m5.large"] == pytest.approx(0.096)
    assert linux["c5.large"] == pytest.approx(0.085)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Hours", True),
        ("GB-Months", True),
        ("1000 Requests", True),
        ("GB/Hour", True),
        ("Requests/3 Months", True),
        ("10000 GB-Seconds", False),
        ("GB Months", True),
        ("$", False),
        ("", False),
    ],
)
def test_unit_format_grammar(text, ok):
    assert is_unit(text) is ok


AWS_NEW_REGIONS = {"eu-north-1", "eu-west-3", "ap-northeast-2", "me-south-1", "af-south-1"}


def _aws_skus(service):
    return [sku for k in service.resources for sku in [*k.variants, *k.meters]]


def test_aws_catalog_breadth_codes_and_cur_formats():
    catalog = load_catalog("aws")
    services = {s.name: s for s in catalog.services}
    assert len(services) >= 60
    assert {s.category for s in catalog.services} >= REQUIRED | {"Identity", "Developer Tools"}
    assert len({s.subcategory for s in catalog.services}) >= 35
    allowed = {"price", "region_name", "region_id"}
    for service in catalog.services:
        # x_ServiceCode is the CUR product code: AmazonEC2, AWSLambda, awskms, comprehend ...
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{4,40}", service.service_code or ""), service.name
        for sku in _aws_skus(service):
            where = f"{service.name}: {sku.price_id}"
            assert re.fullmatch(r"[A-Z0-9]{16}", sku.sku_id), where
            price_id = re.escape(sku.sku_id) + r"\.[A-Z0-9]{10}\.[A-Z0-9]{10}"
            assert re.fullmatch(price_id, sku.price_id), where
            assert sku.usage_type, where
            # Route 53 line items carry no operation in CUR; every other SKU names one
            assert sku.operation or service.name == "Amazon Route 53", where
            bare = sku.usage_type.replace("{usage_prefix}", "")
            assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.:_\-]*", bare), where
            # Marketplace SaaS usage types ('MP:...') carry no region prefix
            if service.regional and not sku.usage_type.startswith("MP:"):
                assert sku.usage_type.startswith("{usage_prefix}"), where
            fields = {f for _, f, _, _ in string.Formatter().parse(sku.description) if f}
            assert fields <= allowed, where
    assert catalog.services[0].name == "Amazon Elastic Compute Cloud"


def test_aws_compute_storage_and_database_families():
    services = {s.name: s for s in load_catalog("aws").services}
    # Instance SKUs are the variants; meters are the lines every instance adds ($0 transfer in).
    ec2 = [sku for k in services["Amazon Elastic Compute Cloud"].resources for sku in k.variants]
    gpus = {sku.details["InstanceSeries"] for sku in ec2 if sku.details.get("GpuCount")}
    assert gpus >= {"g4dn", "g5", "p4d", "p5"}
    for sku in ec2:
        os_name = sku.details["OperatingSystem"]
        instance = sku.details["InstanceType"]
        assert sku.description == f"${{price}} per On Demand {os_name} {instance} Instance Hour"
        assert sku.usage_type == f"{{usage_prefix}}BoxUsage:{instance}"
        assert sku.operation.startswith("RunInstances")
    ebs_skus = _aws_skus(services["Amazon Elastic Block Store"])
    ebs = {sku.details.get("DiskType"): sku for sku in ebs_skus if sku.pricing_unit == "GB-Months"}
    assert {"gp3", "gp2", "io2"} <= set(ebs)
    assert ebs["gp3"].usage_type == "{usage_prefix}EBS:VolumeUsage.gp3"
    assert ebs["gp3"].operation == "CreateVolume-Gp3"
    assert ebs["gp3"].list_price == pytest.approx(0.08)
    for name in [
        "AWS Lambda",
        "Amazon Elastic Container Service",
        "Amazon Lightsail",
        "AWS App Runner",
        "Amazon WorkSpaces",
        "Amazon Elastic File System",
        "Amazon FSx",
        "AWS Backup",
        "Amazon Glacier",
        "Amazon DocumentDB (with MongoDB compatibility)",
        "Amazon Keyspaces (for Apache Cassandra)",
        "Amazon Neptune",
        "Amazon MemoryDB",
        "Amazon ElastiCache",
        "Amazon Redshift",
        "AWS Global Accelerator",
        "AWS Direct Connect",
        "Amazon Elastic MapReduce",
        "Amazon OpenSearch Service",
        "Amazon QuickSight",
        "Amazon Managed Streaming for Apache Kafka",
        "Amazon Rekognition",
        "Amazon Textract",
        "Amazon Comprehend",
        "Amazon Transcribe",
        "Amazon Polly",
        "Amazon Translate",
        "AWS X-Ray",
        "AWS Config",
        "AWS Systems Manager",
        "AWS Shield",
        "AWS Security Hub",
        "Amazon Inspector",
        "Amazon Macie",
        "AWS Certificate Manager",
        "Amazon Cognito",
        "Amazon EventBridge",
        "Amazon API Gateway",
        "Amazon MQ",
        "AWS AppSync",
        "AWS CodeBuild",
        "AWS CodePipeline",
        "Amazon EC2 Container Registry (ECR)",
    ]:
        assert name in services, name
    assert services["AWS Key Management Service"].category == "Identity"


def _tiers(service, sku_id):
    return {sku.description: sku for sku in _aws_skus(service) if sku.sku_id == sku_id}


def test_aws_tiered_egress_and_object_storage():
    services = {s.name: s for s in load_catalog("aws").services}
    egress = _tiers(services["AWS Data Transfer"], "HQEH3ZWJVT46JHRG")
    order = ["first 10 TB", "next 40 TB", "next 100 TB", "greater than 150 TB"]
    prices = []
    for tier in order:
        (sku,) = [s for d, s in egress.items() if tier in d]
        prices.append(sku.list_price)
        assert sku.usage_type == "{usage_prefix}DataTransfer-Out-Bytes"
    assert prices == pytest.approx([0.09, 0.085, 0.07, 0.05])
    assert prices == sorted(prices, reverse=True)
    assert len({s.price_id for s in egress.values()}) == 4
    transfer = _aws_skus(services["AWS Data Transfer"])
    by_type = {sku.details.get("x_TransferType"): sku.list_price for sku in transfer}
    assert by_type["InterRegion Outbound"] == pytest.approx(0.02)
    assert by_type["IntraRegion"] == pytest.approx(0.01)
    assert by_type["AWS Inbound"] == 0.0
    assert any(re.search(r"[A-Z]{2,4}[0-9]?-AWS-Out-Bytes$", s.usage_type) for s in transfer)
    s3 = _tiers(services["Amazon Simple Storage Service"], "WP9ANXZGBYYSGJEA")
    s3_prices = [
        next(s.list_price for d, s in s3.items() if tier in d)
        for tier in ("first 50 TB", "next 450 TB", "over 500 TB")
    ]
    assert s3_prices == pytest.approx([0.023, 0.022, 0.021])
    s3_skus = _aws_skus(services["Amazon Simple Storage Service"])
    classes = {sku.details.get("StorageClass") for sku in s3_skus}
    assert classes >= {
        "Standard",
        "Standard-IA",
        "Glacier Flexible Retrieval",
        "Glacier Deep Archive",
    }


def test_aws_bedrock_tokens_and_legacy_labels():
    catalog = load_catalog("aws")
    services = {s.name: s for s in catalog.services}
    tokens = {}
    for sku in _aws_skus(services["Amazon Bedrock"]):
        assert sku.pricing_unit == "1000 Tokens" and sku.block_size == 1000
        tokens.setdefault(sku.details["x_ModelId"], {})[sku.details["x_TokenType"]] = sku.list_price
    both = {m: t for m, t in tokens.items() if {"Input", "Output"} <= set(t)}
    assert len(both) >= 5
    assert all(t["Output"] >= t["Input"] for t in both.values())
    ebs = services["Amazon Elastic Block Store"]
    assert (ebs.legacy_name, ebs.legacy_category) == ("Amazon Elastic Compute Cloud", "Storage")
    for name in [
        "Amazon Elastic Container Service",
        "Amazon Elastic Container Service for Kubernetes",
        "Amazon EC2 Container Registry (ECR)",
    ]:
        assert services[name].legacy_category == "Other", name
    assert services["AWS Data Transfer"].legacy_name == "Amazon Elastic Compute Cloud"
    assert services["AWS Step Functions"].legacy_category == "Compute"
    assert services["Amazon API Gateway"].legacy_category == "Networking"
    regions = {r.id: r for r in catalog.regions}
    assert set(regions) >= AWS_NEW_REGIONS
    for region in regions.values():
        assert region.price_factor >= 1.0
        assert region.zones and all(z.startswith(region.id) for z in region.zones)


AZURE_SKU = re.compile(r"^[A-Z0-9]{12}/[A-Z0-9]{4}$")
AZURE_ARM_ID = re.compile(
    r"^/subscriptions/\{account\}/resourcegroups/[^/]+/providers/microsoft\.[a-z]+/[a-z0-9]+/[^/]+"
    r"(/[a-z0-9]+/[^/]+)*$"
)
AZURE_SERVICES = {
    "Virtual Machines",
    "Virtual Machine Scale Sets",
    "Azure Kubernetes Service",
    "Azure Container Instances",
    "Azure Container Apps",
    "Functions",
    "Azure App Service",
    "Batch",
    "Azure Virtual Desktop",
    "Storage Accounts",
    "Azure NetApp Files",
    "Azure Backup",
    "Azure SQL Database",
    "Cosmos DB",
    "Azure DB for PostgreSQL",
    "Azure DB for MySQL",
    "Azure Cache for Redis",
    "Azure Synapse Analytics",
    "Load Balancer",
    "Application Gateway",
    "Azure NAT Gateway",
    "VPN Gateway",
    "Azure ExpressRoute",
    "Azure Front Door",
    "Content Delivery Network",
    "Azure DNS",
    "Azure Firewall",
    "Bandwidth",
    "Azure Data Factory",
    "Azure Databricks",
    "Event Hubs",
    "Azure Stream Analytics",
    "HDInsight",
    "Azure Data Explorer",
    "Power BI Embedded",
    "Microsoft.Fabric",
    "Azure AI Services",
    "Azure AI Search",
    "Azure Machine Learning",
    "Azure Monitor",
    "Microsoft Defender for Cloud",
    "Key Vault",
    "Microsoft Sentinel",
    "Microsoft Entra External Identities",
    "Azure DDoS Protection",
    "Service Bus",
    "Event Grid",
    "Logic Apps",
    "API Management",
}


def _azure_skus():
    catalog = load_catalog("azure")
    return [
        (service, kind, sku)
        for service in catalog.services
        for kind in service.resources
        for sku in [*kind.variants, *kind.meters]
    ]


def test_azure_catalog_breadth_and_meter_categories():
    catalog = load_catalog("azure")
    names = {s.name for s in catalog.services}
    assert len(catalog.services) >= 60
    assert names >= AZURE_SERVICES, AZURE_SERVICES - names
    for service in catalog.services:
        # x_SkuMeterCategory: a display name, never an ARM namespace or another provider's code
        code = service.service_code or ""
        assert re.match(r"^[A-Z][A-Za-z0-9 .()/-]+$", code), (service.name, code)
        assert not code.lower().startswith("microsoft.") and "_" not in code, code
    assert {s.service_code for s in catalog.services} >= {
        "Virtual Machines",
        "Storage",
        "Bandwidth",
        "Azure App Service",
        "Cognitive Services",
    }
    assert {s.category for s in catalog.services} >= REQUIRED | {"Identity", "Web"}


def test_azure_sku_ids_price_ids_subcategories_and_resource_ids():
    skus = _azure_skus()
    assert len(skus) >= 250
    for service, kind, sku in skus:
        where = (service.name, kind.kind, sku.meter)
        assert AZURE_SKU.match(sku.sku_id), where
        product, sku_part = sku.sku_id.split("/")
        assert re.match(rf"^{product}_{sku_part}_Consumption(_\d+)?$", sku.price_id), where
        subcategory = sku.meter_subcategory or ""
        assert subcategory and subcategory.strip() == subcategory, where
        assert "{" not in sku.description.replace("{region_name}", "").replace("{price}", ""), where
        template = kind.id_template
        assert AZURE_ARM_ID.match(template), (where, template)
        literal = re.sub(r"\{[a-z0-9]+\}", "", template)
        assert literal == literal.lower(), (where, template)
        # ResourceType is the friendly name, not the ARM type
        assert kind.resource_type and not kind.resource_type.startswith("microsoft."), where


def _azure_tiers(meter_subcategory: str, meter: str, sku_id: str) -> list[tuple[int, float]]:
    tiers = {}
    for _, _, sku in _azure_skus():
        if (sku.sku_id, sku.meter, sku.meter_subcategory) == (sku_id, meter, meter_subcategory):
            tier_min = sku.details.get("x_TierMinimumUnits")
            if tier_min is not None:
                tiers[int(tier_min)] = sku.list_price
    return sorted(tiers.items())


def test_azure_tiered_prices_decrease():
    egress = _azure_tiers("Rtn Preference: MGN", "Standard Data Transfer Out", "DZH318Z0FVTR/0013")
    assert egress == [(0, 0.0), (100, 0.087), (10240, 0.083), (51200, 0.07), (153600, 0.05)]
    blob = _azure_tiers("Tiered Block Blob", "Hot LRS Data Stored", "DZH318Z0TCQD/00J6")
    assert [t for t, _ in blob] == [51200, 512000]
    base = "DZH318Z0TCQD_00J6_Consumption"
    first = next(s.list_price for _, _, s in _azure_skus() if s.price_id == base)
    prices = [first] + [p for _, p in blob]
    assert prices == sorted(prices, reverse=True) and len(set(prices)) == 3
    paid = [p for _, p in egress if p > 0]
    assert all(a > b for a, b in itertools.pairwise(paid))


def test_azure_known_list_prices():
    by_description = {s.description: s.list_price for _, _, s in _azure_skus()}
    d2s = "Virtual Machines Dsv5 Series - D2s v5 - {region_name}"
    egress = "Rtn Preference: MGN - Standard Data Transfer Out - Zone 1 - First 10 TB"
    assert by_description[d2s] == pytest.approx(0.096)
    assert by_description[egress] == pytest.approx(0.087)
    assert by_description["Azure OpenAI - gpt-4o-0806-Inp-glbl Tokens"] == pytest.approx(0.0025)
    outputs = {
        s.meter: s.list_price for _, _, s in _azure_skus() if s.meter_subcategory == "Azure OpenAI"
    }
    assert sum(m.endswith("Outp-glbl Tokens") for m in outputs) >= 6
    for meter, price in outputs.items():
        if meter.endswith("Inp-glbl Tokens") and meter.replace("Inp", "Outp") in outputs:
            assert outputs[meter.replace("Inp", "Outp")] > price, meter


GCP_ID = re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$")
GCP_PRICE_ID = re.compile(
    r"^SKU ID: ([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}), Price Tier Start Amount: (\d+)$"
)


def _gcp_skus(service_name=None):
    return [
        (service, kind, sku)
        for service in load_catalog("gcp").services
        if service_name is None or service.name == service_name
        for kind in service.resources
        for sku in [*kind.variants, *kind.meters]
    ]


def test_gcp_catalog_breadth_and_service_ids():
    catalog = load_catalog("gcp")
    assert len(catalog.services) >= 60
    assert all(s.service_code and GCP_ID.match(s.service_code) for s in catalog.services)
    codes = {s.name: s.service_code for s in catalog.services}
    # Cloud Billing service ids (service.id) of the core services
    assert codes["Compute Engine"] == "6F81-5844-456A"
    assert codes["Cloud Storage"] == "95FF-2EF5-5EA1"
    assert codes["BigQuery"] == "24E6-581D-38E5"
    assert codes["Cloud SQL"] == "9662-B51E-5089"
    assert codes["Kubernetes Engine"] == "CCD8-9BF1-090E"
    assert codes["Networking"] == "E505-1604-58F8"
    assert codes["Vertex AI"] == "C7E2-9256-1C43"
    assert codes["Cloud Spanner"] == "CC63-0873-48FD"
    # a service id names one service, except services Google bills under Compute Engine
    # that the catalog splits out for a single ServiceCategory per ServiceName
    by_code: dict[str, list[str]] = {}
    for s in catalog.services:
        by_code.setdefault(s.service_code, []).append(s.name)
    assert {c: n for c, n in by_code.items() if len(n) > 1} == {
        "6F81-5844-456A": ["Compute Engine", "Persistent Disk"]
    }
    categories = {s.category for s in catalog.services}
    assert categories >= REQUIRED | {"Identity", "Developer Tools"}


def test_gcp_sku_and_price_id_formats():
    skus = _gcp_skus()
    assert len(skus) >= 200
    for service, _, sku in skus:
        assert GCP_ID.match(sku.sku_id), (service.name, sku.sku_id)
        match = GCP_PRICE_ID.match(sku.price_id)
        assert match and match.group(1) == sku.sku_id, (service.name, sku.price_id)
        assert set(re.findall(r"{(\w+)}", sku.description)) <= {"price", "region_id", "region_name"}
        if not service.regional:
            assert "{region_" not in sku.description, (service.name, sku.description)
    descriptions = {sku.description for _, _, sku in skus}
    assert "N2 Instance Core running in {region_name}" in descriptions
    assert "N2 Instance Ram running in {region_name}" in descriptions


def test_gcp_tiered_prices_decrease():
    tiers: dict[str, list[tuple[int, float]]] = {}
    for _, _, sku in _gcp_skus():
        start = int(GCP_PRICE_ID.match(sku.price_id).group(2))
        tiers.setdefault(sku.sku_id, [])
        if (start, sku.list_price) not in tiers[sku.sku_id]:
            tiers[sku.sku_id].append((start, sku.list_price))
    tiered = {k: sorted(v) for k, v in tiers.items() if len(v) > 1}
    assert len(tiered) >= 3
    for steps in tiered.values():
        starts = [s for s, _ in steps]
        prices = [p for _, p in steps]
        assert len(set(starts)) == len(starts)
        assert all(a > b for a, b in itertools.pairwise(prices)), steps
    egress = [
        steps
        for sku_id, steps in tiered.items()
        if any(
            s.sku_id == sku_id and "Internet Egress" in s.description
            for _, _, s in _gcp_skus("Networking")
        )
    ]
    assert egress == [[(0, 0.12), (1024, 0.11), (10240, 0.08)]]


def test_gcp_accelerators_storage_classes_and_disks():
    details = [sku.details for _, _, sku in _gcp_skus()]
    gpus = {d.get("x_GpuModel", "") for d in details}
    for model in ("T4", "L4", "A100", "H100"):
        assert any(model in g for g in gpus), model
    tpu_services = {
        s.name for s, _, sku in _gcp_skus() if sku.details.get("x_ResourceGroup") == "TPU"
    }
    assert tpu_services == {"Cloud TPU", "Compute Engine"}
    classes = {sku.details.get("StorageClass") for _, _, sku in _gcp_skus("Cloud Storage")}
    assert classes >= {"Standard", "Nearline", "Coldline", "Archive"}
    disks = {sku.details.get("DiskType") for _, _, sku in _gcp_skus("Persistent Disk")}
    assert disks >= {"pd-standard", "pd-balanced", "pd-ssd", "hyperdisk-balanced"}
    assert any(k.kind == "snapshot" for _, k, _ in _gcp_skus("Persistent Disk"))
    bigquery = {sku.description: sku for _, _, sku in _gcp_skus("BigQuery")}
    assert bigquery["Analysis"].pricing_unit == "TiB"
    assert bigquery["Analysis"].list_price == pytest.approx(6.25)
    assert {"Active Logical Storage", "Long Term Logical Storage"} <= set(bigquery)


def test_gcp_regions_and_zones():
    regions = load_catalog("gcp").regions
    assert len(regions) >= 12
    names = {r.id: r.name for r in regions}
    assert names["us-central1"] == "Iowa" and names["europe-west1"] == "Belgium"
    assert names["asia-northeast1"] == "Tokyo" and names["australia-southeast1"] == "Sydney"
    for region in regions:
        assert re.match(r"^[a-z]+-[a-z]+[0-9]+$", region.id), region.id
        assert region.zones and all(re.match(rf"^{region.id}-[a-z]$", z) for z in region.zones)


def _parsed(text: str):
    from focusgen.yamltext import parsed_yaml

    return parsed_yaml(text, "catalog")


def test_parsed_catalogs_are_cached_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("FOCUSGEN_CACHE_DIR", str(tmp_path))
    text = "provider: demo\nservices: [{name: A, price: 1.5}]\n"
    first = _parsed(text)
    assert first == {"provider": "demo", "services": [{"name": "A", "price": 1.5}]}
    (cached,) = tmp_path.glob("catalog-*.json")
    # A cached copy is what later runs read...
    cached.write_text('{"provider": "from the cache"}')
    assert _parsed(text) == {"provider": "from the cache"}
    # ...an edited catalog is parsed afresh, and a broken copy is parsed around.
    assert _parsed(text.replace("1.5", "2.5"))["services"][0]["price"] == 2.5
    cached.write_text("{not json")
    assert _parsed(text) == first


def test_an_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("FOCUSGEN_CACHE_DIR", str(blocker / "sub"))  # cannot be created
    assert _parsed("a: 1\n") == {"a": 1}
