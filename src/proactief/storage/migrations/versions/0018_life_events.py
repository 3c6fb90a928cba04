"""life events (CloudEvents) waiting for their moment, and the event a case came from

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "levensgebeurtenissen",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("bron", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("soort", sa.String(length=60), nullable=False),
        sa.Column("person_pseudonym", sa.String(length=40), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("ontvangen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("aanbod_vanaf", sa.Date(), nullable=True),
        sa.Column("aanbod_tot", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reden", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.UniqueConstraint("bron", "event_id", name="uq_levensgebeurtenissen_bron_id"),
    )
    op.create_index("ix_levensgebeurtenissen_person", "levensgebeurtenissen", ["person_pseudonym"])
    op.create_index(
        "ix_levensgebeurtenissen_wacht", "levensgebeurtenissen", ["status", "aanbod_vanaf"]
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("gebeurtenis", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("gebeurtenis")
    op.drop_index("ix_levensgebeurtenissen_wacht", table_name="levensgebeurtenissen")
    op.drop_index("ix_levensgebeurtenissen_person", table_name="levensgebeurtenissen")
    op.drop_table("levensgebeurtenissen")
