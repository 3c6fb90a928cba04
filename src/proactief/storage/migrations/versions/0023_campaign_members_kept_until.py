"""campaign members: the day until which a campaign keeps that it approached a household
(its letter says so; retention deletes the row after it)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campagne_leden") as batch:
        batch.add_column(sa.Column("bewaren_tot", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campagne_leden") as batch:
        batch.drop_column("bewaren_tot")
