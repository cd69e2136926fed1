"""Type-aware loading of FOCUS files (CSV, CSV.gz, Parquet, JSON Lines, folders) into DuckDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

FORMATS = {".parquet": "parquet", ".csv": "csv", ".csv.gz": "csv", ".jsonl": "jsonl",
           ".jsonl.gz": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}  # fmt: skip

# Marker columns that identify a dataset by its columns (Cost and Usage is the default).
DATASET_MARKERS = {
    "ContractCommitment": {"ContractCommitmentId", "ContractCommitmentCategory"},
    "InvoiceDetail": {"InvoiceIssueStatus"},
    "BillingPeriod": {"BillingPeriodStatus"},
}

# Text that stands for "no value" but is not a NULL (NullHandling forbids them).
NULL_PLACEHOLDERS = ("", "NULL", "null", "Null", "None", "none", "NaN", "nan", "N/A", "n/a")

FILE_COLUMN = "__file"


class InputError(ValueError):
    """The path cannot be read as FOCUS data (one line, for people)."""


@dataclass
class Source:
    """One dataset's files, exposed as DuckDB view ``raw_<dataset>``."""

    dataset: str
    files: list[Path]
    fmt: str
    types: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type of the source

    @property
    def view(self) -> str:
        return f"raw_{self.dataset}"


def file_format(path: Path) -> str | None:
    """The format of a data file from its name, or None for other files."""
    name = path.name.lower()
    for ext in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(ext):
            return FORMATS[ext]
    return None


def discover(path: Path) -> list[Path]:
    """Data files at a path: the file itself, or every data file below a folder."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_file():
        if file_format(path) is None:
            raise InputError(f"{path}: not a CSV, CSV.gz, Parquet or JSON Lines file")
        return [path]
    files = sorted(
        p for p in path.rglob("*") if p.is_file() and file_format(p) and not p.name.startswith(".")
    )
    # focusgen's own side files (run summary, ground truth) and export manifests (AWS
    # <export>-Manifest.json, Azure manifest.json) are not FOCUS data.
    files = [
        p
        for p in files
        if p.name not in ("summary.json", "ground_truth.json", "_SUCCESS", "manifest.json")
        and not p.name.endswith("-Manifest.json")
        and "ground_truth" not in p.relative_to(path).parts
    ]
    if not files:
        raise InputError(f"{path}: no CSV, CSV.gz, Parquet or JSON Lines files in this folder")
    return files


def _scan(files: list[Path], fmt: str, types: dict[str, str] | None = None) -> str:
    names = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
    if fmt == "parquet":
        return f"read_parquet({names}, union_by_name=true, hive_partitioning=false, filename=true)"
    if fmt == "csv":
        # Every CSV cell stays text: ids keep leading zeros, decimals keep their digits, and the
        # engine casts each column to its FOCUS type itself (no sniffed integers or dates).
        return (
            f"read_csv({names}, all_varchar=true, header=true, union_by_name=true, "
            "filename=true, hive_partitioning=false, nullstr='', allow_quoted_nulls=true, "
            # DuckDB holds a buffer per file when unioning by name; its 32 MiB default runs
            # out of memory on a month of daily export files.
            "buffer_size=4194304)"
        )
    opts = "format='newline_delimited', union_by_name=true, filename=true, hive_partitioning=false"
    if types:
        cols = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
        opts += f", columns={{{cols}}}"
    return f"read_json({names}, {opts})"


def _describe(con: duckdb.DuckDBPyConnection, scan: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    return {r[0]: r[1] for r in rows if r[0] != "filename"}


def detect_dataset(columns: set[str]) -> str:
    """Which FOCUS dataset a set of columns belongs to."""
    for dataset, markers in DATASET_MARKERS.items():
        if columns & markers:
            return dataset
    return "CostAndUsage"


def open_sources(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    dataset: str | None,
    text_columns: set[str],
) -> dict[str, Source]:
    """Group files by dataset and create one raw view per dataset."""
    groups: dict[tuple[str, str], list[Path]] = {}
    for f in files:
        fmt = file_format(f) or "csv"
        try:
            cols = _describe(con, _scan([f], fmt))
        except duckdb.Error as error:
            first = str(error).strip().splitlines()[0]
            raise InputError(f"{f}: cannot read as {fmt}: {first}") from None
        name = dataset or detect_dataset(set(cols))
        groups.setdefault((name, fmt), []).append(f)
    sources: dict[str, Source] = {}
    for (name, fmt), group in groups.items():
        if name in sources:
            raise InputError(
                f"{name}: files in more than one format ({sources[name].fmt}, {fmt}); "
                "validate them separately"
            )
        scan = _scan(group, fmt)
        try:
            types = _describe(con, scan)
            if fmt == "jsonl":
                # JSON Lines: FOCUS text columns stay text (no sniffed timestamps or objects).
                types = {k: ("VARCHAR" if k in text_columns else v) for k, v in types.items()}
                scan = _scan(group, fmt, types)
            source = Source(name, group, fmt, types)
            # Parquet is scanned where it lies (streaming); text is parsed once into a temporary
            # table (DuckDB spills it to disk past the memory limit) instead of once per pass.
            kind = "VIEW" if fmt == "parquet" else "TEMP TABLE"
            con.execute(f'CREATE OR REPLACE {kind} "{source.view}" AS SELECT * FROM {scan}')
        except duckdb.Error as error:
            first = str(error).strip().splitlines()[0]
            raise InputError(f"{group[0].parent}: cannot read {name} files: {first}") from None
        sources[name] = source
    return sources
