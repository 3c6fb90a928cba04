"""Life events as triggers (issue 17, item 2): a birth, a move into or within the
municipality, the end of a marriage or partnership, a death, and where a legal basis is
configured an income drop, each arriving as a CloudEvent 1.0 (the CNCF ``cloudevents``
SDK reads it: a JSON file in the drop folder, or ``POST /api/v1/gebeurtenissen``).

- Each kind is configured in ``config/levensgebeurtenissen.yaml`` with its purpose (legal
  basis, checked against doelen.yaml), the regulations it re-checks for the household,
  and its moment: not before the event date + ``wacht_dagen``, not after + ``uiterlijk_dagen``.
- An event that is not a valid CloudEvent, of an unknown kind, of a kind without a basis,
  about no valid BSN (elfproef) or without a valid date is quarantined with its reason,
  like a signal (the raw text keeps a valid BSN only as its pseudonym). A stored event is
  stored once: (source, id) is its key.
- A death stops every ladder of the person (the 'overleden' preference event the door and
  the approach engine obey), ends their waiting events, and never leads to an offer.
- When an event's moment comes (``run_due_events``), the person's household is looked up
  in the newest stored scan for the kind's regulations; money found makes a case of its
  own (``cases.gebeurtenis``), offered through the same engine, door and ladder as a
  campaign case; its messages say what happened and who told us.
"""

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Connection

from proactief.config import load_policy, policy_path
from proactief.domain import Doel, EventSoort, RegelingStatus, Wijze
from proactief.early_detection import repository as early_repo
from proactief.entitlements.scan import household_entitlements
from proactief.offers import repository as repo
from proactief.offers.approach import load_approach_config
from proactief.offers.moments import register_moment
from proactief.trust.audit import append_audit
from proactief.trust.consent import current_state, record_event
from proactief.trust.pseudonyms import Pseudonymizer, is_valid_bsn
from proactief.trust.purposes import load_purposes

__all__ = [
    "EventIntake",
    "EventRun",
    "LifeEventKind",
    "events_of_body",
    "intake_events",
    "load_life_events_config",
    "run_due_events",
]

_BSN_LIKE = re.compile(r"(?<!\d)\d{9}(?!\d)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(text: str) -> str:
    """Text a database stores as given (PostgreSQL refuses NUL in text)."""
    return _CONTROL.sub("\ufffd", text)


NO_MONEY = "de regelingencheck vindt bij deze gebeurtenis geen geld voor dit huishouden"
OFFERED = {RegelingStatus.RECHT_NIET_ONTVANGEN, RegelingStatus.MOGELIJK_RECHT_GEGEVENS_NODIG}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LifeEventKind(_Strict):
    """One kind of life event (config/levensgebeurtenissen.yaml)."""

    naam: str
    doel: Doel | None
    """The purpose (legal basis) it is processed under; None: no basis, quarantined."""
    regelingen: tuple[str, ...] = ()
    wacht_dagen: int = Field(default=0, ge=0)
    uiterlijk_dagen: int | None = Field(default=None, ge=0)
    reden: str
    bron: str | None = None
    zin: str | None = None
    stopt_contact: bool = False
    registreert_moment: bool = False
    """The event registers a contact moment (data.soort, data.datum), not an offer."""

    @model_validator(mode="after")
    def _complete(self) -> "LifeEventKind":
        offers = not self.stopt_contact and not self.registreert_moment
        if offers and (not self.regelingen or not self.zin or not self.bron):
            raise ValueError("an event that can lead to an offer needs regelingen, bron and zin")
        if self.uiterlijk_dagen is not None and self.uiterlijk_dagen < self.wacht_dagen:
            raise ValueError("uiterlijk_dagen is before wacht_dagen")
        return self


class LifeEventsConfig(_Strict):
    soorten: dict[str, LifeEventKind]


@cache
def load_life_events_config() -> LifeEventsConfig:
    """The shipped or the municipality's levensgebeurtenissen.yaml."""
    return load_policy(policy_path("levensgebeurtenissen.yaml"), LifeEventsConfig)


@dataclass
class EventIntake:
    """What one delivery of life events did: every event stored, duplicate or
    quarantined (with its position and reason)."""

    ontvangen: int = 0
    opgeslagen: int = 0
    dubbel: int = 0
    quarantaine: int = 0
    overlijdens: int = 0
    redenen: list[tuple[str, str]] = field(default_factory=list)
    """(position, reason in Dutch) of each quarantined event."""

    def as_json(self) -> dict[str, object]:
        return {
            "ontvangen": self.ontvangen,
            "opgeslagen": self.opgeslagen,
            "dubbel": self.dubbel,
            "quarantaine": self.quarantaine,
            "overlijdens": self.overlijdens,
            "redenen": [{"positie": p, "reden": r} for p, r in self.redenen],
        }


class _Refused(ValueError):
    def __init__(self, fields: str, nl: str, en: str) -> None:
        super().__init__(en)
        self.fields, self.nl, self.en = fields, nl, en


@dataclass(frozen=True)
class _Event:
    bron: str
    event_id: str
    soort: str
    bsn: str
    datum: date
    moment: str | None = None
    """For a contact moment: its kind (aanpak.yaml moment.soorten)."""


def events_of_body(body: bytes, headers: Mapping[str, str] | None = None) -> list[tuple[str, Any]]:
    """The CloudEvents in a delivery: a structured event (a JSON object), a batch (a JSON
    array) or, with ``ce-`` headers, a binary-mode HTTP event. Each is (position, the
    SDK's event), or (position, the error) for one the SDK cannot read."""
    from cloudevents.core.bindings.http import HTTPMessage, from_http_event
    from cloudevents.core.formats.json import JSONFormat

    headers = dict(headers or {})
    if any(k.lower().startswith("ce-") for k in headers):
        try:
            return [("gebeurtenis 1", from_http_event(HTTPMessage(headers=headers, body=body)))]
        except Exception as exc:  # the SDK raises several kinds; each is kept as a reason
            return [("gebeurtenis 1", exc)]
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [("bestand", exc)]
    items = parsed if isinstance(parsed, list) else [parsed]
    out: list[tuple[str, Any]] = []
    for number, item in enumerate(items, start=1):
        position = f"gebeurtenis {number}"
        try:
            if not isinstance(item, dict):
                raise ValueError("not a JSON object")
            out.append((position, JSONFormat().read(None, json.dumps(item))))
        except Exception as exc:  # the SDK raises several kinds; each is kept as a reason
            out.append((position, exc))
    return out


def _validate(event: Any, today: date) -> _Event:
    """Our contract on top of CloudEvents: a known kind with a basis, a BSN, a date."""
    cfg = load_life_events_config()
    soort = str(event.get_type())
    kind = cfg.soorten.get(soort)
    if kind is None:
        raise _Refused(
            "type",
            f"onbekende soort gebeurtenis '{_clean(soort)[:60]}'; bekend: {', '.join(cfg.soorten)}",
            f"unknown event type '{_clean(soort)[:60]}'",
        )
    if kind.doel is None:
        raise _Refused(
            "type",
            f"voor '{soort}' is geen grondslag ingesteld ('doel' in levensgebeurtenissen.yaml):"
            " zonder grondslag verwerken wij deze gebeurtenis niet",
            f"no legal basis configured for '{soort}'",
        )
    subject = str(event.get_subject() or "")
    if not is_valid_bsn(subject):
        raise _Refused(
            "subject",
            "subject is geen geldig BSN (9 cijfers en de elfproef)",
            "subject is not a valid BSN (9 digits, elfproef)",
        )
    data = event.get_data()
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
    raw_day = data.get("datum") if isinstance(data, dict) else None
    try:
        day = date.fromisoformat(str(raw_day))
    except ValueError:
        raise _Refused(
            "data.datum",
            "data.datum ontbreekt of is geen datum (JJJJ-MM-DD)",
            "data.datum is missing or not a date",
        ) from None
    moment = None
    if kind.registreert_moment:
        kinds = load_approach_config().moment.soorten
        moment = str(data.get("soort", "")) if isinstance(data, dict) else ""
        if moment not in kinds:
            raise _Refused(
                "data.soort",
                f"data.soort '{_clean(moment)[:40]}' is geen soort contactmoment; kies uit "
                + ", ".join(kinds),
                "data.soort is not a kind of contact moment",
            )
        if day < today:
            raise _Refused(
                "data.datum",
                f"data.datum {day} ligt in het verleden: een contactmoment moet nog komen",
                f"data.datum {day} is in the past",
            )
    elif day > today:
        raise _Refused(
            "data.datum",
            f"data.datum {day} ligt in de toekomst",
            f"data.datum {day} is in the future",
        )
    return _Event(str(event.get_source()), str(event.get_id()), soort, subject, day, moment)


def _raw(event: Any, pseudonymizer: Pseudonymizer) -> str:
    """The event as delivered, with a valid BSN replaced by its pseudonym."""
    text = repr(event)
    with contextlib.suppress(AttributeError, TypeError):
        text = json.dumps({**event.get_attributes(), "data": event.get_data()}, default=str)
    return _clean(
        _BSN_LIKE.sub(
            lambda m: (
                f"[BSN {pseudonymizer.for_bsn(m.group(0))}]"
                if is_valid_bsn(m.group(0))
                else m.group(0)
            ),
            text,
        )
    )[:5000]


def intake_events(
    conn: Connection,
    events: Iterable[tuple[str, Any]],
    *,
    naam: str,
    sha256: str,
    pseudonymizer: Pseudonymizer,
    now: datetime,
    actor: str,
) -> EventIntake:
    """Store a delivery's events (``events_of_body``) in the caller's transaction: each
    event ends stored, duplicate or quarantined with its reason. ``naam`` and ``sha256``
    name the delivery (a file, or an HTTP request) in the quarantine."""
    cfg = load_life_events_config()
    today = now.date()
    result = EventIntake()
    quarantined: list[dict[str, object]] = []
    for position, event in events:
        result.ontvangen += 1
        try:
            if isinstance(event, Exception):
                raise _Refused(
                    "(gebeurtenis)",
                    "geen geldige CloudEvent 1.0 "
                    f"({type(event).__name__}: {_clean(str(event))[:200]})",
                    f"not a valid CloudEvent 1.0 ({type(event).__name__})",
                )
            found = _validate(event, today)
        except _Refused as refused:
            quarantined.append(
                {
                    "file_name": _clean(naam)[:500],
                    "file_sha256": sha256,
                    "position": position,
                    "fields": refused.fields,
                    "reason_nl": refused.nl,
                    "reason_en": refused.en,
                    "raw": ""
                    if isinstance(event, Exception)
                    else _clean(_raw(event, pseudonymizer)),
                    "received_at": now,
                }
            )
            result.redenen.append((position, refused.nl))
            continue
        kind = cfg.soorten[found.soort]
        person = pseudonymizer.for_bsn(found.bsn)
        state = current_state(conn=conn, person_pseudonym=person)
        status, reden = "wacht", kind.reden
        vanaf: date | None = found.datum + timedelta(days=kind.wacht_dagen)
        tot = (
            None
            if kind.uiterlijk_dagen is None
            else found.datum + timedelta(days=kind.uiterlijk_dagen)
        )
        if kind.stopt_contact:
            status, reden = "verwerkt", "overleden: elke contactladder stopt"
            vanaf, tot = None, None
        elif kind.registreert_moment:
            status, reden = "verwerkt", f"contactmoment {found.moment} op {found.datum}"
            vanaf, tot = None, None
        elif state.overleden:
            status, reden = "gestopt", "de persoon is overleden"
        elif tot is not None and today > tot:
            status, reden = "geen_aanbod", f"te laat: na {tot} geen aanbod meer ({kind.reden})"
        stored = repo.insert_life_event(
            conn,
            {
                "bron": _clean(found.bron)[:200],
                "event_id": _clean(found.event_id)[:200],
                "soort": found.soort,
                "person_pseudonym": person,
                "datum": found.datum,
                "ontvangen": now,
                "aanbod_vanaf": vanaf,
                "aanbod_tot": tot,
                "status": status,
                "reden": reden[:300],
                "case_id": None,
            },
        )
        if not stored:
            result.dubbel += 1
            continue
        result.opgeslagen += 1
        # the letter needs the address: the BSN goes into the identity vault, as with a
        # signal (read only for the purpose klantcontact, audited)
        early_repo.insert_identities(
            conn,
            [
                {
                    "person_pseudonym": person,
                    "bsn": found.bsn,
                    "geslacht": None,
                    "geboortedatum": None,
                    "postcode": None,
                    "huisnummer": None,
                    "huisnummertoevoeging": None,
                }
            ],
        )
        if kind.registreert_moment and found.moment is not None:
            register_moment(
                conn,
                person_pseudonym=person,
                soort=found.moment,
                datum=found.datum,
                door="systeem:gebeurtenis",
                now=now,
                bron=_clean(found.bron),
                bron_id=_clean(found.event_id),
            )
        if kind.stopt_contact:
            result.overlijdens += 1
            if not state.overleden:
                record_event(
                    conn=conn,
                    person_pseudonym=person,
                    soort=EventSoort.OVERLEDEN,
                    waarde=found.datum.isoformat(),
                    wijze=Wijze.SYSTEEM,
                    door=f"systeem:gebeurtenis:{found.bron[:60]}",
                    now=now,
                )
            repo.stop_waiting_life_events(conn, person, "de persoon is overleden")
    added = early_repo.insert_quarantine(conn, quarantined)
    # a rejected event of a delivery sent again is in quarantine already: a duplicate
    result.dubbel += len(quarantined) - added
    result.quarantaine += added
    append_audit(
        conn,
        actor=actor,
        actie="gebeurtenissen",
        doel=Doel.REGELINGENCHECK.value,
        gegevens="levensgebeurtenissen,client_identities,quarantine",
        details={k: v for k, v in result.as_json().items() if k != "redenen"}
        | {"levering": naam[:100]},
        now=now,
    )
    return result


def delivery_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass
class EventRun:
    """What one run over the life events whose moment came did."""

    zaken: list[int] = field(default_factory=list)
    geen_aanbod: dict[str, int] = field(default_factory=dict)
    """Reason (Dutch) -> how many events ended without an offer for it."""
    gestopt: int = 0

    def no_offer(self, reden: str) -> None:
        self.geen_aanbod[reden] = self.geen_aanbod.get(reden, 0) + 1


def run_due_events(conn: Connection, *, now: datetime, actor: str) -> EventRun:
    """Every waiting event whose moment has come: a case with an offer when the newest
    scan finds money for the household in the kind's regulations; otherwise the reason.
    The caller sends each new case's first step after this commits."""
    cfg = load_life_events_config()
    purposes = load_purposes()
    today = now.date()
    run = EventRun()
    for event in repo.due_life_events(conn, today):
        kind = cfg.soorten.get(event.soort)
        reden: str | None = None
        if kind is None or kind.doel is None or kind.doel not in purposes:
            reden = "deze soort gebeurtenis staat niet (meer) met een grondslag ingesteld"
        elif event.aanbod_tot is not None and today > event.aanbod_tot:
            reden = "te laat: het moment voor een aanbod is voorbij"
        state = current_state(conn=conn, person_pseudonym=event.person_pseudonym)
        if reden is None and state.overleden:
            repo.update_life_event(conn, event.id, status="gestopt", reden="overleden")
            run.gestopt += 1
            continue
        if reden is None and state.niet_benaderen:
            reden = "de inwoner wil niet benaderd worden"
        if reden is None:
            open_case = repo.open_case_of_person(conn, event.person_pseudonym)
            if open_case is not None:
                reden = "er loopt al een zaak voor deze inwoner"
        rows = []
        if reden is None:
            assert kind is not None
            rows = [
                r
                for r in household_entitlements(
                    conn, person_pseudonym=event.person_pseudonym, actor=actor
                )
                if r.regeling in kind.regelingen and r.status in OFFERED
            ]
            if not rows:
                reden = (
                    "de regelingencheck vindt bij deze gebeurtenis geen geld voor het huishouden"
                )
        if reden is not None:
            repo.update_life_event(conn, event.id, status="geen_aanbod", reden=reden[:300])
            run.no_offer(reden)
            continue
        assert kind is not None
        case_id = early_repo.create_case(
            conn,
            {
                "person_pseudonym": event.person_pseudonym,
                "matchingsdatum": today,
                "startdatum_matchingperiode": today,
                "einddatum_matchingperiode": today,
                "priority": 0,
                "priority_reasons": "[]",
                "campagne": f"gebeurtenis: {kind.naam}"[:100],
                "gebeurtenis": event.soort,
            },
        )
        repo.update_life_event(conn, event.id, status="aanbod", case_id=case_id, reden="")
        run.zaken.append(case_id)
    append_audit(
        conn,
        actor=actor,
        actie="gebeurtenissen",
        doel=Doel.REGELINGENCHECK.value,
        gegevens="levensgebeurtenissen,cases",
        details={
            "zaken": len(run.zaken),
            "gestopt": run.gestopt,
            "geen_aanbod": sum(run.geen_aanbod.values()),
        },
        now=now,
    )
    return run
