"""The ``focusgen`` command's entry point: load the CLI without cyclic GC passes, run it."""

from __future__ import annotations

from focusgen.gcpause import gc_paused


def main() -> None:
    """Load the CLI with the cyclic GC paused, freeze what it loaded, then run the command.

    Loading typer, rich, pydantic and the scenario models allocates enough objects to set
    off a full collection (~16 ms) that finds no garbage: all of it stays loaded until the
    command ends. Frozen, later collections skip it too.
    """
    with gc_paused(freeze=True):
        from focusgen.cli import main as cli_main
    cli_main()
