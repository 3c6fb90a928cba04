"""House rules that machines check: layering, migrations in step with the tables."""

import ast
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from proactief.storage.tables import metadata

SRC = Path(__file__).resolve().parents[1] / "src" / "proactief"


def imports_of(package: str) -> set[str]:
    found: set[str] = set()
    for path in (SRC / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "domain",
            (
                "sqlalchemy",
                "alembic",
                "fastapi",
                "typer",
                "rich",
                "proactief.storage",
                "proactief.pipeline",
                "proactief.cli.app",
            ),
        ),
        ("sources", ("sqlalchemy", "proactief.storage", "proactief.pipeline", "proactief.cli.app")),
        (
            "channels",
            ("sqlalchemy", "proactief.storage", "proactief.pipeline", "proactief.cli.app", "typer"),
        ),
        ("storage", ("proactief.pipeline", "proactief.cli.app", "typer", "rich")),
        ("pipeline", ("proactief.cli.app", "typer", "rich", "proactief.demo")),
        (
            "rules",
            (
                "sqlalchemy",
                "alembic",
                "fastapi",
                "typer",
                "rich",
                "proactief.storage",
                "proactief.pipeline",
                "proactief.cli.app",
                "proactief.demo",
            ),
        ),
    ],
)
def test_layers_point_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    bad = {
        name
        for name in imports_of(package)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert bad == set()


def test_segmentation_imports_nothing_else_from_proactief() -> None:
    """segmentation could become a package of its own."""
    outside = {
        name
        for name in imports_of("segmentation")
        if name.startswith("proactief") and not name.startswith("proactief.segmentation")
    }
    assert outside == set()


def test_migrations_match_the_tables(engine: Engine) -> None:
    """Alembic finds nothing to change after upgrading to head."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
