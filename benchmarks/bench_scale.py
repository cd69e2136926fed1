"""Scale benchmark: rows/s and peak RSS by rows x format x workers, vs pyarrow and the toolkit.

Usage: python benchmarks/bench_scale.py [--rows 100000,1000000,10000000] [--repeat 3]
       [--formats parquet,csv] [--workers 1,2] [--toolkit PATH] [--toolkit-max-rows 1000000]
       [--toolkit-repeat N] [--no-baseline] [--granularity hourly|daily] [--via library|cli]

Workload: AWS, FOCUS 1.2, hourly (or daily, the CLI's default), one month, billing-period
layout, seed 42. Each run is a fresh process, through the Python API or (``--via cli``) the
``focusgen generate`` command, which also loads the CLI and prints a summary; ``gen s`` is
the generation time the run reports. Peak RSS is sampled every 50 ms over the whole process
tree (parent plus workers) in one extra run per worker count: sampling costs CPU the timed
runs would share (a single run at 10M rows and above is both timed and sampled). Summed
RSS counts a page the workers share with the parent (the world they inherit) once per
process; ``PSS MB`` splits each shared page among its processes: the memory the run holds
(on Linux; elsewhere it repeats the RSS). The
pyarrow column times pyarrow alone writing the same rows (read back into memory first),
in runs after ours;
the toolkit column runs ``focus-toolkit generate --provider aws --focus-version 1.2`` (a
focus-data-toolkit 0.14.1 install, Python 3.12) on the same row count in the same session.
Ratios compare whole-process wall times, so start-up counts on both sides. Medians of
``--repeat`` runs (one run at 10M rows and above); worker counts alternate within each
repeat and ``speedup`` is the median, over repeats, of the first worker count's generation
time over each one's in the same repeat (runs seconds apart meet the same load on a shared
machine).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

GENERATE = """
import json, sys, time
from focusgen import generate, load_scenario
rows, fmt, out, workers, granularity = sys.argv[1:6]
scenario = load_scenario(None, providers="aws", rows=int(rows), months=1, granularity=granularity,
                         focus_version="1.2", output_path=out, output_format=fmt, seed=42)
began = time.perf_counter()
summary = generate(scenario, workers=int(workers))
print(json.dumps({"rows": summary.rows, "seconds": time.perf_counter() - began}))
"""

BASELINE = """
import json, sys, time
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.csv as pacsv
from pathlib import Path
folder, fmt = sys.argv[1:3]
files = sorted(Path(folder).rglob("*." + fmt))
table = pa.concat_tables([pq.read_table(f) if fmt == "parquet" else pacsv.read_csv(f)
                         for f in files], promote_options="permissive")
began = time.perf_counter()
if fmt == "parquet":
    pq.write_table(table, folder + "/baseline", compression="snappy",
                   use_dictionary=True)
else:
    pacsv.write_csv(table, folder + "/baseline")
print(json.dumps({"rows": table.num_rows, "seconds": time.perf_counter() - began}))
"""


CLI_SUMMARY = re.compile(r"focusgen: ([\d,]+) rows in ([\d.]+)s")


def ours_command(via: str, rows: int, fmt: str, out: str, workers: int, granularity: str):
    """The command that generates the workload through the API or the CLI."""
    if via == "library":
        return [sys.executable, "-c", GENERATE, str(rows), fmt, out, str(workers), granularity]
    return [sys.executable, "-m", "focusgen", "generate", "--providers", "aws",
            "--rows", str(rows), "--months", "1", "--granularity", granularity,
            "--focus-version", "1.2", "--format", fmt, "--layout", "billing-period",
            "--seed", "42", "--output", out, "--workers", str(workers), "--quiet"]


def proportional_set_size(process: psutil.Process) -> int:
    """A process's PSS in bytes (Linux, ~0.6 ms for a 1 GB process), else its RSS."""
    info = process.memory_full_info()
    return getattr(info, "pss", info.rss)


def measure(command: list[str], sample_memory: bool = True) -> dict:
    """Run a command; its wall time, tree peak RSS and PSS (MB, if sampled), last JSON line."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()
    peak = [0, 0]  # summed RSS, summed PSS

    def sample() -> None:
        # A sample walks the process table (~1.2 ms of CPU) and reads each process's PSS
        # (~0.6 ms per GB) every 50 ms, taken from a core the run would use when it uses
        # them all (timed runs are not sampled).
        while sample_memory and not done.wait(0.05):
            try:
                root = psutil.Process(proc.pid)
                tree = [root, *root.children(recursive=True)]
                live = [p for p in tree if p.is_running()]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in live))
                peak[1] = max(peak[1], sum(proportional_set_size(p) for p in live))
            except psutil.Error:
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # The wall time ends when the process does, not at the sampler's next 50 ms tick.
    out, err = proc.communicate()
    wall = time.perf_counter() - began
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{command[0]} failed: {err.strip().splitlines()[-1:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    reported = CLI_SUMMARY.search(out)
    if reported:
        result.update(rows=int(reported[1].replace(",", "")), seconds=float(reported[2]))
    result.update(wall=wall, peak_mb=peak[0] / 2**20, pss_mb=peak[1] / 2**20)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000,10000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--toolkit", default=None, help="path of the focus-toolkit command")
    parser.add_argument("--toolkit-max-rows", type=int, default=1_000_000)
    parser.add_argument("--toolkit-repeat", type=int, default=None,
                        help="runs of the toolkit per row count (default: --repeat; its "
                        "minute-long runs varied by ~2%% across sessions, ours by much more)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip pyarrow (it holds all rows in memory: not for 100M rows)")
    parser.add_argument("--granularity", choices=("hourly", "daily"), default="hourly")
    parser.add_argument("--via", choices=("library", "cli"), default="library")
    args = parser.parse_args()
    header = (
        f"{'rows':>10} {'format':>7} {'w':>2} {'gen s':>7} {'wall s':>7} {'rows/s':>10} "
        f"{'speedup':>7} {'peak MB':>8} {'PSS MB':>7} {'pyarrow s':>9} {'x pyarrow':>9} "
        f"{'toolkit s':>9} {'x toolkit':>9}"
    )
    print(f"focusgen scale benchmark: AWS, FOCUS 1.2, {args.granularity}, 1 month, "
          f"billing-period layout, through the {args.via}")
    print(header)
    print("-" * len(header), flush=True)
    toolkit_wall: dict[int, float] = {}
    for rows in [int(r) for r in args.rows.split(",")]:
        repeat = 1 if rows >= 10_000_000 else args.repeat
        if args.toolkit and rows <= args.toolkit_max_rows:
            runs = []
            for _ in range(args.toolkit_repeat or repeat):
                with tempfile.TemporaryDirectory() as tmp:
                    runs.append(measure([args.toolkit, "generate", "--provider", "aws",
                                         "--focus-version", "1.2", "--rows", str(rows),
                                         "--seed", "42", "--out", tmp], sample_memory=False))
            toolkit_wall[rows] = statistics.median(r["wall"] for r in runs)
        for fmt in args.formats.split(","):
            counts = [int(w) for w in args.workers.split(",")]
            ours: dict[int, list[dict]] = {w: [] for w in counts}
            peaks: dict[int, tuple[float, float]] = {}
            base: list[dict] = []
            # A single run (10M rows and more) is timed and sampled at once; shorter runs
            # are timed unsampled and their memory taken from one more, sampled run.
            sampled = repeat == 1
            # Worker counts alternate within each repeat, so load on a shared machine hits
            # them alike and the speed-up column compares runs of the same moment.
            for _ in range(repeat):
                for workers in counts:
                    with tempfile.TemporaryDirectory() as tmp:
                        ours[workers].append(measure(ours_command(
                            args.via, rows, fmt, tmp, workers, args.granularity), sampled))
            for workers in counts:
                if sampled:
                    peaks[workers] = ours[workers][0]["peak_mb"], ours[workers][0]["pss_mb"]
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    sampled_run = measure(ours_command(
                        args.via, rows, fmt, tmp, workers, args.granularity))
                peaks[workers] = sampled_run["peak_mb"], sampled_run["pss_mb"]
            # pyarrow's runs come after ours, not between worker counts: interleaved, one
            # count's runs would each start right after a process that read, wrote and
            # freed the whole table, and the other count's never would.
            if not args.no_baseline:
                with tempfile.TemporaryDirectory() as tmp:
                    measure(ours_command(args.via, rows, fmt, tmp, counts[0], args.granularity),
                            sample_memory=False)
                    for _ in range(repeat):
                        base.append(measure([sys.executable, "-c", BASELINE, tmp, fmt],
                                            sample_memory=False))
                        for stale in Path(tmp).glob("baseline*"):
                            stale.unlink()
            for workers in counts:
                gen = statistics.median(r["seconds"] for r in ours[workers])
                speedup = statistics.median(
                    a["seconds"] / b["seconds"]
                    for a, b in zip(ours[counts[0]], ours[workers], strict=True)
                )
                wall = statistics.median(r["wall"] for r in ours[workers])
                written = ours[workers][0]["rows"]
                peak, pss = peaks[workers]
                line = (f"{written:>10,} {fmt:>7} {workers:>2} {gen:>7.2f} {wall:>7.2f} "
                        f"{written / gen:>10,.0f} {speedup:>7.2f} {peak:>8.0f} {pss:>7.0f}")
                if base and workers == counts[0]:
                    pyarrow_s = statistics.median(r["seconds"] for r in base)
                    line += f" {pyarrow_s:>9.2f} {gen / pyarrow_s:>9.2f}"
                else:
                    line += f" {'':>9} {'':>9}"
                if rows in toolkit_wall:
                    line += f" {toolkit_wall[rows]:>9.2f} {toolkit_wall[rows] / wall:>9.1f}"
                print(line, flush=True)

if __name__ == "__main__":
    main()
