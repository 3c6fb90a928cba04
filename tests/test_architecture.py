"""House rules that machines check: layering, migrations in step with the tables."""

import ast
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from proactief.storage.tables import metadata

SRC = Path(__file__).resolve().parents[1] / "src" / "proactief"


CAPABILITIES = (
    "proactief.early_detection",
    "proactief.entitlements",
    "proactief.segmentation",
    "proactief.offers",
    "proactief.trust",
    "proactief.accounts",
    "proactief.evaluation",
)
ON_TOP = ("proactief.cli", "proactief.web", "proactief.demo")
FRAMEWORKS = ("sqlalchemy", "alembic", "fastapi", "typer", "rich")


def imports_of(package: str, *, without: tuple[str, ...] = ()) -> set[str]:
    """Every module imported anywhere in ``package`` (a folder under src/proactief), except
    in the files named in ``without``. A folder that is not there is an error, so a renamed
    package cannot make a rule pass by checking nothing."""
    folder = SRC / package
    assert folder.is_dir(), f"{folder} does not exist: update the layering rules"
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        if path.relative_to(folder).as_posix() in without:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
    return found


def others(*packages: str) -> tuple[str, ...]:
    """The capability packages other than ``packages``."""
    return tuple(c for c in CAPABILITIES if c not in packages)


@pytest.mark.parametrize(
    ("package", "without", "forbidden"),
    [
        ("domain", (), (*FRAMEWORKS, "proactief.storage", *CAPABILITIES, *ON_TOP)),
        ("sources", (), ("sqlalchemy", "proactief.storage", *CAPABILITIES, *ON_TOP)),
        ("channels", (), ("sqlalchemy", "proactief.storage", *CAPABILITIES, *ON_TOP, "typer")),
        ("storage", (), (*CAPABILITIES, *ON_TOP, "typer", "rich")),
        # trust and accounts sit below the capabilities that use them
        ("trust", (), (*others("proactief.trust"), *ON_TOP, "typer", "rich")),
        ("accounts", (), (*others("proactief.accounts"), *ON_TOP, "typer", "rich")),
        (
            "early_detection",
            (),
            (*others("proactief.early_detection", "proactief.trust"), *ON_TOP, "typer", "rich"),
        ),
        # the rules engine and regelingen/: no database, no web; only scan.py stores
        (
            "entitlements",
            ("scan.py",),
            (*FRAMEWORKS, "proactief.storage", *others("proactief.entitlements"), *ON_TOP),
        ),
        (
            "entitlements",
            (),
            (*others("proactief.entitlements", "proactief.trust"), *ON_TOP, "typer", "rich"),
        ),
        ("offers", (), ("proactief.evaluation", *ON_TOP, "typer", "rich")),
        ("evaluation", (), ("proactief.offers", *ON_TOP, "typer", "rich")),
    ],
)
def test_layers_point_one_way(
    package: str, without: tuple[str, ...], forbidden: tuple[str, ...]
) -> None:
    bad = {
        name
        for name in imports_of(package, without=without)
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


def test_command_modules_share_only_the_common_context() -> None:
    """No command module imports another (only cli/app.py puts them together)."""
    folder = SRC / "cli"
    for path in folder.glob("*.py"):
        if path.name in {"app.py", "__init__.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert {m for m in modules if m.startswith("proactief.cli")} <= {"proactief.cli.common"}


def test_migrations_match_the_tables(engine: Engine) -> None:
    """Alembic finds nothing to change after upgrading to head."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
