"""Allow ``python -m proactief``."""

from proactief.cli.app import main

main()
