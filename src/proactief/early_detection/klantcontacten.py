"""Every contact attempt written to the municipality's contact registry (Klantinteracties,
Open Klant) as a Klantcontact, so its contact centre sees what Proactief did: the
person's partij as betrokkene, the case as onderwerpobject, the channel and whether the
resident was reached. No text a resident wrote and nothing about debts goes along; the
Klantcontact is marked vertrouwelijk.

Once per attempt, also after a crash: each carries the reference ``PF<attempt id>``, the
registry is asked for it before writing (the write itself is one request that makes the
Klantcontact, betrokkene and onderwerpobject together or not at all), and what was
written is kept in ``klantcontacten_geschreven`` in the transaction that follows.
"""

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select

from proactief.domain import Contactsoort, Dagdeel
from proactief.sources.klantinteracties import KlantcontactIn
from proactief.storage.tables import cases, contact_attempts, klantcontacten_geschreven
from proactief.trust.identity import bsn_for_contact

log = logging.getLogger(__name__)

__all__ = ["KlantcontactRegistry", "WriteResult", "referentie_of", "write_klantcontacten"]

ONDERWERP = "Vroegsignalering: aanbod van hulp bij geldzorgen"
ONDERWERP_AANBOD = "Aanbod van geld en hulp waar de inwoner misschien recht op heeft"
"""A case a campaign or a life event made: no signal, an offer from the scan."""
KANAAL = {
    Contactsoort.BRIEF.value: "brief",
    Contactsoort.MAIL.value: "e-mail",
    Contactsoort.SMS_WHATSAPP.value: "sms",
    Contactsoort.TELEFOON.value: "telefoon",
    Contactsoort.HUISBEZOEK.value: "huisbezoek",
}
"""The DDAS contactsoort as the contact centre names the channel."""
_HOUR = {Dagdeel.OCHTEND: 10, Dagdeel.MIDDAG: 14, Dagdeel.AVOND: 19}
"""Roughly when in the day part it happened (the registry asks for a moment; DDAS keeps a
day part)."""

Begin = Callable[[], AbstractContextManager[Connection]]


class KlantcontactRegistry(Protocol):
    """What is asked of the registry (``sources.klantinteracties.KlantinteractiesClient``)."""

    def partij_uuid(self, bsn: str) -> str | None: ...

    def klantcontact_by_referentie(self, referentie: str) -> str | None: ...

    def maak_klantcontact(self, contact: KlantcontactIn) -> str: ...


@dataclass(frozen=True, slots=True)
class WriteResult:
    geschreven: int = 0
    """Written now (or found written by an earlier run that broke off)."""
    geen_partij: int = 0
    """The registry knows no partij for the person: not written, and not tried again."""
    mislukt: int = 0
    """The registry did not answer or refused: tried again at the next run."""

    def summary(self) -> str:
        return (
            f"{self.geschreven} klantcontacten geschreven"
            + (f", {self.geen_partij} zonder partij" if self.geen_partij else "")
            + (f", {self.mislukt} mislukt (volgende keer opnieuw)" if self.mislukt else "")
        )


def referentie_of(attempt_id: int) -> str:
    """The attempt's reference in the registry (at most 10 characters, as it allows)."""
    return f"PF{attempt_id:08d}"


def write_klantcontacten(
    *,
    begin: Begin,
    registry: KlantcontactRegistry,
    now: datetime,
    limit: int = 500,
    actor: str = "systeem:klantcontact",
) -> WriteResult:
    """Write the attempts not written yet (oldest first, at most ``limit``), each in its
    own transaction."""
    with begin() as conn:
        pending = conn.execute(
            select(
                contact_attempts.c.id,
                contact_attempts.c.case_id,
                contact_attempts.c.soort,
                contact_attempts.c.datum,
                contact_attempts.c.dagdeel,
                contact_attempts.c.bereikt,
                cases.c.person_pseudonym,
                cases.c.campagne,
            )
            .join(cases, cases.c.id == contact_attempts.c.case_id)
            .outerjoin(
                klantcontacten_geschreven,
                klantcontacten_geschreven.c.attempt_id == contact_attempts.c.id,
            )
            .where(klantcontacten_geschreven.c.attempt_id.is_(None))
            .order_by(contact_attempts.c.id)
            .limit(limit)
        ).all()
    written = no_partij = failed = 0
    for row in pending:
        referentie = referentie_of(row.id)
        try:
            with begin() as conn:
                if conn.execute(
                    select(klantcontacten_geschreven.c.attempt_id).where(
                        klantcontacten_geschreven.c.attempt_id == row.id
                    )
                ).first():
                    continue  # another run wrote it meanwhile
                bsn = bsn_for_contact(conn=conn, person_pseudonym=row.person_pseudonym, actor=actor)
                partij = registry.partij_uuid(bsn) if bsn else None
                uuid = None
                if partij is not None:
                    uuid = registry.klantcontact_by_referentie(referentie)
                    if uuid is None:
                        hour = _HOUR.get(Dagdeel(row.dagdeel), 12) if row.dagdeel else 12
                        uuid = registry.maak_klantcontact(
                            KlantcontactIn(
                                partij_uuid=partij,
                                zaak=str(row.case_id),
                                kanaal=KANAAL.get(row.soort, row.soort.lower()),
                                onderwerp=ONDERWERP if row.campagne is None else ONDERWERP_AANBOD,
                                inhoud=f"Contactpoging ({KANAAL.get(row.soort, row.soort)}) "
                                f"vanuit Proactief voor zaak {row.case_id}: de inwoner werd "
                                + ("bereikt." if row.bereikt else "niet bereikt."),
                                gelukt=bool(row.bereikt),
                                moment=datetime.combine(
                                    row.datum, time(hour), tzinfo=ZoneInfo("Europe/Amsterdam")
                                ),
                                referentie=referentie,
                                objecttype="vroegsignaalzaak"
                                if row.campagne is None
                                else "aanbodzaak",
                            )
                        )
                conn.execute(
                    insert(klantcontacten_geschreven).values(
                        attempt_id=row.id,
                        case_id=row.case_id,
                        referentie=referentie,
                        klantcontact_uuid=uuid,
                        status="geschreven" if uuid else "geen_partij",
                        tijdstip=now,
                    )
                )
        except Exception as exc:  # the registry's errors: the attempt waits for next time
            failed += 1
            log.warning("klantcontact %s not written: %s", referentie, type(exc).__name__)
            continue
        if uuid:
            written += 1
        else:
            no_partij += 1
    return WriteResult(written, no_partij, failed)
