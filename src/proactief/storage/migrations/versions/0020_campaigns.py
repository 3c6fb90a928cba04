"""the campaigns that ran: their kind and their own ladder, for their cases' offers

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campagnes",
        sa.Column("naam", sa.String(length=100), primary_key=True),
        sa.Column("soort", sa.String(length=20), nullable=False),
        sa.Column("ladder", sa.Text(), nullable=True),
        sa.Column("bijgewerkt", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("campagnes")
