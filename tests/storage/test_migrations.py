"""The Alembic migrations stay in step with the tables.

The layering rules that used to live here are import-linter contracts now
(``[tool.importlinter]`` in pyproject.toml, run by scripts/test.sh)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from proactief.storage.tables import metadata, ours


def test_migrations_match_the_tables(engine: Engine) -> None:
    """Alembic finds nothing to change after upgrading to head."""
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": ours}), metadata
        )
    assert diff == []
