"""Run the CLI as ``python -m focusgen``."""

from focusgen.launch import main

main()
