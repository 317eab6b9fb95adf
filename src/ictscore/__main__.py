"""`python -m ictscore` runs the command-line interface."""

from ictscore.cli import main

main()
