"""contact moments that already happen (a kwijtschelding request, a bijstand review, a
desk appointment, the yearly check-up), and the kind of campaign that approached a
household (a yearly check-up: once a year)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contactmomenten",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person_pseudonym", sa.String(length=40), nullable=False),
        sa.Column("soort", sa.String(length=40), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("geregistreerd", sa.DateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column("bron", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("bron_id", sa.String(length=200), nullable=True),
        sa.UniqueConstraint("bron", "bron_id", name="uq_contactmomenten_bron_id"),
    )
    op.create_index(
        "ix_contactmomenten_person_datum", "contactmomenten", ["person_pseudonym", "datum"]
    )
    with op.batch_alter_table("campagne_leden") as batch:
        batch.add_column(
            sa.Column("soort", sa.String(length=20), nullable=False, server_default="campagne")
        )


def downgrade() -> None:
    with op.batch_alter_table("campagne_leden") as batch:
        batch.drop_column("soort")
    op.drop_index("ix_contactmomenten_person_datum", table_name="contactmomenten")
    op.drop_table("contactmomenten")
