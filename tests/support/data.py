"""Test helpers: generate small datasets and query them with DuckDB."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from focusgen import generate, load_scenario

SHARED = Path(__file__).resolve().parents[3] / "shared"


def make_dataset(root: Path, **options) -> Path:
    """Generate a dataset with the given scenario options into a fresh folder."""
    label = "-".join(f"{k}={v}" for k, v in sorted(options.items()))
    out = root / hashlib.sha1(label.encode()).hexdigest()[:16]
    options.setdefault("seed", 7)
    for key in ("format", "layout"):
        if key in options:
            options[f"output_{key}"] = options.pop(key)
    scenario = load_scenario(None, output_path=str(out), **options)
    generate(scenario)
    return out


class Data:
    """A generated folder opened in DuckDB as view ``t``."""

    def __init__(self, folder: Path, fmt: str = "parquet") -> None:
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone='UTC'")
        files = sorted(
            str(p)
            for p in Path(folder).rglob(f"*.{fmt}")
            if "ground_truth" not in p.parts
            and not p.name.startswith(("ContractCommitment", "BillingPeriod", "InvoiceDetail"))
            and "supplemental" not in p.parts
        )
        listing = "[" + ", ".join(f"'{f}'" for f in files) + "]"
        if fmt == "parquet":
            source = f"read_parquet({listing}, union_by_name=true)"
        else:
            source = f"read_csv({listing}, all_varchar=true, header=true, union_by_name=true)"
        self.con.execute(f"CREATE VIEW t AS SELECT * FROM {source}")

    def count(self, where: str = "true") -> int:
        """Rows matching a SQL condition."""
        return self.con.execute(f"SELECT count(*) FROM t WHERE {where}").fetchall()[0][0]

    def rows(self, sql: str) -> list[tuple]:
        """Result rows of a query over view t."""
        return self.con.execute(sql).fetchall()


def read(folder: Path, fmt: str = "parquet") -> Data:
    """All Cost and Usage rows of a generated folder."""
    return Data(folder, fmt)
