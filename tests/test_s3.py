"""S3 output against a real S3-protocol server (moto's standalone server on loopback)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pyarrow.fs as pafs
import pytest

from focusgen import generate, load_scenario
from focusgen.sinks.storage import StorageOptions
from test_scale import CHUNK_ROWS, digests, parallel_small_runs, run  # noqa: F401

BUCKET = "focus-bucket"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(monkeypatch):
    """A fresh moto server in its own process, with one bucket; yields (endpoint, process)."""
    pytest.importorskip("moto")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("moto server did not start")
            time.sleep(0.1)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    admin = pafs.S3FileSystem(
        endpoint_override=f"127.0.0.1:{port}", scheme="http", allow_bucket_creation=True
    )
    admin.create_dir(BUCKET)
    yield endpoint, server, admin
    server.send_signal(signal.SIGCONT)
    server.kill()
    server.wait()


def listing(admin: pafs.FileSystem, prefix: str) -> dict[str, bytes]:
    selector = pafs.FileSelector(f"{BUCKET}/{prefix}", recursive=True, allow_not_found=True)
    out = {}
    for info in admin.get_file_info(selector):
        if info.is_file:
            with admin.open_input_stream(info.path) as stream:
                out[info.path[len(BUCKET) + len(prefix) + 2 :]] = stream.read()
    return out


def test_s3_round_trip_matches_local_output(tmp_path, s3):
    endpoint, _server, admin = s3
    local = run(tmp_path / "local", "parquet", workers=1)
    scenario = load_scenario(
        None,
        providers="aws,gcp",
        rows=30_000,
        months=2,
        granularity="daily",
        seed=3,
        output_path=f"s3://{BUCKET}/runs/one",
    )
    summary = generate(
        scenario, chunk_rows=CHUNK_ROWS, workers=2, storage_options=StorageOptions(endpoint)
    )
    assert summary.output == f"s3://{BUCKET}/runs/one"
    objects = listing(admin, "runs/one")
    folder = tmp_path / "downloaded"
    for rel, data in objects.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    assert digests(folder) == local


def test_s3_server_stopped_mid_run_publishes_nothing(tmp_path, s3):
    endpoint, server, admin = s3
    scenario = load_scenario(
        None, providers="aws", rows=20_000, months=2, seed=3, output_path=f"s3://{BUCKET}/cut"
    )
    options = StorageOptions(endpoint, request_timeout=1, connect_timeout=1)

    def stop_server(done: int, total: int) -> None:
        # After the first chunk is staged the server stops answering, as a crashed or
        # partitioned endpoint would.
        os.kill(server.pid, signal.SIGSTOP)

    began = time.monotonic()
    with pytest.raises(OSError) as raised:
        generate(scenario, chunk_rows=CHUNK_ROWS, progress=stop_server, storage_options=options)
    assert time.monotonic() - began < 120
    assert BUCKET in str(raised.value)
    server.send_signal(signal.SIGCONT)
    leftovers = listing(admin, "cut")
    assert leftovers, "the first chunk should have reached the staging prefix"
    assert all(rel.startswith(".focusgen-staging-") for rel in leftovers), sorted(leftovers)


def test_cli_reports_an_unreachable_endpoint_in_one_line(tmp_path, s3):
    endpoint, server, _admin = s3
    server.kill()
    server.wait()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "focusgen",
            "generate",
            "--rows",
            "2000",
            "--months",
            "1",
            "--output",
            f"s3://{BUCKET}/x",
            "--s3-endpoint-url",
            endpoint,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --output='s3://")
