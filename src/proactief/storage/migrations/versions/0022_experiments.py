"""experiments: randomised comparisons, their assignments, stopped arms and complaints

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "experimenten",
        sa.Column("naam", sa.String(length=100), primary_key=True),
        sa.Column("definitie", sa.Text(), nullable=False),
        sa.Column("gestart", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gestopt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reden", sa.String(length=300), nullable=True),
        sa.Column("resultaat", sa.Text(), nullable=True),
    )
    op.create_table(
        "experiment_toewijzingen",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "experiment", sa.String(length=100), sa.ForeignKey("experimenten.naam"), nullable=False
        ),
        sa.Column("eenheid", sa.String(length=80), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("arm", sa.String(length=60), nullable=False),
        sa.Column("getrokken", sa.String(length=60), nullable=False),
        sa.Column("stratum", sa.String(length=200), nullable=False),
        sa.Column("toegewezen", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("experiment", "eenheid", name="uq_experiment_toewijzingen_eenheid"),
    )
    op.create_index("ix_experiment_toewijzingen_case_id", "experiment_toewijzingen", ["case_id"])
    op.create_table(
        "experiment_stops",
        sa.Column(
            "experiment",
            sa.String(length=100),
            sa.ForeignKey("experimenten.naam"),
            primary_key=True,
        ),
        sa.Column("arm", sa.String(length=60), primary_key=True),
        sa.Column("gestopt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reden", sa.String(length=300), nullable=False),
    )
    op.create_table(
        "klachten",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("ontvangen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
    )
    op.create_index("ix_klachten_case_id", "klachten", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_klachten_case_id", table_name="klachten")
    op.drop_table("klachten")
    op.drop_table("experiment_stops")
    op.drop_index("ix_experiment_toewijzingen_case_id", table_name="experiment_toewijzingen")
    op.drop_table("experiment_toewijzingen")
    op.drop_table("experimenten")
