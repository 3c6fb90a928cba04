"""offer outcomes: each regulation an offer named, and whether the household got the money
by a later scan

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aanbod_uitkomsten",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("household_id", sa.String(length=40), nullable=True),
        sa.Column("regeling", sa.String(length=40), nullable=False),
        sa.Column("herkomst", sa.String(length=120), nullable=False),
        sa.Column("bedrag_centen_aanbod", sa.Integer(), nullable=True),
        sa.Column("aangeboden", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ontvangen_op", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bedrag_centen_ontvangen", sa.Integer(), nullable=True),
        sa.UniqueConstraint("case_id", "regeling", name="uq_aanbod_uitkomsten_case_regeling"),
    )
    op.create_index(
        "ix_aanbod_uitkomsten_open", "aanbod_uitkomsten", ["household_id", "ontvangen_op"]
    )


def downgrade() -> None:
    op.drop_index("ix_aanbod_uitkomsten_open", table_name="aanbod_uitkomsten")
    op.drop_table("aanbod_uitkomsten")
