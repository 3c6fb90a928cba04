"""outbox for exactly-once delivery

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("referentie", sa.String(length=100), nullable=False),
        sa.Column("kanaal", sa.String(length=20), nullable=False),
        sa.Column("envelop", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pogingen", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("aangemaakt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("afgerond", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["step_id"], ["outreach_steps.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("step_id"),
        sa.UniqueConstraint("referentie"),
    )
    op.create_index("ix_outbox_status", "outbox", ["status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_table("outbox")
