"""a sending service's own id on each outbox message (Notify's notification id), so its
delivery status finds the step

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("extern_id", sa.String(length=100), nullable=True))
        batch.create_unique_constraint("uq_outbox_extern_id", ["extern_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_extern_id", type_="unique")
        batch.drop_column("extern_id")
