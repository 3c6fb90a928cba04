"""Contact moments that already happen (issue 17, item 3; seed 000 sprint 1: offer help
at a moment of regular contact): a kwijtschelding request, a bijstand review, a desk
appointment, the yearly check-up. A municipality registers them (``proactief moment
add``, ``POST /api/v1/zaken/{id}/contactmomenten``, or a CloudEvent of type
``nl.gemeente.contactmoment``); an offer whose next such moment lies within
``aanpak.yaml`` ``moment.bestaand_contact_binnen_dagen`` gets the moment
``bij_bestaand_contact`` from the approach engine: its ladder waits until that day and
the worker brings the offer up then (the case page says so). When the day has passed,
the ladder goes on as usual: an offer is never lost to a moment that did not happen."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from proactief.offers import repository as repo
from proactief.offers.approach import load_approach_config

__all__ = ["ContactMoment", "MomentError", "next_moment", "register_moment"]


class MomentError(ValueError):
    """A contact moment that cannot be registered (Dutch, names the field)."""


@dataclass(frozen=True, slots=True)
class ContactMoment:
    """The next moment of contact of a person: its kind, its words and its day."""

    soort: str
    naam: str
    datum: date


def register_moment(
    conn: Connection,
    *,
    person_pseudonym: str,
    soort: str,
    datum: date,
    door: str,
    now: datetime,
    bron: str = "",
    bron_id: str | None = None,
) -> bool:
    """Register a moment; False when its source (``bron``, ``bron_id``) did already.

    Raises:
        MomentError: an unknown kind, or a day already past.
    """
    kinds = load_approach_config().moment.soorten
    if soort not in kinds:
        raise MomentError(f"soort '{soort}' is onbekend; kies uit {', '.join(kinds)}")
    if datum < now.date():
        raise MomentError(f"datum {datum} ligt in het verleden: registreer komende momenten")
    return repo.insert_contact_moment(
        conn,
        {
            "person_pseudonym": person_pseudonym,
            "soort": soort,
            "datum": datum,
            "geregistreerd": now,
            "door": door[:100],
            "bron": bron[:200],
            "bron_id": None if bron_id is None else bron_id[:200],
        },
    )


def next_moment(conn: Connection, person_pseudonym: str, today: date) -> ContactMoment | None:
    """The person's next contact moment within the window of aanpak.yaml, if any."""
    cfg = load_approach_config().moment
    found = repo.next_contact_moment(
        conn,
        person_pseudonym,
        since=today,
        until=today + timedelta(days=cfg.bestaand_contact_binnen_dagen),
    )
    if found is None:
        return None
    soort, day = found
    return ContactMoment(soort, cfg.soorten.get(soort, soort), day)
