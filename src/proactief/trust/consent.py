"""The preference and consent registry: record events, derive the current state.

Every change is appended (with when, how and by whom) and written to the audit trail in
the same transaction; nothing is overwritten.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache

from pydantic import RootModel
from sqlalchemy import Connection

from proactief.config import load_policy, policy_path
from proactief.domain import (
    Dagdeel,
    Doel,
    EventSoort,
    Kanaal,
    PreferenceEvent,
    PreferenceState,
    Wijze,
    fold_events,
)
from proactief.trust import repository as repo
from proactief.trust.access import PersonalDataAccess
from proactief.trust.audit import append_audit

__all__ = [
    "channel_events",
    "current_state",
    "events_of",
    "not_to_contact",
    "record_event",
    "record_events",
    "set_events",
]


def record_event(
    *,
    conn: Connection,
    person_pseudonym: str,
    soort: EventSoort,
    waarde: str = "",
    wijze: Wijze,
    door: str,
    now: datetime | None = None,
) -> PreferenceState:
    """Append a preference event and return the person's new state."""
    return record_events(
        conn=conn,
        person_pseudonym=person_pseudonym,
        events=[(soort, waarde)],
        wijze=wijze,
        door=door,
        now=now,
    )


def record_events(
    *,
    conn: Connection,
    person_pseudonym: str,
    events: Iterable[tuple[EventSoort, str]],
    wijze: Wijze,
    door: str,
    now: datetime | None = None,
) -> PreferenceState:
    """Append the events of one change (a form, an API call) in the caller's transaction
    and return the person's new state, read once."""
    tijdstip = now or datetime.now(UTC)
    for soort, waarde in events:
        _append(conn, person_pseudonym, soort, waarde, wijze, door, tijdstip)
    return current_state(conn=conn, person_pseudonym=person_pseudonym)


def channel_events(
    kanalen: Iterable[Kanaal], dagdeel: Dagdeel | None
) -> list[tuple[EventSoort, str]]:
    """The events for "contact me this way, in this order, at this part of day"."""
    return [
        (EventSoort.KANALEN, ",".join(dict.fromkeys(k.value for k in kanalen))),
        (EventSoort.DAGDEEL, dagdeel.value if dagdeel else ""),
    ]


def set_events(
    current: Iterable[str], chosen: Iterable[str], on: EventSoort, off: EventSoort
) -> list[tuple[EventSoort, str]]:
    """The events that turn the current set of choices into the chosen one: only what
    changed (an agreement per kind of message, an organisation to share with)."""
    now, wanted = set(current), set(chosen)
    return [(on, v) for v in sorted(wanted - now)] + [(off, v) for v in sorted(now - wanted)]


def _append(
    conn: Connection,
    person_pseudonym: str,
    soort: EventSoort,
    waarde: str,
    wijze: Wijze,
    door: str,
    tijdstip: datetime,
) -> None:
    repo.insert_preference_event(
        conn,
        {
            "person_pseudonym": person_pseudonym,
            "soort": soort.value,
            "waarde": waarde,
            "tijdstip": tijdstip,
            "wijze": wijze.value,
            "door": door,
        },
    )
    append_audit(
        conn,
        actor=door,
        actie="wijzig",
        doel=Doel.VROEGSIGNALERING.value,
        gegevens=f"voorkeuren.{soort.value}",
        subject=person_pseudonym,
        details={"wijze": wijze.value},
        now=tijdstip,
    )


def events_of(
    *, conn: Connection, person_pseudonym: str, actor: str = "systeem"
) -> list[PreferenceEvent]:
    """The person's events, oldest first (a purpose-bound, audited read)."""
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        ["preference_events.*"], subject=person_pseudonym
    )
    return [
        PreferenceEvent(
            person_pseudonym=row.person_pseudonym,
            soort=EventSoort(row.soort),
            waarde=row.waarde,
            tijdstip=row.tijdstip if row.tijdstip.tzinfo else row.tijdstip.replace(tzinfo=UTC),
            wijze=Wijze(row.wijze),
            door=row.door,
        )
        for row in repo.preference_event_rows(grant, person_pseudonym)
    ]


def not_to_contact(*, conn: Connection, persons: Sequence[str], actor: str) -> set[str]:
    """Which of these persons do not want to be approached: one purpose-bound, audited read
    for a page of the work queue (the flag on each row)."""
    if not persons:
        return set()
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        ["preference_events.person_pseudonym", "preference_events.soort"],
        about={"niet_benaderen": len(persons)},
    )
    return repo.opted_out_persons(
        grant.require(["preference_events.person_pseudonym", "preference_events.soort"]),
        among=persons,
    )


def current_state(*, conn: Connection, person_pseudonym: str) -> PreferenceState:
    """The person's preferences now, derived from all their events."""
    return fold_events(events_of(conn=conn, person_pseudonym=person_pseudonym))


SharingFile = RootModel[dict[str, str]]
"""config/delen.yaml: organisation key -> what the resident reads."""


@cache
def sharing_options() -> dict[str, str]:
    """With whom a resident may let the municipality share their case (warme overdracht):
    config/delen.yaml (or the municipality's own), organisation key -> what the resident
    reads."""
    return load_policy(policy_path("delen.yaml"), SharingFile).root
