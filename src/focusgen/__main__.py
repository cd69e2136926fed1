"""Run the CLI as ``python -m focusgen``."""

from focusgen.cli import main

main()
