"""Parallel and distributed runs: byte-identical to one process, whatever runs the chunks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from focusgen import generate, load_scenario

# Small chunks so every month has several usage chunks and the closing chunk needs their
# sums added in order.
CHUNK_ROWS = 4_000


def digests(folder: Path) -> dict[str, str]:
    """Hash of every file under a folder; summary.json without its (differing) output path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name == "summary.json":
            content = json.loads(data)
            content["scenario"]["output"].pop("path")
            data = json.dumps(content, sort_keys=True).encode()
        out[str(path.relative_to(folder))] = hashlib.sha256(data).hexdigest()
    return out


def run(folder: Path, fmt: str, layout: str = "billing-period", **kwargs) -> dict[str, str]:
    scenario = load_scenario(
        None,
        providers="aws,gcp",
        rows=30_000,
        months=2,
        granularity="daily",
        seed=3,
        output_path=str(folder),
        output_format=fmt,
        output_layout=layout,
    )
    generate(scenario, chunk_rows=CHUNK_ROWS, **kwargs)
    return digests(folder)


@pytest.mark.parametrize(
    ("fmt", "layout"),
    [("parquet", "billing-period"), ("csv", "billing-period"), ("parquet", "provider")],
)
def test_two_workers_write_the_same_bytes_as_one(tmp_path, fmt, layout):
    one = run(tmp_path / "one", fmt, layout)
    two = run(tmp_path / "two", fmt, layout, workers=2)
    assert len(one) > 3 and one == two
    assert "_SUCCESS" in one and not any(".focusgen-staging" in rel for rel in two)


def test_dask_local_cluster_writes_the_same_bytes_as_a_local_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = run(tmp_path / "local", "parquet")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run(tmp_path / "dask", "parquet", dask_client=client)
    assert on_dask == local


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_bad_worker_count_is_refused(tmp_path, workers):
    scenario = load_scenario(None, providers="aws", rows=1000, output_path=str(tmp_path / "x"))
    with pytest.raises(ValueError, match="workers"):
        generate(scenario, workers=workers)
    assert not (tmp_path / "x").exists()
