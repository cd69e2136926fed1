"""Local lanes: this process and N-1 forked copies take usage chunks from one counter."""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import traceback
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.sharedctypes import Synchronized

import numpy as np

from focusgen.engine.planner import Chunk
from focusgen.executors.tasks import ChunkResult, Job, run_chunk

try:
    import fcntl
except ImportError:  # not a POSIX system: no pipe sizes to set
    fcntl = None

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
    folder; each sends back its chunks' small results (totals, cost sums) through its own
    pipe, which the caller reads between its chunks. Closing chunks need every usage chunk
    of their month, so the caller builds them (``run_here``).
    """

    def __init__(self, extra: int, job: Job, chunks: list[Chunk]) -> None:
        context = multiprocessing.get_context("fork")
        self.job, self.chunks = job, chunks
        self._usage = [i for i, chunk in enumerate(chunks) if not chunk.closing]
        self._counter = context.Value("q", 0)
        self._processes: list[multiprocessing.process.BaseProcess] = []
        # Each lane's pipe, until the lane has said it is done.
        self._open: dict[Connection, multiprocessing.process.BaseProcess] = {}
        # The job as the other lanes will see it: unpickled afresh, as a pool would send
        # it (an object-store client is rebuilt rather than shared across the fork).
        job_bytes = pickle.dumps(job)
        try:
            for _ in range(extra):
                receive, send = context.Pipe(duplex=False)
                _widen(send)
                process = context.Process(
                    target=_lane,
                    args=(send, self._counter, job_bytes, chunks, self._usage),
                    daemon=True,
                    name="focusgen-lane",
                )
                process.start()
                send.close()
                self._processes.append(process)
                self._open[receive] = process
        except BaseException:
            self.kill()
            raise

    def take(self) -> int | None:
        """The index (into the plan) of the next usage chunk no lane has taken, if any."""
        return _take(self._counter, self._usage)

    def run_here(self, index: int, month_sums: np.ndarray | None = None) -> ChunkResult:
        """Build and write one chunk in this process."""
        return run_chunk(self.job, self.chunks[index], month_sums)

    def collect(self, block: bool) -> Iterator[tuple[int, ChunkResult]]:
        """Results the other lanes sent; with ``block``, wait for at least one message.

        A lane's error is raised here, with the lane's traceback as a note; a lane that
        died without a word, as a RuntimeError naming its exit code.
        """
        while self._open:
            ready = wait(list(self._open), timeout=None if block else 0)
            if not ready:
                return
            block = False
            for connection in ready:
                process = self._open[connection]
                try:
                    message = connection.recv()
                except (EOFError, OSError):
                    self._forget(connection)
                    process.join()
                    self._stop_taking()
                    raise RuntimeError(
                        f"a focusgen worker process stopped unexpectedly "
                        f"(exit code {process.exitcode})"
                    ) from None
                if message == _DONE:
                    self._forget(connection)
                elif isinstance(message, BaseException):
                    self._forget(connection)
                    self._stop_taking()
                    raise message
                else:
                    yield message

    def pending(self) -> bool:
        """Whether any other lane may still send results."""
        return bool(self._open)

    def close(self) -> None:
        """Wait for the lanes, which exit once the counter runs out."""
        for process in self._processes:
            process.join()
        for connection in list(self._open):
            self._forget(connection)
        self._processes = []

    def kill(self) -> None:
        """Stop every lane now (after an error here or in a lane)."""
        self._stop_taking()
        for process in self._processes:
            process.kill()
        self.close()

    def _forget(self, connection: Connection) -> None:
        del self._open[connection]
        connection.close()

    def _stop_taking(self) -> None:
        with self._counter.get_lock():
            self._counter.value = len(self._usage)


# Linux lets a pipe hold up to 1 MB (the default maximum for unprivileged processes): room
# for many chunk results (9 KB for a small AWS world, 64 KB for an enterprise four-cloud
# one), so a lane never waits for the caller, busy with its own chunk, to read. Elsewhere a
# lane with a large result may wait until the caller's chunk ends; nothing is lost.
_PIPE_BYTES = 1 << 20


def _widen(connection: Connection) -> None:
    """Give a pipe room for several chunk results (Linux; elsewhere it stays as it is)."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(connection.fileno(), set_size, _PIPE_BYTES)


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
