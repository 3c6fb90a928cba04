"""The command line (Typer + rich): one module per command group, one shared context."""
