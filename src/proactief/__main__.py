"""Allow ``python -m proactief``."""

from proactief.cli.app import main

# guarded: a reading process that intake starts (multiprocessing, spawn) imports this
# module again under another name, and must not run the command line a second time
if __name__ == "__main__":
    main()
