"""Engine benchmark: rows/s, CPU and peak RSS of focusgen vs pyarrow writing the same table.

Usage: python benchmarks/bench_engine.py [--rows 100000,1000000] [--repeat 3] [--format parquet]
       [--workers auto|1] [--no-extensions] [--no-baseline] [--compare-src /tmp/perf-base/src ...]

Each measurement runs in a fresh process so peak RSS is its own. The baseline reads the
rows focusgen wrote into memory and times pyarrow alone writing them with focusgen's
default settings (Snappy, dictionary encoding); the ratio is focusgen's end-to-end time over
it. ``--no-extensions`` adds a variant without provider extension columns;
``--compare-src`` adds a variant run from another source tree (e.g. a ``git worktree`` of
an older commit). Variants run alternately within each repeat so machine noise hits all of
them alike; every row of the table is a median over the repeats, and the ``x first``
column is each variant's median time over the first variant's (same run). ``cpu s`` is the
process's user+system time (all threads): steadier than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATE = """
import json, resource, sys, time
from focusgen import generate, load_scenario
rows, fmt, out, granularity, version, extensions, workers = sys.argv[1:8]
options = {} if extensions == "default" else {"output_extensions": extensions == "on"}
scenario = load_scenario(None, providers="aws", rows=int(rows), months=1, granularity=granularity,
                         focus_version=version, output_path=out, output_format=fmt,
                         output_layout="provider", seed=42, **options)
began = time.perf_counter()
summary = generate(scenario, **({} if workers == "auto" else {"workers": int(workers)}))
elapsed = time.perf_counter() - began
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": summary.rows, "seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}))
"""

BASELINE = """
import json, resource, sys, time
import pyarrow.parquet as pq, pyarrow.csv as pacsv
path, fmt = sys.argv[1:3]
table = pq.read_table(path) if fmt == "parquet" else pacsv.read_csv(path)
began = time.perf_counter()
if fmt == "parquet":
    pq.write_table(table, path + ".baseline", compression="snappy",
                   use_dictionary=True)
else:
    pacsv.write_csv(table, path + ".baseline")
elapsed = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": table.num_rows, "seconds": elapsed, "peak_mb": peak}))
"""


def run(code: str, *args: str, src: str | None = None) -> dict:
    """Run a measurement in a fresh interpreter (``src`` first on its path); parse its JSON."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _baseline(path: str, fmt: str) -> dict | None:
    """pyarrow alone writing the table, or None when that process dies (out of memory)."""
    try:
        return run(BASELINE, path, fmt)
    except subprocess.CalledProcessError as error:
        print(f"pyarrow alone failed ({error.returncode}): ratio not measured", file=sys.stderr)
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument("--granularity", default="hourly", choices=["hourly", "daily"])
    parser.add_argument("--focus-version", default="1.2")
    parser.add_argument("--workers", default="auto",
                        help="1: build and write in turn on one core; auto (default): the "
                             "provider layout's two-thread pipeline on this machine")
    parser.add_argument("--no-extensions", action="store_true",
                        help="add a variant with output.extensions=false")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip pyarrow alone (it reads the whole table into memory: "
                             "10M rows of CSV need more than this machine has)")
    parser.add_argument("--compare-src", action="append", default=[],
                        help="add a variant importing focusgen from this source folder "
                             "(repeatable)")
    args = parser.parse_args()
    variants = [("this", None, "default")]
    if args.no_extensions:
        variants.append(("this, no ext", None, "off"))
    for src in args.compare_src:
        variants.append((f"src {Path(src).parent.name}", src, "default"))
    print(f"focusgen engine benchmark: AWS, FOCUS {args.focus_version}, {args.format}, "
          f"{args.granularity}, 1 process, workers {args.workers}, median of {args.repeat}")
    header = (f"{'rows':>11} {'variant':<18} {'focusgen s':>10} {'cpu s':>6} {'rows/s':>11} "
              f"{'peak MB':>8} {'pyarrow s':>9} {'ratio':>6} {'x first':>7}")
    print(header)
    print("-" * len(header), flush=True)
    ext = "parquet" if args.format == "parquet" else "csv"
    for rows in [int(r) for r in args.rows.split(",")]:
        ours: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
        base: list[dict] = []
        for _ in range(args.repeat):
            for name, src, extensions in variants:
                with tempfile.TemporaryDirectory() as tmp:
                    ours[name].append(run(GENERATE, str(rows), args.format, tmp,
                                          args.granularity, args.focus_version, extensions,
                                          args.workers, src=src))
                    if name == variants[0][0] and not args.no_baseline:
                        base.append(_baseline(str(Path(tmp) / f"aws.{ext}"), args.format))
        timed = [r["seconds"] for r in base if r is not None]
        baseline = statistics.median(timed) if timed else float("nan")
        first = statistics.median(r["seconds"] for r in ours[variants[0][0]])
        for name, _, _ in variants:
            results = ours[name]
            seconds = statistics.median(r["seconds"] for r in results)
            cpu = statistics.median(r.get("cpu", float("nan")) for r in results)
            written = results[0]["rows"]
            peak = max(r["peak_mb"] for r in results)
            print(f"{written:>11,} {name:<18} {seconds:>10.2f} {cpu:>6.2f} "
                  f"{written / seconds:>11,.0f} {peak:>8.0f} {baseline:>9.2f} "
                  f"{seconds / baseline:>6.2f} {seconds / first:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
