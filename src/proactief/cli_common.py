"""What every command module shares: the consoles and the way an error ends a command."""

import typer
from rich.console import Console

__all__ = ["console", "err", "fail"]

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a clear error (in Dutch for the team) and return the Exit to raise."""
    err.print(f"[bold red]Fout:[/] {message}")
    return typer.Exit(code)
