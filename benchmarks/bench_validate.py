"""Validator benchmark: focusgen validate vs focus-validator 2.2.1 on the same 1M-row Parquet file.

Usage: FOCUSGEN_VALIDATOR_VENV=/path/to/venv python benchmarks/bench_validate.py [--rows 1000000]

Both run in fresh child processes in the same run, on the same file (FOCUS 1.2, all providers);
the official one with ``--applicability-criteria ALL``. Prints seconds, the ratio and the peak
RSS of each process (ru_maxrss of the child, in MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

# VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork+exec from the parent.
OURS = """
import json, sys
from focusgen.validate import validate
report = validate(sys.argv[1])
status = open("/proc/self/status").read().split("VmHWM:")[1]
peak = int(status.split()[0]) / 1024
print(json.dumps({"seconds": report.seconds, "peak_mb": peak, "errors": report.count("error"),
                  "rules": sum(len(v) for v in report.rules_checked.values())}))
"""


MAKE = """
import sys, duckdb
from focusgen import generate, load_scenario
rows, folder = int(sys.argv[1]), sys.argv[2]
scenario = load_scenario(None, providers="aws,azure,gcp,oci", rows=rows, months=1,
                         focus_version="1.2", output_path=folder + "/gen",
                         output_format="parquet", seed=42)
generate(scenario)
duckdb.sql(f"COPY (SELECT * FROM read_parquet('{folder}/gen/**/*.parquet', "
           f"hive_partitioning=false)) TO '{folder}/focus-1.2.parquet' (FORMAT parquet)")
"""


def make_file(rows: int, folder: Path) -> Path:
    """One Parquet file of FOCUS 1.2 rows from every provider (made in a child process, so this
    process stays small and its children's peak RSS is their own)."""
    subprocess.run([sys.executable, "-c", MAKE, str(rows), str(folder)], check=True)
    return folder / "focus-1.2.parquet"


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_ours(path: Path) -> dict:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", OURS, str(path)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    result["wall"] = time.perf_counter() - began
    return result


def run_official(path: Path) -> dict:
    from support.official_validator import ensure_validator_venv, run_official_validator

    exe = ensure_validator_venv()
    began = time.perf_counter()
    report = run_official_validator(path, version="1.2", executable=exe, details=False)
    wall = time.perf_counter() - began
    return {"wall": wall, "rules": report.total, "failed": len(report.failed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = make_file(args.rows, Path(tmp))
        ours = run_ours(path)
        official = run_official(path)
        # Max over all children so far (generator, ours, official): the official's dominates.
        official_peak = child_peak_mb()
        print(f"file: {args.rows:,} rows, FOCUS 1.2 Parquet")
        print(
            f"focusgen validate: {ours['wall']:.2f}s wall ({ours['seconds']:.2f}s in validate), "
            f"peak RSS {ours['peak_mb']:.0f} MB, {ours['rules']} rules, {ours['errors']} errors"
        )
        print(
            f"focus-validator 2.2.1 --applicability-criteria ALL: {official['wall']:.2f}s, "
            f"peak RSS {official_peak:.0f} MB, {official['rules']} rules"
        )
        print(f"ratio: {official['wall'] / ours['wall']:.1f}x faster (wall, same file, same run)")


if __name__ == "__main__":
    main()
