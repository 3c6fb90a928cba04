"""background tasks: the history of every run, and on PostgreSQL procrastinate's queue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "taak_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taak", sa.String(length=40), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("gestart", sa.DateTime(timezone=True), nullable=False),
        sa.Column("klaar", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("samenvatting", sa.String(length=300), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_taak_runs_taak", "taak_runs", ["taak"])
    op.create_index("ix_taak_runs_gestart", "taak_runs", ["gestart"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # the queue of the workers: procrastinate's schema of the pinned version
        # (pyproject.toml); a newer procrastinate brings its migrations as a new revision
        from procrastinate.schema import SchemaManager

        # the driver reads % as a placeholder; the schema has literal ones in messages
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    op.drop_index("ix_taak_runs_gestart", table_name="taak_runs")
    op.drop_index("ix_taak_runs_taak", table_name="taak_runs")
    op.drop_table("taak_runs")
