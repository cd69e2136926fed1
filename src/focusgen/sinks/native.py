"""Provider-native export layouts: each provider's folder and file names, and its manifests.

AWS Data Exports, Azure Cost Management exports, OCI FOCUS reports and a BigQuery
``EXPORT DATA`` of Google's FOCUS table each put files in their own shape; ``--layout native``
reproduces those shapes under one folder per provider. Ids in paths and manifests are
derived from the seed, so native runs stay byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from focusgen.sinks.layout import part_path

AWS_EXPORT = "focus-export"
AZURE_EXPORT = "focus-cost-export"
GCP_TABLE = "gcp_billing_export_focus"
DAILY_EXPORTS = frozenset({"oci"})
AZURE_DATA_VERSIONS = {"1.0": "1.0r2", "1.1": "1.0r2", "1.2": "1.2-preview"}


def native_format(provider: str, fmt: str) -> str:
    """The file format a provider's export delivers for the requested one."""
    if provider == "oci":
        return "csv.gz"  # OCI delivers gzip CSV only
    if provider == "gcp":
        return "parquet"  # the BigQuery table exported as Parquet shards
    return "parquet" if fmt == "parquet" else "csv.gz"


def stable_uuid(*parts: object) -> str:
    """A UUID derived from the parts (same run, same ids)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


@dataclass(frozen=True)
class FilePlace:
    """Where one chunk's rows go in a native layout."""

    provider: str
    fmt: str
    month: date
    part: int
    day: date
    seed: int


def native_path(place: FilePlace) -> str:
    """Relative path of a chunk's file in its provider's native layout."""
    p, month = place.provider, place.month
    period = f"{month:%Y-%m}"
    ext = ".snappy.parquet" if place.fmt == "parquet" else ".csv.gz"
    if p == "aws":
        name = f"{AWS_EXPORT}-{place.part + 1:05d}{ext}"
        return f"aws/{AWS_EXPORT}/data/BILLING_PERIOD={period}/{name}"
    if p == "azure":
        return f"azure/{azure_run_folder(month, place.seed)}/part_0_{place.part + 1:04d}{ext}"
    if p == "oci":
        number = (month.year * 100 + month.month) * 10**6 + place.part
        return f"oci/FOCUS Reports/{place.day:%Y/%m/%d}/{number:016d}.csv.gz"
    if p == "gcp":
        return f"gcp/{GCP_TABLE}/{period}/shard-{place.part:012d}.parquet"
    # Publishers without a native export of their own: the billing-period layout.
    return str(part_path("billing-period", place.fmt, p, period, place.part))


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def azure_run_folder(month: date, seed: int) -> str:
    """``<export>/<YYYYMMDD-YYYYMMDD>/<YYYYMMDDHHmm>/<run guid>`` of a month's export run."""
    last = _month_end(month) - timedelta(days=1)
    run_time = datetime.combine(_month_end(month), datetime.min.time(), UTC) + timedelta(
        hours=5, minutes=12
    )
    guid = stable_uuid("azure-run", seed, f"{month:%Y-%m}")
    return f"{AZURE_EXPORT}/{month:%Y%m%d}-{last:%Y%m%d}/{run_time:%Y%m%d%H%M}/{guid}"


def manifests(
    provider: str,
    files: list[str],
    file_rows: dict[str, int],
    columns: list[tuple[str, str]],
    *,
    seed: int,
    focus_version: str,
    billing_account: str,
) -> dict[str, str]:
    """Manifest files (relative path → JSON text) a provider's export writes beside its data."""
    mine = [f for f in files if f.startswith(f"{provider}/")]
    if provider == "aws":
        return _aws_manifests(mine, file_rows, columns, seed, focus_version, billing_account)
    if provider == "azure":
        return _azure_manifests(mine, file_rows, seed, focus_version, billing_account)
    return {}


def _by_folder(files: list[str], marker: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for f in files:
        if marker in f:
            groups.setdefault(f.rsplit("/", 1)[0], []).append(f)
    return groups


def _dump(content: dict) -> str:
    return json.dumps(content, indent=2) + "\n"


def _aws_manifests(files, file_rows, columns, seed, version, account) -> dict[str, str]:
    # AWS has not published the manifest schema; this one carries what readers use
    # (the export, the billing period, the data files and the columns).
    out = {}
    arn = f"arn:aws:bcm-data-exports:us-east-1:{account}:export/{AWS_EXPORT}-" + stable_uuid(
        "aws-export", seed
    )
    table = "FOCUS_1_2_AWS" if version >= "1.2" else "FOCUS_1_0_AWS"
    for folder, data in sorted(_by_folder(files, "/data/BILLING_PERIOD=").items()):
        period = folder.rsplit("=", 1)[1]
        start = date.fromisoformat(period + "-01")
        content = {
            "exportArn": arn,
            "exportName": AWS_EXPORT,
            "executionId": stable_uuid("aws-execution", seed, period),
            "billingPeriod": {
                "start": f"{start}T00:00:00Z",
                "end": f"{_month_end(start)}T00:00:00Z",
            },
            "table": table,
            "dataFiles": [f.split("/", 1)[1] for f in data],
            "rowCount": sum(file_rows.get(f, 0) for f in data),
            "columns": [{"name": n, "type": t} for n, t in columns],
        }
        rel = f"aws/{AWS_EXPORT}/metadata/BILLING_PERIOD={period}/{AWS_EXPORT}-Manifest.json"
        out[rel] = _dump(content)
    return out


def _azure_manifests(files, file_rows, seed, version, account) -> dict[str, str]:
    out = {}
    for folder, data in sorted(_by_folder(files, "/part_0_").items()):
        parts = folder.split("/")
        span, stamp, run_id = parts[-3], parts[-2], parts[-1]
        first, last = span.split("-")
        parquet = data[0].endswith(".parquet")
        content = {
            "manifestVersion": "2024-04-01",
            "blobCount": len(data),
            "dataRowCount": sum(file_rows.get(f, 0) for f in data),
            "exportConfig": {
                "exportName": AZURE_EXPORT,
                "resourceId": f"{account}/providers/Microsoft.CostManagement/exports/"
                + AZURE_EXPORT,
                "dataVersion": AZURE_DATA_VERSIONS.get(version, "1.2-preview"),
                "apiVersion": "2025-03-01",
                "type": "FocusCost",
                "timeFrame": "MonthToDate",
                "granularity": "Daily",
            },
            "deliveryConfig": {
                "partitionData": True,
                "dataOverwriteBehavior": "OverwritePreviousReport",
                "fileFormat": "Parquet" if parquet else "Csv",
                "compressionMode": "Snappy" if parquet else "Gzip",
                "rootFolderPath": AZURE_EXPORT,
            },
            "runInfo": {
                "executionType": "Scheduled",
                "submittedTime": datetime.strptime(stamp, "%Y%m%d%H%M")
                .replace(tzinfo=UTC)
                .strftime("%Y-%m-%dT%H:%M:%SZ"),
                "runId": run_id,
                "startDate": f"{first[:4]}-{first[4:6]}-{first[6:]}T00:00:00Z",
                "endDate": f"{last[:4]}-{last[4:6]}-{last[6:]}T23:59:59Z",
            },
            "blobs": [
                {"blobName": f.split("/", 1)[1], "dataRowCount": file_rows.get(f, 0)} for f in data
            ],
        }
        out[f"{folder}/manifest.json"] = _dump(content)
    return out
