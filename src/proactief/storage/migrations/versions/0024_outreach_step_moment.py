"""outreach steps: the moment the offer was made at ('nu' or 'bij_bestaand_contact'), so
the funnel counts per moment

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outreach_steps") as batch:
        batch.add_column(sa.Column("moment", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outreach_steps") as batch:
        batch.drop_column("moment")
