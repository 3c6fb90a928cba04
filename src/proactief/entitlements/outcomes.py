"""Money unlocked (issue 18, item 1, part): each regulation an offer named, and whether a
later scan found the household receiving it.

``record_offered`` keeps, when an offer is sent in full (a letter or an e-mail), each
regulation it named with the amount it named; ``record_receipts`` runs with every stored
scan and marks an open one received when the new scan says the household now gets that
regulation (status ``ontvangt``), with the amount a year the scan computed. Who received
is never shown: the dashboard counts per regulation and origin (evaluation.funnel).
"""

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, select, update

from proactief.storage.queries import Values, insert_ignore
from proactief.storage.tables import aanbod_uitkomsten

__all__ = ["open_offers", "record_offered", "record_receipts"]


def record_offered(conn: Connection, rows: Sequence[Values]) -> None:
    """Keep the regulations an offer named (once per case and regulation)."""
    insert_ignore(conn, aanbod_uitkomsten, list(rows))


def record_receipts(conn: Connection, results: pd.DataFrame, now: datetime) -> int:
    """Mark every open offered regulation whose household the scan ``results`` (one row
    per household, ``<regeling>_status`` and ``<regeling>_bedrag_centen``) finds
    receiving it; how many were marked."""
    open_rows = conn.execute(
        select(
            aanbod_uitkomsten.c.id,
            aanbod_uitkomsten.c.household_id,
            aanbod_uitkomsten.c.regeling,
            aanbod_uitkomsten.c.bedrag_centen_aanbod,
        ).where(
            aanbod_uitkomsten.c.ontvangen_op.is_(None),
            aanbod_uitkomsten.c.household_id.is_not(None),
        )
    ).all()
    if not open_rows or "household_id" not in results.columns:
        return 0
    by_household = results.set_index(results["household_id"].astype(str))
    marked = 0
    for row in open_rows:
        status_column = f"{row.regeling}_status"
        if row.household_id not in by_household.index or status_column not in results.columns:
            continue
        found = by_household.loc[row.household_id]
        if isinstance(found, pd.DataFrame):  # a household id twice: take the first
            found = found.iloc[0]
        if str(found[status_column]) != "ontvangt":
            continue
        cents = found.get(f"{row.regeling}_bedrag_centen")
        amount = (
            int(cents)
            if cents is not None and not pd.isna(cents) and int(cents) > 0
            else row.bedrag_centen_aanbod
        )
        conn.execute(
            update(aanbod_uitkomsten)
            .where(aanbod_uitkomsten.c.id == row.id)
            .values(ontvangen_op=now, bedrag_centen_ontvangen=amount)
        )
        marked += 1
    return marked


def open_offers(conn: Connection) -> list[tuple[str, str]]:
    """(household, regulation) of every offered regulation with an amount that no scan
    found received yet (the demo's second scan lets some of them claim)."""
    return [
        (str(h), str(r))
        for h, r in conn.execute(
            select(aanbod_uitkomsten.c.household_id, aanbod_uitkomsten.c.regeling).where(
                aanbod_uitkomsten.c.ontvangen_op.is_(None),
                aanbod_uitkomsten.c.household_id.is_not(None),
                aanbod_uitkomsten.c.bedrag_centen_aanbod.is_not(None),
            )
        )
    ]
