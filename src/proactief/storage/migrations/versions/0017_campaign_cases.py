"""campaign cases: a case a campaign made (cases.campagne), and which household each
campaign approached, once (campagne_leden)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("campagne", sa.String(length=100), nullable=True))
        batch.create_index("ix_cases_campagne", ["campagne"])
    op.create_table(
        "campagne_leden",
        sa.Column("campagne", sa.String(length=100), nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("uitkomst", sa.String(length=20), nullable=False),
        sa.Column("aangemaakt", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campagne", "household_id"),
    )
    op.create_index("ix_campagne_leden_aangemaakt", "campagne_leden", ["campagne", "aangemaakt"])


def downgrade() -> None:
    op.drop_index("ix_campagne_leden_aangemaakt", table_name="campagne_leden")
    op.drop_table("campagne_leden")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_campagne")
        batch.drop_column("campagne")
