"""Check any FOCUS file or folder against the machine-checkable rules of its version."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from focusgen.validate import engine, typed
from focusgen.validate.detect import detect_version
from focusgen.validate.reader import InputError, discover, open_sources
from focusgen.validate.report import Finding, Report
from focusgen.validate.rules import column_facts, known_datasets, known_versions

__all__ = ["Finding", "InputError", "Report", "validate"]

MEMORY_LIMIT = "700MB"


def _connect(threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def validate(
    path: str | Path,
    version: str | None = None,
    dataset: str | None = None,
    *,
    threads: int | None = None,
) -> Report:
    """Validate a FOCUS file or folder; the version is detected from the columns when omitted.

    Raises InputError (a one-line message) when the path, version or dataset is unusable.
    """
    started = time.perf_counter()
    path = Path(path)
    if version is not None and version not in known_versions():
        raise InputError(f"--version={version!r}: choose one of {', '.join(known_versions())}")
    con = _connect(threads)
    try:
        files = discover(path)
        text_columns = {
            c["name"]
            for v in known_versions()
            for d in known_datasets(v)
            for c in column_facts(v, d)
            if c["type"] != "Decimal"
        }
        sources = open_sources(con, files, dataset, text_columns)
        detected = version is None
        if version is None:
            cu = sources.get("CostAndUsage") or next(iter(sources.values()))
            version = detect_version(set(cu.types))
        allowed = known_datasets(version)
        for name in sources:
            if name not in allowed:
                raise InputError(
                    f"--dataset={name!r}: FOCUS {version} defines {', '.join(allowed)}"
                )
        views = {}
        for name, source in sources.items():
            types = {c["name"]: c["type"] for c in column_facts(version, name)}
            views[name] = typed.build(con, source, types)
        rows, checked, findings = {}, {}, []
        for name, view in views.items():
            rows[name], checked[name], found = engine.run(con, view, version, name, views)
            findings += found
    finally:
        con.close()
    return Report(
        path=str(path),
        version=version,
        version_detected=detected,
        datasets=rows,
        rules_checked=checked,
        findings=findings,
        seconds=time.perf_counter() - started,
    )
