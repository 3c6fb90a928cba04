"""the household of a case: a keyed hash of the resident's address in the BRP

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("huishouden", sa.String(length=64), nullable=True))
        batch.create_index("ix_cases_huishouden", ["huishouden"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_huishouden")
        batch.drop_column("huishouden")
