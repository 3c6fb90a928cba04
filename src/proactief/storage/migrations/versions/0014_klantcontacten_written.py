"""each contact attempt written to the contact registry (Klantinteracties) as a
Klantcontact

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "klantcontacten_geschreven",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("referentie", sa.String(length=10), nullable=False),
        sa.Column("klantcontact_uuid", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("tijdstip", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["contact_attempts.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("attempt_id"),
        sa.UniqueConstraint("referentie"),
    )
    op.create_index(
        "ix_klantcontacten_geschreven_case_id", "klantcontacten_geschreven", ["case_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_klantcontacten_geschreven_case_id", table_name="klantcontacten_geschreven")
    op.drop_table("klantcontacten_geschreven")
