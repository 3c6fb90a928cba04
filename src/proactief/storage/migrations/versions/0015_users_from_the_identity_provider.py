"""users of the municipality's identity provider (OIDC): their 'sub', and no password

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("extern_id", sa.String(length=255), nullable=True))
        batch.create_unique_constraint("uq_users_extern_id", ["extern_id"])
        batch.alter_column("wachtwoord_hash", existing_type=sa.String(length=300), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.alter_column("wachtwoord_hash", existing_type=sa.String(length=300), nullable=False)
        batch.drop_constraint("uq_users_extern_id", type_="unique")
        batch.drop_column("extern_id")
