"""Local lanes: this process and N-1 forked copies take usage chunks from one counter."""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import threading
import traceback
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized

import numpy as np

from focusgen.engine.planner import Chunk
from focusgen.executors.tasks import ChunkResult, Job, run_chunk

_DONE = "done"


def lanes_available() -> bool:
    """Whether this platform can fork (lanes inherit the caller's world instead of
    rebuilding it)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Lanes:
    """Run a plan's usage chunks on ``extra`` forked processes plus the calling one.

    Every lane takes the next usage chunk from one shared counter, so the lanes stay
    evenly loaded whatever each chunk costs, and the caller needs no pool of its own:
    it builds chunks between collecting the others' results. The forked lanes inherit
    the world the caller built and write their part files under the job's staging
    folder; each sends back its chunks' small results (totals, cost sums). Closing chunks
    need every usage chunk of their month, so the caller builds them (``run_here``).
    """

    def __init__(self, extra: int, job: Job, chunks: list[Chunk]) -> None:
        context = multiprocessing.get_context("fork")
        self.job, self.chunks = job, chunks
        self._usage = [i for i, chunk in enumerate(chunks) if not chunk.closing]
        self._counter = context.Value("q", 0)
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._readers: list[threading.Thread] = []
        self._running = 0
        # The job as the other lanes will see it: unpickled afresh, as a pool would send
        # it (an object-store client is rebuilt rather than shared across the fork).
        job_bytes = pickle.dumps(job)
        receivers = []
        try:
            for _ in range(extra):
                receive, send = context.Pipe(duplex=False)
                receivers.append(receive)
                process = context.Process(
                    target=_lane,
                    args=(send, self._counter, job_bytes, chunks, self._usage),
                    daemon=True,
                    name="focusgen-lane",
                )
                process.start()
                send.close()
                self._processes.append(process)
                self._running += 1
        except BaseException:
            self.kill()
            raise
        # A reader thread per lane, started once every lane is forked: a lane never
        # waits for this process, busy building its own chunk, to take a result.
        for receive, process in zip(receivers, self._processes, strict=True):
            reader = threading.Thread(
                target=_read, args=(receive, process, self._results), daemon=True
            )
            reader.start()
            self._readers.append(reader)

    def take(self) -> int | None:
        """The index (into the plan) of the next usage chunk no lane has taken, if any."""
        return _take(self._counter, self._usage)

    def run_here(self, index: int, month_sums: np.ndarray | None = None) -> ChunkResult:
        """Build and write one chunk in this process."""
        return run_chunk(self.job, self.chunks[index], month_sums)

    def collect(self, block: bool) -> Iterator[tuple[int, ChunkResult]]:
        """Results the other lanes sent; with ``block``, wait for at least one message.

        A lane's error is raised here, with the lane's traceback as a note.
        """
        while self._running:
            try:
                message = self._results.get(block=block)
            except queue.Empty:
                return
            block = False
            if message == _DONE:
                self._running -= 1
                continue
            if isinstance(message, BaseException):
                self._stop_taking()
                raise message
            yield message

    def pending(self) -> bool:
        """Whether any other lane may still send results."""
        return self._running > 0

    def close(self) -> None:
        """Wait for the lanes, which exit once the counter runs out."""
        for process in self._processes:
            process.join()
        for reader in self._readers:
            reader.join()
        self._processes, self._readers = [], []

    def kill(self) -> None:
        """Stop every lane now (after an error here or in a lane)."""
        self._stop_taking()
        for process in self._processes:
            process.kill()
        self.close()

    def _stop_taking(self) -> None:
        with self._counter.get_lock():
            self._counter.value = len(self._usage)


def _take(counter: Synchronized, usage: list[int]) -> int | None:
    """Advance the shared counter; the plan index of the usage chunk it pointed at."""
    with counter.get_lock():
        k = counter.value
        counter.value = k + 1
    return usage[k] if k < len(usage) else None


def _lane(
    send: Connection, counter: Synchronized, job_bytes: bytes, chunks: list[Chunk], usage: list[int]
) -> None:
    """A forked lane: take usage chunks until none is left; send each one's result."""
    try:
        job = pickle.loads(job_bytes)
        while (index := _take(counter, usage)) is not None:
            send.send((index, run_chunk(job, chunks[index], None)))
        send.send(_DONE)
    except BaseException as error:
        error.add_note("in a focusgen worker process:\n" + traceback.format_exc())
        try:
            send.send(error)
        except Exception:  # an error that does not pickle: its text instead
            send.send(RuntimeError(f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
    finally:
        send.close()


def _read(
    receive: Connection, process: multiprocessing.process.BaseProcess, results: queue.SimpleQueue
) -> None:
    """Move one lane's messages to the caller's queue; report a lane that died."""
    with receive:
        while True:
            try:
                message = receive.recv()
            except (EOFError, OSError):
                process.join()
                results.put(
                    RuntimeError(
                        f"a focusgen worker process stopped unexpectedly "
                        f"(exit code {process.exitcode})"
                    )
                )
                return
            results.put(message)
            if message == _DONE or isinstance(message, BaseException):
                return
