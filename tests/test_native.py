"""Native export layouts: provider folder and file names, manifests, formats, conformance."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from focusgen import generate, load_scenario
from focusgen.scenario import ScenarioError
from focusgen.validate import validate


def _run(folder: Path, fmt: str = "parquet", workers: int = 1, **options) -> Path:
    scenario = load_scenario(
        None,
        providers="aws,azure,gcp,oci",
        rows=30_000,
        months=2,
        seed=4,
        output_path=str(folder),
        output_format=fmt,
        output_layout="native",
        **options,
    )
    generate(scenario, chunk_rows=6_000, workers=workers)
    return folder


@pytest.fixture(scope="module")
def native(tmp_path_factory) -> Path:
    return _run(tmp_path_factory.mktemp("native") / "out")


def _files(root: Path, provider: str) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / provider).rglob("*") if p.is_file())


def _rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def test_aws_data_exports_layout_and_manifests(native):
    files = _files(native, "aws")
    data = [f for f in files if "/data/" in f]
    pattern = re.compile(
        r"^aws/focus-export/data/BILLING_PERIOD=(\d{4}-\d{2})/focus-export-\d{5}\.snappy\.parquet$"
    )
    assert data and all(pattern.match(f) for f in data)
    periods = {pattern.match(f).group(1) for f in data}
    assert periods == {"2026-01", "2026-02"}
    for period in periods:
        rel = f"aws/focus-export/metadata/BILLING_PERIOD={period}/focus-export-Manifest.json"
        manifest = json.loads((native / rel).read_text())
        mine = [f for f in data if f"BILLING_PERIOD={period}/" in f]
        assert sorted("aws/" + f for f in manifest["dataFiles"]) == mine
        assert manifest["rowCount"] == sum(_rows(native / f) for f in mine)
        assert manifest["billingPeriod"]["start"] == f"{period}-01T00:00:00Z"
        schema = pq.read_schema(native / mine[0])
        assert [c["name"] for c in manifest["columns"]] == schema.names
        assert re.match(
            r"^arn:aws:bcm-data-exports:us-east-1:\d{12}:export/", manifest["exportArn"]
        )
    meta = pq.ParquetFile(native / data[0]).metadata
    assert meta.row_group(0).column(0).compression == "SNAPPY"


def test_azure_cost_management_layout_and_manifest(native):
    files = _files(native, "azure")
    pattern = re.compile(
        r"^azure/focus-cost-export/(\d{8})-(\d{8})/(\d{12})/([0-9a-f-]{36})/"
        r"(part_0_\d{4}\.snappy\.parquet|manifest\.json)$"
    )
    assert files and all(pattern.match(f) for f in files), files
    runs = {f.rsplit("/", 1)[0] for f in files}
    assert len(runs) == 2
    for run in runs:
        manifest = json.loads((native / run / "manifest.json").read_text())
        parts = sorted(f for f in files if f.startswith(run + "/part_"))
        assert manifest["blobCount"] == len(parts)
        assert sorted("azure/" + b["blobName"] for b in manifest["blobs"]) == parts
        assert manifest["dataRowCount"] == sum(_rows(native / p) for p in parts)
        assert manifest["exportConfig"]["type"] == "FocusCost"
        first, last = pattern.match(parts[0]).group(1, 2)
        assert manifest["runInfo"]["startDate"].startswith(f"{first[:4]}-{first[4:6]}-{first[6:]}")
        assert manifest["runInfo"]["runId"] == run.rsplit("/", 1)[1]
        assert last[6:] in ("28", "29", "30", "31")


def test_oci_daily_report_folders_hold_that_days_rows(native):
    files = _files(native, "oci")
    pattern = re.compile(r"^oci/FOCUS Reports/(\d{4})/(\d{2})/(\d{2})/\d{16}\.csv\.gz$")
    assert len(files) >= 50 and all(pattern.match(f) for f in files)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    checked = 0
    for rel in files[:40:7]:
        y, m, d = pattern.match(rel).group(1, 2, 3)
        days = con.execute(
            f"SELECT DISTINCT strftime(ChargePeriodStart::TIMESTAMP, '%Y-%m-%d') "
            f"FROM read_csv('{native / rel}') WHERE ChargeCategory = 'Usage'"
        ).fetchall()
        assert days in ([(f"{y}-{m}-{d}",)], []), rel
        checked += bool(days)
    assert checked >= 3, "the sampled daily files hold usage rows"
    header = con.execute(f"DESCRIBE SELECT * FROM read_csv('{native / files[0]}')").fetchall()
    names = [r[0] for r in header]
    assert "oci_CompartmentId" in names and not [n for n in names if n.startswith("x_")]


def test_native_folders_validate_and_oci_keeps_its_own_prefix(native):
    for provider in ("aws", "azure", "gcp"):
        assert validate(native / provider, version="1.2").rule_ids == set(), provider
    # OCI's oci_ columns break FOCUS's x_ rule in OCI's own files too; nothing else does.
    assert validate(native / "oci", version="1.2").rule_ids == {"ColumnHandling-A-010-M"}


def test_gcp_export_shards_hold_bigquery_nested_records(native):
    files = _files(native, "gcp")
    pattern = re.compile(r"^gcp/gcp_billing_export_focus/\d{4}-\d{2}/shard-\d{12}\.parquet$")
    assert files and all(pattern.match(f) for f in files)
    con = duckdb.connect()
    scan = f"read_parquet('{native}/gcp/*/*/*.parquet')"
    kinds = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    assert kinds["x_Project"].startswith("STRUCT(") and kinds["x_Labels"].endswith("[]")
    assert kinds["x_Credits"].endswith("[]")
    mismatched = con.execute(
        f"SELECT count(*) FROM {scan} WHERE x_Project.Id <> SubAccountId "
        "OR (Tags IS NOT NULL AND len(x_Labels) <> len(json_keys(Tags)))"
    ).fetchone()[0]
    assert mismatched == 0
    credits = con.execute(
        f"SELECT x_Credits[1].Amount, BilledCost FROM {scan} WHERE ChargeCategory = 'Credit'"
    ).fetchall()
    assert all(abs(a - b) < 1e-9 for a, b in credits)


def test_native_csv_is_gzip_and_the_same_bytes_with_two_workers(tmp_path, monkeypatch):
    monkeypatch.setattr("focusgen.run.PARALLEL_MIN_ROWS", 0)  # worker processes, though small
    one = _run(tmp_path / "one", fmt="csv")
    two = _run(tmp_path / "two", fmt="csv", workers=2)
    digests = [
        {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*")
            if p.is_file() and p.name != "summary.json"
        }
        for root in (one, two)
    ]
    assert digests[0] == digests[1]
    clouds = [f for f in digests[0] if f.startswith(("aws/", "azure/")) and not f.endswith(".json")]
    assert clouds and all(f.endswith(".csv.gz") for f in clouds)
    assert all(f.endswith(".parquet") for f in digests[0] if f.startswith("gcp/"))


def test_native_layout_rejects_json_lines():
    with pytest.raises(ScenarioError, match="native"):
        load_scenario(None, output_layout="native", output_format="jsonl")


def test_native_granularity_gives_each_provider_its_own_grain(tmp_path):
    out = tmp_path / "grain"
    scenario = load_scenario(
        None,
        providers="aws,azure,snowflake",
        rows=20_000,
        months=1,
        seed=2,
        granularity="native",
        anomalies={"rate": 2.0},
        output_path=str(out),
    )
    generate(scenario)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    grains = dict(
        con.execute(
            "SELECT ProviderName, max(date_diff('hour', ChargePeriodStart, ChargePeriodEnd)) "
            f"FROM read_parquet('{out}/*/*/*.parquet', union_by_name=true) "
            "WHERE ChargeCategory = 'Usage' AND ChargeClass IS NULL "
            "AND CapacityReservationStatus IS DISTINCT FROM 'Unused' GROUP BY 1"
        ).fetchall()
    )
    assert grains == {"AWS": 1, "Microsoft": 24, "Snowflake": 24}
    records = json.loads((out / "ground_truth" / "anomalies.json").read_text())
    for record in records:
        start = record["start"]
        if record["provider"] != "aws":
            assert start.endswith("T00:00:00Z"), record
    assert validate(out, version="1.2").rule_ids == set()
