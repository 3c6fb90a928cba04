"""funnel aggregates: the counts of deleted cases per breakdown (origin, segment, tone,
moment, ladder, experiment arm), kept by retention so the evaluation's funnels hold after

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "funnel_aggregaten",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("maand", sa.String(length=7), nullable=False),
        sa.Column("dimensie", sa.String(length=20), nullable=False),
        sa.Column("waarde", sa.String(length=200), nullable=False),
        sa.Column("zaken", sa.Integer(), nullable=False),
        sa.Column("bereikt", sa.Integer(), nullable=False),
        sa.Column("geaccepteerd", sa.Integer(), nullable=False),
        sa.Column("geholpen", sa.Integer(), nullable=False),
        sa.Column("dagen_bereikt_som", sa.Integer(), nullable=False),
        sa.Column("dagen_bereikt_n", sa.Integer(), nullable=False),
        sa.Column("ontvangen", sa.Integer(), nullable=False),
        sa.Column("verwijderd_op", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("funnel_aggregaten")
