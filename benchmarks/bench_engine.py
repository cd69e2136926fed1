"""Engine benchmark: rows/s and peak RSS of focusgen vs pyarrow writing the same table.

Usage: python benchmarks/bench_engine.py [--rows 100000,1000000] [--repeat 3] [--format parquet]

Each measurement runs in a fresh process so peak RSS is its own. The baseline reads the
rows focusgen wrote into memory and times pyarrow alone writing them with the same
settings (zstd, dictionary encoding); the ratio is focusgen's end-to-end time over it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATE = """
import json, resource, sys, time
from focusgen import generate, load_scenario
rows, fmt, out, granularity, version = sys.argv[1:6]
scenario = load_scenario(None, providers="aws", rows=int(rows), months=1, granularity=granularity,
                         focus_version=version, output_path=out, output_format=fmt,
                         output_layout="provider", seed=42)
began = time.perf_counter()
summary = generate(scenario)
elapsed = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": summary.rows, "seconds": elapsed, "peak_mb": peak}))
"""

BASELINE = """
import json, resource, sys, time
import pyarrow.parquet as pq, pyarrow.csv as pacsv
path, fmt = sys.argv[1:3]
table = pq.read_table(path) if fmt == "parquet" else pacsv.read_csv(path)
began = time.perf_counter()
if fmt == "parquet":
    pq.write_table(table, path + ".baseline", compression="zstd", compression_level=1,
                   use_dictionary=True)
else:
    pacsv.write_csv(table, path + ".baseline")
elapsed = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": table.num_rows, "seconds": elapsed, "peak_mb": peak}))
"""


def run(code: str, *args: str) -> dict:
    """Run a measurement in a fresh interpreter and parse its JSON line."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument("--granularity", default="hourly", choices=["hourly", "daily"])
    parser.add_argument("--focus-version", default="1.2")
    args = parser.parse_args()
    print(f"focusgen engine benchmark: AWS, FOCUS {args.focus_version}, {args.format}, "
          f"{args.granularity}, 1 process, median of {args.repeat}")
    header = (f"{'rows':>11} {'focusgen s':>10} {'rows/s':>11} {'peak MB':>8} "
              f"{'pyarrow s':>9} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for rows in [int(r) for r in args.rows.split(",")]:
        ours, base = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                ours.append(run(GENERATE, str(rows), args.format, tmp, args.granularity,
                                args.focus_version))
                ext = "parquet" if args.format == "parquet" else "csv"
                base.append(run(BASELINE, str(Path(tmp) / f"aws.{ext}"), args.format))
        seconds = statistics.median(r["seconds"] for r in ours)
        baseline = statistics.median(r["seconds"] for r in base)
        written = ours[0]["rows"]
        peak = max(r["peak_mb"] for r in ours)
        print(f"{written:>11,} {seconds:>10.2f} {written / seconds:>11,.0f} {peak:>8.0f} "
              f"{baseline:>9.2f} {seconds / baseline:>6.2f}")


if __name__ == "__main__":
    main()
