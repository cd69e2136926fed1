"""Arrow allocator policy: jemalloc by default, the user's choice respected."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

from focusgen import memory

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or "jemalloc" not in pa.supported_memory_backends(),
    reason="jemalloc ships in Arrow's Linux wheels only",
)

GENERATE_AFTER_PYARROW = """
import sys, tempfile
import pyarrow as pa
pa.array([1, 2, 3])  # the default pool has served memory before focusgen loads
from focusgen import Scenario, generate
with tempfile.TemporaryDirectory() as out:
    generate(Scenario(providers="aws", rows=300, output={"path": out}), workers=1)
print(pa.default_memory_pool().backend_name)
"""


def _backend(code: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_importing_focusgen_first_gives_arrow_jemalloc():
    code = "import focusgen, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    assert _backend(code) == "jemalloc"


def test_generate_switches_a_pool_chosen_before_focusgen_loaded():
    assert _backend(GENERATE_AFTER_PYARROW) == "jemalloc"


@pytest.mark.parametrize("choice", ["system", "mimalloc"])
def test_the_users_allocator_wins(choice):
    code = "import focusgen, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    assert _backend(code, ARROW_DEFAULT_MEMORY_POOL=choice) == choice
    assert _backend(GENERATE_AFTER_PYARROW, ARROW_DEFAULT_MEMORY_POOL=choice) == choice


class _CountingLibc:
    def __init__(self) -> None:
        self.trims = 0

    def malloc_trim(self, pad: int) -> int:
        self.trims += 1
        return 1

    def mallopt(self, option: int, value: int) -> int:
        return 1


def test_free_pages_go_back_unless_the_process_ends_after_its_run(monkeypatch):
    libc = _CountingLibc()
    monkeypatch.setattr(memory, "_libc", lambda: libc)
    monkeypatch.setattr(memory, "_give_back", True)
    memory.return_free_pages()
    assert libc.trims == 1  # a long-lived process (library, web app) gives pages back
    memory.process_ends_after_run()
    memory.return_free_pages()
    assert libc.trims == 1  # the CLI's process is about to exit: nothing to give back
