"""team work: the case log, feedback to creditors, the follow-up and next ladder date,
who made an attempt, the queue's derived status and next action

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("vervolg_datum", sa.Date(), nullable=True))
        batch.add_column(sa.Column("vervolg", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("volgende_stap_datum", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "wachtrij_status", sa.String(length=20), nullable=False, server_default="nieuw"
            )
        )
        batch.add_column(sa.Column("volgende_actie_datum", sa.Date(), nullable=True))
        batch.create_index("ix_cases_volgende_actie_datum", ["volgende_actie_datum"])
    with op.batch_alter_table("contact_attempts") as batch:
        batch.add_column(sa.Column("door", sa.String(length=100), nullable=True))
    op.create_table(
        "case_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("tijdstip", sa.DateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column("soort", sa.String(length=30), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_log_case_id", "case_log", ["case_id"])
    op.create_table(
        "form_submissions",
        sa.Column("sleutel", sa.String(length=64), nullable=False),
        sa.Column("tijdstip", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sleutel"),
    )
    op.create_index("ix_form_submissions_tijdstip", "form_submissions", ["tijdstip"])
    op.create_table(
        "terugkoppelingen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("signal_row_id", sa.Integer(), nullable=False),
        sa.Column("signaalpartner", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("incasso_pauze_tot", sa.Date(), nullable=True),
        sa.Column("verstuurd", sa.DateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["signal_row_id"], ["signals.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("signal_row_id", "status", name="uq_terugkoppelingen_signal_status"),
    )
    op.create_index("ix_terugkoppelingen_signal_row_id", "terugkoppelingen", ["signal_row_id"])
    op.create_index(
        "ix_cases_open_priority",
        "cases",
        ["priority", "id"],
        sqlite_where=sa.text("eindresultaat IS NULL"),
        postgresql_where=sa.text("eindresultaat IS NULL"),
    )
    # the derived fields of the cases there are: the same rules as
    # early_detection.queue (no step or attempt yet: due from the matching date; reached
    # or accepted: the ladder stops)
    touched = (
        "(EXISTS (SELECT 1 FROM contact_attempts a WHERE a.case_id = cases.id) OR "
        "EXISTS (SELECT 1 FROM outreach_steps s WHERE s.case_id = cases.id))"
    )
    reached = "EXISTS (SELECT 1 FROM contact_attempts a WHERE a.case_id = cases.id AND a.bereikt)"
    op.execute(
        "UPDATE cases SET wachtrij_status = CASE "
        "WHEN datum_hulp_geaccepteerd IS NOT NULL THEN 'hulp_aangenomen' "
        f"WHEN {reached} THEN 'bereikt' WHEN {touched} THEN 'benaderd' ELSE 'nieuw' END"
    )
    task = (
        "(SELECT min(date(s.tijdstip)) FROM outreach_steps s "
        "WHERE s.case_id = cases.id AND s.status = 'taak_open')"
    )
    op.execute(
        f"UPDATE cases SET volgende_actie_datum = COALESCE({task}, "
        f"CASE WHEN NOT {touched} THEN matchingsdatum END)"
    )


def downgrade() -> None:
    op.drop_index("ix_form_submissions_tijdstip", table_name="form_submissions")
    op.drop_table("form_submissions")
    op.drop_index("ix_terugkoppelingen_signal_row_id", table_name="terugkoppelingen")
    op.drop_table("terugkoppelingen")
    op.drop_index("ix_cases_open_priority", table_name="cases")
    op.drop_index("ix_case_log_case_id", table_name="case_log")
    op.drop_table("case_log")
    with op.batch_alter_table("contact_attempts") as batch:
        batch.drop_column("door")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_volgende_actie_datum")
        batch.drop_column("volgende_actie_datum")
        batch.drop_column("wachtrij_status")
        batch.drop_column("volgende_stap_datum")
        batch.drop_column("vervolg")
        batch.drop_column("vervolg_datum")
