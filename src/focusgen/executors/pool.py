"""Local process pool: chunk tasks in N worker processes on this machine."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

from focusgen.executors import tasks


def process_pool(workers: int, scenario_json: str) -> Executor:
    """A pool of ``workers`` processes that each hold the run's world before their first chunk.

    Where fork exists the workers are forked after the caller built the world through
    ``tasks.world_for``, so they inherit it and start at once, and scripts need no
    ``if __name__ == "__main__"`` guard; Arrow and numpy reset their thread pools at fork.
    Elsewhere they are spawned and build the world themselves.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=tasks.warm,
        initargs=(scenario_json,),
    )
