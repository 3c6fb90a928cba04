"""honest offers: case owner, the account kept with a message, replies, automatic grants

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("naam", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("telefoon", sa.String(length=30), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("eigenaar_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cases_eigenaar_id_users", "users", ["eigenaar_id"], ["id"])
        batch.create_index("ix_cases_eigenaar_id", ["eigenaar_id"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("verantwoording", sa.Text(), nullable=True))
    op.create_table(
        "reply_routes",
        sa.Column("referentie", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_pseudonym", sa.String(length=40), nullable=False),
        sa.Column("kanaal", sa.String(length=20), nullable=False),
        sa.Column("adres_hash", sa.String(length=64), nullable=True),
        sa.Column("aangemaakt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("referentie"),
    )
    op.create_index("ix_reply_routes_case_id", "reply_routes", ["case_id"])
    op.create_index("ix_reply_routes_adres_hash", "reply_routes", ["adres_hash"])
    op.create_table(
        "replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bron_id", sa.String(length=300), nullable=False),
        sa.Column("kanaal", sa.String(length=20), nullable=False),
        sa.Column("ontvangen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("person_pseudonym", sa.String(length=40), nullable=True),
        sa.Column("soort", sa.String(length=20), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("afgehandeld_door", sa.String(length=100), nullable=True),
        sa.Column("bevestiging", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bron_id"),
    )
    op.create_index("ix_replies_case_id", "replies", ["case_id"])
    op.create_table(
        "automatic_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("regeling", sa.String(length=60), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("voorgesteld", sa.DateTime(timezone=True), nullable=False),
        sa.Column("besloten", sa.DateTime(timezone=True), nullable=True),
        sa.Column("door", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "regeling", name="uq_automatic_grants_case_regeling"),
    )
    op.create_index("ix_automatic_grants_case_id", "automatic_grants", ["case_id"])


def downgrade() -> None:
    op.drop_table("automatic_grants")
    op.drop_table("replies")
    op.drop_table("reply_routes")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("verantwoording")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_eigenaar_id")
        batch.drop_constraint("fk_cases_eigenaar_id_users", type_="foreignkey")
        batch.drop_column("eigenaar_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("telefoon")
        batch.drop_column("naam")
