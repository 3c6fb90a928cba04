"""Allow ``python -m proactief``."""

from proactief.cli.app import main

# guarded, so that importing this module (a tool that loads the main module again, such
# as multiprocessing's spawn) does not run the command line a second time
if __name__ == "__main__":
    main()
