"""Streaming file writers (Parquet, CSV, CSV.gz, JSON Lines) that publish atomically."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

EXTENSIONS = {"parquet": ".parquet", "csv": ".csv", "csv.gz": ".csv.gz", "jsonl": ".jsonl"}
ROW_GROUP_ROWS = 128 * 1024
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
JSON_COLUMNS = frozenset(
    {
        "Tags",
        "SkuPriceDetails",
        "AllocatedMethodDetails",
        "AllocatedTags",
        "ContractApplied",
        "CommitmentProgramEligibilityDetails",
        "ContractCommitmentApplicability",
        "InvoiceDetailGrain",
    }
)


class FileWriter:
    """Append tables to one file; nothing appears under the final name until ``close``."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema) -> None:
        self.path = path
        self.fmt = fmt
        self.schema = schema
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._text = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._header_written = False
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(
                self.tmp,
                schema,
                compression="zstd",
                compression_level=1,
                use_dictionary=True,
                store_schema=False,
                write_statistics=True,
                data_page_size=1 << 20,
            )
        else:
            self._text = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()/abort()
            self._con = duckdb.connect()
            self._con.execute("SET TimeZone='UTC'")
            self._con.execute("SET preserve_insertion_order=true")

    def write(self, table: pa.Table) -> None:
        """Append a table with the writer's schema."""
        self.rows += table.num_rows
        if self._parquet is not None:
            self._parquet.write_table(table, row_group_size=ROW_GROUP_ROWS)
            return
        self._write_text(table)

    def _write_text(self, table: pa.Table) -> None:
        assert self._con is not None and self._text is not None
        part = self.tmp.with_name(self.tmp.name + ".part")
        self._con.register("chunk", table)
        header = "false" if self._header_written else "true"
        if self.fmt == "jsonl":
            select = ", ".join(
                f'json("{c}") AS "{c}"'
                if c in JSON_COLUMNS
                else f'strftime("{c}", \'{TIMESTAMP_FORMAT}\') AS "{c}"'
                if pa.types.is_timestamp(table.schema.field(c).type)
                else f'"{c}"'
                for c in table.column_names
            )
            options = "FORMAT json"
        else:
            select = "*"
            options = f"FORMAT csv, HEADER {header}, TIMESTAMPFORMAT '{TIMESTAMP_FORMAT}'" + (
                ", COMPRESSION gzip" if self.fmt == "csv.gz" else ""
            )
        self._con.execute(f"COPY (SELECT {select} FROM chunk) TO '{part}' ({options})")
        self._con.unregister("chunk")
        with open(part, "rb") as source:
            shutil.copyfileobj(source, self._text, 1 << 20)
        part.unlink()
        self._header_written = True

    def close(self) -> Path:
        """Finish the file and move it to its final name."""
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            if not self._header_written:
                self._write_text(self.schema.empty_table())
            self._text.close()
        if self._con is not None:
            self._con.close()
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the temporary file; the final name is never created."""
        try:
            if self._parquet is not None:
                self._parquet.close()
            if self._text is not None:
                self._text.close()
            if self._con is not None:
                self._con.close()
        finally:
            for leftover in (self.tmp, self.tmp.with_name(self.tmp.name + ".part")):
                leftover.unlink(missing_ok=True)
