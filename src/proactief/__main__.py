"""Allow ``python -m proactief``."""

from proactief.cli import main

main()
