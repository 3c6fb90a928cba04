"""team work: the case log, the follow-up and next ladder date, who made an attempt

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("vervolg_datum", sa.Date(), nullable=True))
        batch.add_column(sa.Column("vervolg", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("volgende_stap_datum", sa.Date(), nullable=True))
    with op.batch_alter_table("contact_attempts") as batch:
        batch.add_column(sa.Column("door", sa.String(length=100), nullable=True))
    op.create_table(
        "case_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("tijdstip", sa.DateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column("soort", sa.String(length=30), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_log_case_id", "case_log", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_log_case_id", table_name="case_log")
    op.drop_table("case_log")
    with op.batch_alter_table("contact_attempts") as batch:
        batch.drop_column("door")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("volgende_stap_datum")
        batch.drop_column("vervolg")
        batch.drop_column("vervolg_datum")
