"""File formats, layouts, atomic writes and the run summary."""

from __future__ import annotations

import csv
import gzip
import json
import re

import pyarrow.parquet as pq
import pytest

from focusgen import generate, load_scenario
from focusgen.engine import chunk as chunk_module
from support.data import make_dataset, read

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DECIMAL_COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "PricingQuantity",
    "ConsumedQuantity",
    "ListUnitPrice",
    "ContractedUnitPrice",
)


def _csv_rows(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("fmt", ["csv", "csv.gz"])
def test_csv_text_formats(tmp_path, fmt):
    out = make_dataset(tmp_path, providers="aws,azure", rows=3000, format=fmt, months=1)
    files = sorted(p for p in out.rglob(f"*.{fmt}") if "ground_truth" not in p.parts)
    assert files
    rows = [r for f in files for r in _csv_rows(f)]
    assert len(rows) == read(out, fmt).count()
    for row in rows:
        for col in (
            "ChargePeriodStart",
            "ChargePeriodEnd",
            "BillingPeriodStart",
            "BillingPeriodEnd",
        ):
            assert DATETIME.match(row[col]), row[col]
        for col in DECIMAL_COLUMNS:
            value = row[col]
            # Decimals always carry a point or exponent so typed readers see decimals.
            assert value == "" or "." in value or "e" in value, (col, value)
        if row["Tags"]:
            assert isinstance(json.loads(row["Tags"]), dict)
        assert row["BillingAccountId"] and row["ChargeCategory"]


def test_jsonl_lines_are_json_objects(tmp_path):
    out = make_dataset(tmp_path, providers="gcp", rows=2000, format="jsonl", months=1)
    lines = [json.loads(line) for f in out.rglob("*.jsonl") for line in f.read_text().splitlines()]
    assert len(lines) == json.loads((out / "summary.json").read_text())["totals"]["rows"]
    tagged = [line for line in lines if line["Tags"] is not None]
    assert tagged and all(isinstance(line["Tags"], dict) for line in tagged)
    assert all(DATETIME.match(line["ChargePeriodStart"]) for line in lines)


def test_provider_layout_writes_one_file_per_provider(tmp_path):
    out = make_dataset(tmp_path, providers="aws,oci", rows=4000, layout="provider", months=2)
    assert sorted(p.name for p in out.glob("*.parquet")) == ["aws.parquet", "oci.parquet"]
    months = pq.read_table(out / "aws.parquet", columns=["BillingPeriodStart"])
    assert len(set(months.column(0).to_pylist())) == 2


def test_hive_layout_partitions_by_billing_period(tmp_path):
    out = make_dataset(tmp_path, providers="azure", rows=4000, months=2)
    folders = sorted(p.name for p in (out / "azure").iterdir())
    assert folders == ["billing_period=2026-01", "billing_period=2026-02"]
    for folder in folders:
        month = folder.split("=")[1]
        data = read(out / "azure" / folder)
        assert data.rows("SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m') FROM t") == [
            (month,)
        ]


def test_summary_reports_totals_scenario_and_seed(tmp_path):
    out = make_dataset(tmp_path, providers="aws,gcp", rows=5000, months=2, seed=11)
    summary = json.loads((out / "summary.json").read_text())
    data = read(out)
    assert summary["seed"] == 11 and summary["scenario"]["seed"] == 11
    assert summary["totals"]["rows"] == data.count()
    billed = data.rows("SELECT ChargeCategory, sum(BilledCost) FROM t GROUP BY 1")
    for category, total in billed:
        assert summary["totals"]["by_charge_category"][category]["BilledCost"] == pytest.approx(
            total, abs=0.01
        )
    assert set(summary["totals"]["by_provider"]) == {"aws", "gcp"}
    assert set(summary["totals"]["by_month"]) == {"2026-01", "2026-02"}
    assert sorted(summary["files"]) == sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and p.name not in ("summary.json", "_SUCCESS")
    )


def test_failed_run_leaves_no_partial_files(tmp_path, monkeypatch):
    calls = {"n": 0}
    real = chunk_module.build_chunk

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr("focusgen.executors.tasks.build_chunk", failing)
    scenario = load_scenario(
        None, providers="aws", rows=3000, months=3, output_path=str(tmp_path / "out")
    )
    with pytest.raises(RuntimeError):
        generate(scenario, workers=1)
    leftovers = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert leftovers == []


def test_rerun_replaces_the_previous_run(tmp_path):
    first = make_dataset(tmp_path, providers="aws", rows=3000, months=3)
    scenario = load_scenario(None, providers="aws", rows=2000, months=1, output_path=str(first))
    generate(scenario)
    summary = json.loads((first / "summary.json").read_text())
    files = sorted(
        str(p.relative_to(first))
        for p in first.rglob("*")
        if p.is_file() and p.name not in ("summary.json", "_SUCCESS")
    )
    assert files == sorted(summary["files"])


@pytest.mark.parametrize("codec", [None, "zstd", "gzip", "lz4", "none"])
def test_parquet_codec_changes_the_bytes_not_the_values(tmp_path, codec):
    options = dict(providers="aws,gcp", rows=3000, months=1, seed=5)
    plain = make_dataset(tmp_path, **options)
    out = tmp_path / "coded"
    generate(load_scenario(None, output_path=str(out), output_compression=codec, **options))
    expected = {None: "SNAPPY", "zstd": "ZSTD", "gzip": "GZIP", "lz4": "LZ4"}
    files = sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    assert files and files == sorted(p.relative_to(plain) for p in plain.rglob("*.parquet"))
    for rel in files:
        meta = pq.ParquetFile(out / rel).metadata
        codecs = {
            meta.row_group(g).column(c).compression
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
        }
        assert codecs == {expected.get(codec, "UNCOMPRESSED")}
        assert pq.read_table(out / rel).equals(pq.read_table(plain / rel))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"format": "csv", "compression": "zstd"}, "applies to Parquet files"),
        ({"layout": "native", "compression": "zstd"}, "layout 'native' writes Snappy"),
        ({"compression": "brotli"}, "'snappy', 'zstd', 'gzip', 'lz4' or 'none'"),
    ],
)
def test_bad_compression_is_refused_naming_the_value(options, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        load_scenario({"output": options}, providers="aws")
    value = options["compression"]
    assert f"'{value}'" in str(error.value) and "compression" in str(error.value)
