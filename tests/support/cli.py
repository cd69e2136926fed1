"""Run the focusgen command line in this process: its exit code and everything it printed."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from focusgen.cli import run


@dataclass
class CliResult:
    """How a command ended: 0, 1 (a failed check) or 2 (a bad option), and its output."""

    exit_code: int
    output: str  # stdout and stderr together, as a terminal shows them


def invoke(*args: str) -> CliResult:
    """Run ``focusgen ARGS...`` as the console script would, without a new process."""
    printed = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            run(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
    return CliResult(code, printed.getvalue())
