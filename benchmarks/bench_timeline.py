"""Timeline benchmark: where a ``focusgen generate`` run's time goes, process by process.

Usage: python benchmarks/bench_timeline.py [--runs 7] [--rows 1000000] [--workers 2]
       [--granularity hourly|daily]

Each run is a fresh ``focusgen generate`` process (AWS, FOCUS 1.2, one month, Parquet,
billing-period layout, seed 42) whose chunk builds are timed from inside: the world until
the first chunk starts, each process's chunks (the first one pays for the heap's growth),
when each process finishes its last usage chunk, the closing chunk, and the publishing
after it. Times are milliseconds from the start of ``generate()``. The last lines give the
medians over the runs. The serial parts (the world, the first chunks, the uneven finish,
the closing chunk and publishing) bound what more workers can gain at this size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_scale import ours_command

# Runs the command in this interpreter with its chunk and run functions wrapped to log
# (pid, chunk part, start, end); each process appends its own lines to one log file.
TRACED = r"""
import json, os, sys, time
log, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["focusgen", *argv]
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
from focusgen.gcpause import gc_paused
with gc_paused(freeze=True):
    import focusgen.cli as cli
    import focusgen.executors.lanes as lanes
    import focusgen.executors.tasks as tasks
    import focusgen.run as run

def note(entry):
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (json.dumps(entry) + "\n").encode())
    os.close(fd)

def timed(function, label):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        chunk = args[1] if label == "chunk" else None
        part = -1 if chunk is None else chunk.part
        closing = bool(chunk is not None and chunk.closing)
        note([label, os.getpid(), part, closing, start, time.perf_counter()])
        return result
    return wrapper

lanes.run_chunk = run.run_chunk = timed(tasks.run_chunk, "chunk")
run.generate = timed(run.generate, "generate")

# One worker builds and writes in this process: a chunk runs from building its table to
# recording what was written.
build, record = run.chunk_table, run._Run.record

def building(world, scenario, chunk, sums):
    note(["build", os.getpid(), chunk.part, bool(chunk.closing), time.perf_counter(), None])
    return build(world, scenario, chunk, sums)

def recording(self, chunk, rel, totals):
    result = record(self, chunk, rel, totals)
    note(["record", os.getpid(), chunk.part, bool(chunk.closing), None, time.perf_counter()])
    return result

run.chunk_table, run._Run.record = building, recording
cli.main()
"""


def one_run(rows: int, workers: int, granularity: str) -> dict:
    """Run the command once; its timeline in milliseconds from the start of generate()."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "timeline.jsonl"
        # bench_scale's workload and command, less its "python -m focusgen" head.
        argv = ours_command("cli", rows, "parquet", str(Path(tmp) / "out"), workers,
                            granularity)[3:]
        done = subprocess.run([sys.executable, "-c", TRACED, str(log), *argv],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"focusgen failed:\n{done.stderr}")
        entries = [json.loads(line) for line in log.read_text().splitlines()]
    run = next(e for e in entries if e[0] == "generate")
    parent, began, ended = run[1], run[4], run[5]

    def ms(t: float) -> float:
        return 1000 * (t - began)

    chunks = [e for e in entries if e[0] == "chunk"]
    if not chunks:  # built here: pair each chunk's build with its record
        starts = {(e[2], e[3]): e[4] for e in entries if e[0] == "build"}
        chunks = [["chunk", e[1], e[2], e[3], starts[e[2], e[3]], e[5]]
                  for e in entries if e[0] == "record"]
    usage = sorted((e for e in chunks if not e[3]), key=lambda e: e[4])
    closing = [e for e in chunks if e[3]]
    per_process: dict[str, list[float]] = {}
    last_end: dict[str, float] = {}
    for _, pid, _, _, start, end in usage:
        name = "this process" if pid == parent else f"lane {pid}"
        per_process.setdefault(name, []).append(1000 * (end - start))
        last_end[name] = max(last_end.get(name, 0.0), ms(end))
    return {
        "total": ms(ended),
        "first_start": ms(usage[0][4]),
        "first_chunks": [times[0] for times in per_process.values()],
        "later_chunks": [t for times in per_process.values() for t in times[1:]],
        "spread": max(last_end.values()) - min(last_end.values()),
        "closing": sum(1000 * (e[5] - e[4]) for e in closing),
        "publish": ms(ended) - max(ms(e[5]) for e in chunks),
        "chunks": {name: [round(t) for t in times] for name, times in per_process.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--granularity", default="hourly", choices=["hourly", "daily"])
    args = parser.parse_args()
    print(f"focusgen timeline: AWS, FOCUS 1.2, {args.granularity}, {args.rows:,} rows, "
          f"{args.workers} worker(s), through the cli; ms from generate()'s start")
    print(f"{'total':>7} {'world':>7} {'first':>7} {'later':>7} {'spread':>7} {'closing':>8} "
          f"{'publish':>8}  chunks per process")
    runs = []
    for _ in range(args.runs):
        r = one_run(args.rows, args.workers, args.granularity)
        runs.append(r)
        print(f"{r['total']:>7.0f} {r['first_start']:>7.0f} "
              f"{statistics.median(r['first_chunks']):>7.0f} "
              f"{statistics.median(r['later_chunks'] or [0]):>7.0f} {r['spread']:>7.0f} "
              f"{r['closing']:>8.1f} {r['publish']:>8.1f}  {r['chunks']}", flush=True)

    def med(key: str) -> float:
        values = [r[key] for r in runs]
        return statistics.median(v if not isinstance(v, list) else statistics.median(v or [0])
                                 for v in values)

    print(f"{med('total'):>7.0f} {med('first_start'):>7.0f} {med('first_chunks'):>7.0f} "
          f"{med('later_chunks'):>7.0f} {med('spread'):>7.0f} {med('closing'):>8.1f} "
          f"{med('publish'):>8.1f}  medians over {len(runs)} runs")


if __name__ == "__main__":
    main()
