"""experiments: when the guardrails were last checked (an assignment checks them at most
once per the experiment's interval, so a year of assignments does not count every unit
again for each new one), and an index on the assignments' unit (looked up by the unit
alone before every first message)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("experimenten") as batch:
        batch.add_column(sa.Column("vangrails_getoetst", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_experiment_toewijzingen_eenheid", "experiment_toewijzingen", ["eenheid"])


def downgrade() -> None:
    op.drop_index("ix_experiment_toewijzingen_eenheid", table_name="experiment_toewijzingen")
    with op.batch_alter_table("experimenten") as batch:
        batch.drop_column("vangrails_getoetst")
