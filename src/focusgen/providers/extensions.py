"""Provider extension columns (AWS/Azure/GCP ``x_…``, OCI ``oci_…``) looked up from row keys.

Each extension column is a function of world keys the engine carries beside the FOCUS
columns (sub-account, service, SKU, region, resource, exchange rate) or of FOCUS columns
already built, so the values always agree with the columns they explain. Lookups are
dictionary-encoded: per-world value tables are built once, rows only carry indices.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from focusgen.engine import kernels as pc
from focusgen.engine.arrow import DECIMAL, STRING, TIMESTAMP, constant, strings
from focusgen.engine.fromnumpy import from_numpy
from focusgen.engine.statics import used_sku_regions
from focusgen.world.model import ProviderWorld

EXPORT_LAG_US = 4 * 3600 * 1_000_000  # GCP loads a period's rows a few hours after it ends


@dataclass(frozen=True)
class Extension:
    """One extension column: its name in FOCUS output, in native exports, and its type."""

    name: str
    type: pa.DataType
    native: str | None = None
    native_type: pa.DataType | None = None  # e.g. BigQuery's nested types in native Parquet

    def column_type(self, native: bool) -> pa.DataType:
        """The column's Arrow type in FOCUS layout or in the provider's native layout."""
        return self.native_type if native and self.native_type else self.type

    def column_name(self, native: bool) -> str:
        """The column's name in FOCUS layout or in the provider's native layout."""
        return self.native if native and self.native else self.name


def _ext(name: str, kind: str = "s", native: str | None = None) -> Extension:
    types = {"s": STRING, "p": pa.string(), "d": DECIMAL, "t": TIMESTAMP}
    return Extension(name, types[kind], native)


GCP_CREDITS = pa.list_(
    pa.struct(
        [("Name", pa.string()), ("Amount", pa.float64()), ("FullName", pa.string()),
         ("Id", pa.string()), ("Type", pa.string())]
    )
)  # fmt: skip
GCP_LABELS = pa.list_(pa.struct([("Key", pa.string()), ("Value", pa.string())]))
GCP_PROJECT = pa.struct([("Id", pa.string()), ("Number", pa.string()), ("Name", pa.string())])

EXTENSIONS: dict[str, tuple[Extension, ...]] = {
    "aws": (
        _ext("x_CostCategories"),
        _ext("x_Discounts", "p"),
        _ext("x_Operation"),
        _ext("x_ServiceCode"),
        _ext("x_UsageType"),
    ),
    "azure": (
        _ext("x_BilledCostInUsd", "d"),
        _ext("x_BillingExchangeRate", "d"),
        _ext("x_ContractedCostInUsd", "d"),
        _ext("x_EffectiveCostInUsd", "d"),
        _ext("x_ListCostInUsd", "d"),
        _ext("x_PricingBlockSize", "d"),
        _ext("x_PricingUnitDescription"),
        _ext("x_PublisherCategory"),
        _ext("x_ResourceGroupName"),
        _ext("x_ResourceType"),
        _ext("x_SkuMeterCategory"),
        _ext("x_SkuMeterName"),
        _ext("x_SkuMeterSubcategory"),
        _ext("x_SkuRegion"),
    ),
    # The BigQuery table holds credits, labels and the project as nested records; FOCUS
    # layout writes them as JSON text, the native layout as Arrow lists and structs.
    "gcp": (
        _ext("x_CostType"),
        Extension("x_Credits", STRING, native_type=GCP_CREDITS),
        _ext("x_ExportTime", "t"),
        Extension("x_Labels", STRING, native_type=GCP_LABELS),
        _ext("x_Location"),
        Extension("x_Project", STRING, native_type=GCP_PROJECT),
        _ext("x_ServiceId"),
    ),
    # OCI prefixes its extensions with oci_, which FOCUS's x_ rule forbids: FOCUS layout
    # writes them x_-prefixed, the native layout as OCI names them.
    "oci": (
        _ext("x_CompartmentId", "s", "oci_CompartmentId"),
        _ext("x_CompartmentName", "s", "oci_CompartmentName"),
        _ext("x_OverageFlag", "s", "oci_OverageFlag"),
    ),
}

JSON_EXTENSIONS = frozenset(
    {"x_CostCategories", "x_Discounts", "x_Credits", "x_Labels", "x_Project"}
)


def extensions_of(provider: str) -> tuple[Extension, ...]:
    """The extension columns a provider's exports carry (none for unknown publishers)."""
    return EXTENSIONS.get(provider, ())


def extension_fields(provider: str, native: bool = False) -> list[pa.Field]:
    """Output fields of a provider's extension columns, in output (alphabetical) order."""
    fields = [
        pa.field(e.column_name(native), e.column_type(native)) for e in extensions_of(provider)
    ]
    return sorted(fields, key=lambda f: f.name)


@dataclass
class Coded:
    """A string lookup as a duplicate-free dictionary plus each entry's index into it.

    Dictionaries must not repeat values: Parquet writes a repeated-value dictionary
    differently depending on whether batches share it, which would make bytes depend on the
    worker count.
    """

    dictionary: pa.Array
    remap: np.ndarray  # lookup index -> dictionary index, -1 where the value is null

    @classmethod
    def of(cls, values: pa.Array) -> Coded:
        """Deduplicate a string array, keeping first-appearance order."""
        dictionary = pc.unique(pc.drop_null(values))
        remap = pc.fill_null(pc.index_in(values, dictionary), -1)
        return cls(dictionary, remap.to_numpy(zero_copy_only=False).astype(np.int32))

    @classmethod
    def of_keys(cls, keys: np.ndarray, texts: Callable[[np.ndarray], list[str]]) -> Coded:
        """What ``of`` gives for entries whose text is a function of an integer key.

        ``texts`` formats the distinct keys only; it must give distinct keys distinct texts.
        """
        distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        return cls(strings(texts(distinct[order])), rank[inverse.ravel()])

    def rows(self, idx: pa.Array) -> pa.DictionaryArray:
        """Dictionary-encoded values of lookup indices (null index or value gives null)."""
        raw = pc.fill_null(pc.cast(idx, pa.int32()), -1).to_numpy(zero_copy_only=False)
        code = np.where(raw >= 0, self.remap[np.maximum(raw, 0)], -1)
        valid = code >= 0
        indices = from_numpy(np.maximum(code, 0), pa.int32(), mask=None if valid.all() else ~valid)
        # remap holds positions in the dictionary (index_in of its own values): no check.
        return pa.DictionaryArray.from_arrays(indices, self.dictionary, safe=False)


@dataclass
class Lookups:
    """Per-world value tables the extension columns index into (built once per world)."""

    values: dict[str, pa.Array | Coded]


def extension_lookups(pw: ProviderWorld) -> Lookups:
    """The provider world's extension value tables (built on first use, kept on the world)."""
    cached = pw.__dict__.get("_extension_lookups")
    if cached is None:
        raw = _BUILDERS.get(pw.provider, lambda pw: {})(pw)
        cached = Lookups(
            {
                k: Coded.of(v) if not isinstance(v, Coded) and pa.types.is_string(v.type) else v
                for k, v in raw.items()
            }
        )
        pw.__dict__["_extension_lookups"] = cached
    return cached


# AWS usage-type region prefixes (us-east-1 has none).
_AWS_PREFIXES = {
    "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "ca-central-1": "CAN1",
    "eu-west-1": "EU", "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1",
    "eu-central-2": "EUC2", "eu-north-1": "EUN1", "eu-south-1": "EUS1", "ap-south-1": "APS3",
    "ap-northeast-1": "APN1", "ap-northeast-2": "APN2", "ap-northeast-3": "APN3",
    "ap-southeast-1": "APS1", "ap-southeast-2": "APS2", "ap-east-1": "APE1", "sa-east-1": "SAE1",
    "me-south-1": "MES1", "me-central-1": "MEC1", "af-south-1": "AFS1", "il-central-1": "ILC1",
}  # fmt: skip


def usage_prefix(region_id: str) -> str:
    """The x_UsageType prefix of an AWS region ('' in us-east-1 and global)."""
    if region_id in ("us-east-1", "global", ""):
        return ""
    code = _AWS_PREFIXES.get(region_id)
    if code is None:
        parts = region_id.split("-")
        code = parts[0].upper() + "".join(p[0].upper() for p in parts[1:-1]) + parts[-1]
    return code + "-"


def _catalog_skus(pw: ProviderWorld) -> list:
    return [
        sku
        for service in pw.tables.catalog.services
        for kind in service.resources
        for sku in (*kind.variants, *kind.meters)
    ]


def _aws(pw: ProviderWorld) -> dict[str, pa.Array | Coded]:
    t = pw.tables
    prefixes = [usage_prefix(r) for r in t.region_id]
    catalog_skus = _catalog_skus(pw)
    # Per (SKU, region) pair, made for the pairs rows can bill only (null elsewhere).
    n_regions = len(prefixes)
    usage_types: list[str | None] = [None] * (len(catalog_skus) * n_regions)
    for key in used_sku_regions(pw).tolist():
        sku, region = divmod(key, n_regions)
        text = (catalog_skus[sku].usage_type or "").replace("{usage_prefix}", prefixes[region])
        usage_types[key] = text or None
    from focusgen.providers.conventions import ENVIRONMENTS

    # One text per (team, environment) pair in use, not per resource.
    teams, team_of_app = np.unique(np.asarray(pw.org.app_team, dtype=str), return_inverse=True)
    envs = len(ENVIRONMENTS)
    categories = Coded.of_keys(
        team_of_app.ravel()[pw.resources.app].astype(np.int64) * envs + pw.resources.env,
        lambda keys: [
            json.dumps(
                {"Team": str(teams[k // envs]), "Environment": ENVIRONMENTS[k % envs]},
                separators=(",", ":"),
            )
            for k in keys.tolist()
        ],
    )
    return {
        "x_ServiceCode": strings([c or None for c in pw.services.code]),
        "x_Operation": pa.array([sku.operation for sku in catalog_skus], type=pa.string()),
        "x_UsageType": pa.array(usage_types, type=pa.string()),
        "x_CostCategories": categories,
    }


def _env_names(pw: ProviderWorld) -> np.ndarray:
    from focusgen.providers.conventions import ENVIRONMENTS

    return np.array(ENVIRONMENTS)[pw.resources.env]


# Microsoft's distinct PricingUnit (PricingUnits.csv DistinctUnits) -> its raw UnitOfMeasure for
# a block of 1; the FOCUS spellings of the same units are kept for custom catalogs.
_AZURE_UNITS = {
    "Hours": "1 Hour",
    "GB/Month": "1 GB/Month",
    "GiB/Month": "1 GiB/Month",
    "GB/Hour": "1 GB/Hour",
    "Units/Month": "1/Month",
    "Units/Hour": "1/Hour",
    "Units/Day": "1/Day",
    "Units": "1",
    "Minutes": "1 Minute",
    "Users": "1 User",
    "Seconds": "1 Second",
    "GB Seconds": "1 GB Second",
    "GiB Seconds": "1 GiB Second",
    "GB-Months": "1 GB/Month",
    "GiB-Months": "1 GiB/Month",
    "GB-Hours": "1 GB/Hour",
    "Unit-Months": "1/Month",
    "Unit-Hours": "1/Hour",
    "Count": "1 Count",
}


def azure_unit_of_measure(pricing_unit: str, block_size: float) -> str:
    """Azure's raw UnitOfMeasure text for a pricing unit and block.

    ('Hours', 1) -> '1 Hour', ('Units', 10000) -> '10K', ('Units/Month', 10000) -> '10K/Month',
    ('Units', 100) -> '100', ('Hours', 100) -> '100 Hours'; a FOCUS '10000 Requests' -> '10K'.
    """
    head, _, rest = pricing_unit.partition(" ")
    size = float(head) if head.isdigit() and rest else block_size
    per = pricing_unit[len("Units") :] if pricing_unit.startswith("Units/") else ""
    for factor, suffix in ((1_000_000, "M"), (1_000, "K")):
        if size >= factor and size % factor == 0:
            return f"{int(size // factor)}{suffix}{per}"
    if size != 1:
        if pricing_unit == "Units" or per:
            return f"{size:g}{per}"
        return f"{size:g} {rest or pricing_unit}"
    return _AZURE_UNITS.get(pricing_unit, f"1 {pricing_unit}")


def _meter_subcategory(sku) -> str | None:
    """The catalog's meter subcategory, else Azure's '<series> Series' for VM sizes."""
    if sku.meter_subcategory:
        return sku.meter_subcategory
    series = sku.details.get("InstanceSeries")
    return f"{series} Series" if series else None


def _azure(pw: ProviderWorld) -> dict[str, pa.Array]:
    t = pw.tables
    catalog_skus = _catalog_skus(pw)
    rid = strings(pw.resources.id)
    group = pc.extract_regex(rid, r"/resourcegroups/(?P<g>[^/]+)/").field("g")
    arm_type = pc.extract_regex(rid, r"/providers/(?P<t>[^/]+/[^/]+)/").field("t")
    return {
        "x_SkuMeterCategory": strings([c or None for c in pw.services.code]),
        "x_SkuMeterSubcategory": pa.array(
            [_meter_subcategory(sku) for sku in catalog_skus], type=pa.string()
        ),
        "x_SkuMeterName": strings(t.sku_meter),
        "x_PricingBlockSize": from_numpy(t.sku_block_size, DECIMAL),
        "x_PricingUnitDescription": strings(
            [
                azure_unit_of_measure(unit, size)
                for size, unit in zip(t.sku_block_size, t.sku_pricing_unit, strict=True)
            ]
        ),
        "x_ResourceGroupName": group,
        "x_ResourceType": arm_type,
        "x_SkuRegion": strings(t.region_name),
        "x_PublisherCategory": strings(
            [
                "Vendor"
                if i < len(t.service_publisher) and t.service_publisher[i]
                else "Cloud Provider"
                for i in range(len(pw.services.name))
            ]
        ),
    }


def _project_number(project_id: str) -> str:
    """A stable 12-digit project number for a project id."""
    digest = int(hashlib.sha256(project_id.encode()).hexdigest()[:15], 16)
    return str(10**11 + digest % (9 * 10**11))


def gcp_labels(tags: pa.Array | list[str]) -> pa.Array:
    """Flat JSON tag objects rewritten as GCP label arrays ``[{"Key":…,"Value":…}]``."""
    out = pc.replace_substring(strings(tags), '","', "\x01")
    out = pc.replace_substring(out, '":"', "\x02")
    out = pc.replace_substring(pc.replace_substring(out, '{"', ""), '"}', "")
    out = pc.replace_substring(out, "\x02", '","Value":"')
    out = pc.replace_substring(out, "\x01", '"},{"Key":"')
    return pc.binary_join_element_wise('[{"Key":"', out, '"}]', "")


def _gcp(pw: ProviderWorld) -> dict[str, pa.Array | Coded]:
    org = pw.org
    projects = [
        json.dumps(
            {"Id": str(i), "Number": _project_number(str(i)), "Name": str(name)},
            separators=(",", ":"),
        )
        for i, name in zip(org.sub_id, org.sub_name, strict=True)
    ]
    r = pw.resources
    return {
        "x_ServiceId": strings([c or None for c in pw.services.code]),
        "x_Project": strings(projects),
        # Labels rewrite the distinct tag texts (distinct in, distinct out); resources keep
        # their tag codes, null where untagged.
        "x_Labels": Coded(gcp_labels(r.tag_texts), np.where(r.tags_valid, r.tag_code, -1)),
    }


def _oci(pw: ProviderWorld) -> dict[str, pa.Array]:
    app = np.array(pw.org.app_name)[pw.resources.app]
    names = np.strings.add(np.strings.add(app.astype(str), "-"), _env_names(pw).astype(str))
    unique, inverse = np.unique(names, return_inverse=True)
    ids = [
        "ocid1.compartment.oc1..aaaaaaaa" + hashlib.sha256(n.encode()).hexdigest()[:52]
        for n in unique
    ]
    return {
        "x_CompartmentName": strings(names),
        "x_CompartmentId": strings(np.array(ids, dtype=object)[inverse.ravel()]),
    }


_BUILDERS: dict[str, Callable[[ProviderWorld], dict[str, pa.Array]]] = {
    "aws": _aws,
    "azure": _azure,
    "gcp": _gcp,
    "oci": _oci,
}


def _take(table: pa.Table, key: str, values: pa.Array | Coded) -> pa.ChunkedArray:
    """``values[key]`` per row, null where the row has no such key."""
    if isinstance(values, Coded):
        return pa.chunked_array([values.rows(i) for i in table.column(key).chunks], type=STRING)
    return pa.chunked_array(
        [pc.take(values, pc.cast(idx, pa.int32())) for idx in table.column(key).chunks],
        type=values.type,
    )


def _constant(table: pa.Table, value: str) -> pa.ChunkedArray:
    return pa.chunked_array(
        [constant(value, len(c)) for c in table.column("_sub").chunks], type=STRING
    )


def _map_dictionary(column: pa.ChunkedArray, mapping: dict[str, str]) -> pa.ChunkedArray:
    """A dictionary column with its dictionary values renamed (rows keep their indices)."""
    chunks = []
    for chunk in column.chunks:
        values = pa.array([mapping.get(v) for v in chunk.dictionary.to_pylist()], pa.string())
        chunks.append(Coded.of(values).rows(chunk.indices))
    return pa.chunked_array(chunks, type=STRING)


def _json_amounts(key: str, amount: pa.ChunkedArray, below: float) -> pa.ChunkedArray:
    """``{"key":amount}`` text where ``amount < below``, else null.

    The text takes the comparison as its validity bitmap instead of going through
    ``if_else``, which would copy every string once more. Prefix and suffix go in as two
    slice replacements: 1.8 ms for 125K amounts, against 4.0 ms for an element-wise join.
    """
    out = []
    for value in amount.chunks:
        text = pc.cast(pc.round(value, 10), pa.string())
        prefixed = pc.binary_replace_slice(text, start=0, stop=0, replacement=f'{{"{key}":')
        # A start past every string's end appends.
        joined = pc.binary_replace_slice(prefixed, start=1 << 30, stop=1 << 30, replacement="}")
        # Null amounts compare as null, filled to False: the bitmap covers joined's nulls.
        keep = pc.fill_null(pc.less(value, below), False)
        if keep.offset or joined.offset:
            out.append(pc.if_else(keep, joined, pa.scalar(None, pa.string())))
            continue
        buffers = [keep.buffers()[1], *joined.buffers()[1:]]
        out.append(pa.Array.from_buffers(pa.string(), len(joined), buffers))
    return pa.chunked_array(out, type=pa.string())


def _credits(table: pa.Table, promotion: str) -> pa.ChunkedArray:
    """GCP x_Credits: the credits a row carries as an array, ``[]`` on rows without one.

    A usage row lists the promotional credit folded into it (its BilledCost is net of it);
    a Credit row (SLA credit, a reversal) lists itself.
    """
    folded = pc.is_valid(table.column("_credit"))
    is_credit = pc.equal(pc.cast(table.column("ChargeCategory"), pa.string()), "Credit")
    amount = pc.if_else(folded, table.column("_credit"), table.column("BilledCost"))
    text = pc.cast(pc.round(amount, 10), pa.string())
    name = pc.if_else(
        folded,
        pa.scalar(promotion, pa.string()),
        pc.fill_null(pc.cast(table.column("ChargeDescription"), pa.string()), "Credit"),
    )
    one = pc.binary_join_element_wise(
        '[{"Name":"', name, '","Amount":', text, ',"Type":"PROMOTION"}]', ""
    )
    has = pc.or_(folded, is_credit)
    return pc.dictionary_encode(pc.if_else(has, one, pa.scalar("[]", pa.string())))


def _in_usd(table: pa.Table, cost: str) -> pa.ChunkedArray:
    return pc.divide(table.column(cost), table.column("_fx"))


def _usage_type(table: pa.Table, values: pa.Array, n_regions: int) -> pa.ChunkedArray:
    index = pc.add(pc.multiply(table.column("_sku"), n_regions), table.column("_region"))
    return _take(table.append_column("_usage_type", index), "_usage_type", values)


def extension_columns(pw: ProviderWorld, table: pa.Table, native: bool) -> dict[str, pa.Array]:
    """The provider's extension columns for a canonical table, by output name."""
    exts = extensions_of(pw.provider)
    if not exts:
        return {}
    lk = extension_lookups(pw).values
    n_regions = len(pw.tables.region_id)
    make: dict[str, Callable[[], pa.ChunkedArray]] = {
        "x_ServiceCode": lambda: _take(table, "_service", lk["x_ServiceCode"]),
        "x_Operation": lambda: _take(table, "_sku", lk["x_Operation"]),
        "x_UsageType": lambda: _usage_type(table, lk["x_UsageType"], n_regions),
        "x_CostCategories": lambda: _take(table, "_resource", lk["x_CostCategories"]),
        "x_Discounts": lambda: _json_amounts(
            "total_discount",
            pc.subtract(table.column("ContractedCost"), table.column("ListCost")),
            -1e-12,
        ),
        "x_BilledCostInUsd": lambda: _in_usd(table, "BilledCost"),
        "x_ContractedCostInUsd": lambda: _in_usd(table, "ContractedCost"),
        "x_EffectiveCostInUsd": lambda: _in_usd(table, "EffectiveCost"),
        "x_ListCostInUsd": lambda: _in_usd(table, "ListCost"),
        "x_BillingExchangeRate": lambda: table.column("_fx"),
        "x_PricingBlockSize": lambda: _take(table, "_sku", lk["x_PricingBlockSize"]),
        "x_PricingUnitDescription": lambda: _take(table, "_sku", lk["x_PricingUnitDescription"]),
        "x_PublisherCategory": lambda: _take(table, "_service", lk["x_PublisherCategory"]),
        "x_ResourceGroupName": lambda: _take(table, "_resource", lk["x_ResourceGroupName"]),
        "x_ResourceType": lambda: _take(table, "_resource", lk["x_ResourceType"]),
        "x_SkuMeterCategory": lambda: _take(table, "_service", lk["x_SkuMeterCategory"]),
        "x_SkuMeterName": lambda: _take(table, "_sku", lk["x_SkuMeterName"]),
        "x_SkuMeterSubcategory": lambda: _take(table, "_sku", lk["x_SkuMeterSubcategory"]),
        "x_SkuRegion": lambda: _take(table, "_region", lk["x_SkuRegion"]),
        "x_CostType": lambda: _map_dictionary(table.column("ChargeCategory"), _COST_TYPES),
        "x_Credits": lambda: _credits(table, pw.tables.catalog.credit_description),
        "x_ExportTime": lambda: pc.add(
            table.column("ChargePeriodEnd"), pa.scalar(EXPORT_LAG_US, pa.duration("us"))
        ),
        "x_Labels": lambda: _take(table, "_resource", lk["x_Labels"]),
        "x_Location": lambda: table.column("RegionId"),
        "x_Project": lambda: _take(table, "_sub", lk["x_Project"]),
        "x_ServiceId": lambda: _take(table, "_service", lk["x_ServiceId"]),
        "x_CompartmentId": lambda: _take(table, "_resource", lk["x_CompartmentId"]),
        "x_CompartmentName": lambda: _take(table, "_resource", lk["x_CompartmentName"]),
        "x_OverageFlag": lambda: _constant(table, "N"),
    }
    out = {}
    for e in exts:
        column = make[e.name]()
        if native and e.native_type is not None:
            column = _nested(column, e.native_type)
        out[e.column_name(native)] = column
    return out


def _nested(column: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    """JSON text as the nested type a native table holds (parsed per dictionary value)."""
    chunks = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        parsed = [None if v is None else json.loads(v) for v in chunk.dictionary.to_pylist()]
        chunks.append(pc.take(pa.array(parsed, type=kind), chunk.indices))
    return pa.chunked_array(chunks, type=kind)


_COST_TYPES = {
    "Usage": "regular",
    "Purchase": "regular",
    "Credit": "regular",
    "Tax": "tax",
    "Adjustment": "adjustment",
}
