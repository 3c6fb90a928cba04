"""The team's work queue: open cases, one page at a time, sorted, searched and filtered in
the database, with each case's status, owner and next action.

Status and next action are derived in SQL from what the case holds and kept on the case
by every write to it, its attempts or its ladder steps (``refresh_queue_fields``, in the
same transaction), so the queue sorts and filters on an index: a case is ``nieuw``
(nothing done yet), ``benaderd`` (a message, task or attempt,
nobody reached yet), ``bereikt`` (an attempt reached the resident) or ``hulp_aangenomen``.
The next action is the earliest of: an open call or visit task of the ladder, the worker's
own follow-up (``cases.vervolg_datum``), and, while nobody has been reached, the ladder's
next step (``cases.volgende_stap_datum``, set when a step is carried out; a case without
any step waits for its first message from its matching date).

A search for a person (BSN, or postcode and house number) reads the identity vault for the
purpose ``zaak_zoeken`` and is in the audit trail with the persons found.
"""

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Case,
    ColumnElement,
    Connection,
    Date,
    Update,
    and_,
    bindparam,
    case,
    exists,
    func,
    intersect,
    or_,
    select,
)

from proactief.domain import Doel, PriorityReason
from proactief.sources.brp import BrpError, BrpQueryError, PersonSearch
from proactief.storage.tables import (
    cases,
    client_identities,
    contact_attempts,
    outreach_steps,
    signals,
)
from proactief.trust.access import PersonalDataAccess
from proactief.trust.audit import append_audit
from proactief.trust.purposes import load_purposes

__all__ = [
    "PAGE_SIZES",
    "STATUS_NL",
    "QueueFilter",
    "QueuePage",
    "QueueRow",
    "Sortering",
    "ZaakStatus",
    "next_action_label",
    "queue_page",
    "queue_row",
    "refresh_queue_fields",
    "stale_queue_fields",
]

PAGE_SIZES = (25, 50, 100)
SEARCH_FIELDS = (
    "client_identities.bsn",
    "client_identities.postcode",
    "client_identities.huisnummer",
)
WIJK_FIELDS = ("client_identities.postcode",)
#: what a page of the queue reads of the cases, their signals, attempts and ladder steps
PAGE_FIELDS = (
    "cases.*",
    "signals.case_id",
    "signals.signaalpartner",
    "signals.crisissignaal",
    "signals.signaaldatum",
    "contact_attempts.case_id",
    "contact_attempts.bereikt",
    "outreach_steps.*",
)


class ZaakStatus(StrEnum):
    """Where an open case stands (derived, never stored)."""

    NIEUW = "nieuw"
    BENADERD = "benaderd"
    BEREIKT = "bereikt"
    HULP_AANGENOMEN = "hulp_aangenomen"


STATUS_NL = {
    ZaakStatus.NIEUW: "Nieuw",
    ZaakStatus.BENADERD: "Benaderd, nog niet bereikt",
    ZaakStatus.BEREIKT: "Bereikt",
    ZaakStatus.HULP_AANGENOMEN: "Hulp aangenomen",
}


class Sortering(StrEnum):
    """The columns the queue sorts on."""

    PRIORITEIT = "prioriteit"
    ZAAK = "zaak"
    SIGNAAL = "signaal"
    STATUS = "status"
    EIGENAAR = "eigenaar"
    ACTIE = "actie"


def _task_date() -> ColumnElement[date]:
    # an open call or visit task is due from the day the ladder put it in the queue
    return (
        select(func.min(func.date(outreach_steps.c.tijdstip, type_=Date)))
        .where(outreach_steps.c.case_id == cases.c.id, outreach_steps.c.status == "taak_open")
        .scalar_subquery()
    )


def _reached() -> ColumnElement[bool]:
    return exists().where(
        contact_attempts.c.case_id == cases.c.id, contact_attempts.c.bereikt.is_(True)
    )


def _touched() -> ColumnElement[bool]:
    return or_(
        exists().where(contact_attempts.c.case_id == cases.c.id),
        exists().where(outreach_steps.c.case_id == cases.c.id),
    )


def _status() -> Case[str]:
    return case(
        (cases.c.datum_hulp_geaccepteerd.is_not(None), ZaakStatus.HULP_AANGENOMEN.value),
        (_reached(), ZaakStatus.BEREIKT.value),
        (_touched(), ZaakStatus.BENADERD.value),
        else_=ZaakStatus.NIEUW.value,
    )


def _earliest(a: ColumnElement[date], b: ColumnElement[date]) -> ColumnElement[date]:
    # LEAST ignores NULL on PostgreSQL but not on SQLite: spelled out so both agree
    return case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def _ladder_date() -> ColumnElement[date]:
    return case(
        (or_(cases.c.datum_hulp_geaccepteerd.is_not(None), _reached()), None),
        (~_touched(), cases.c.matchingsdatum),
        else_=cases.c.volgende_stap_datum,
    )


def _next_action() -> ColumnElement[date]:
    return _earliest(_earliest(_task_date(), cases.c.vervolg_datum), _ladder_date())


@functools.cache
def _refresh_statement() -> Update:
    # built once: every write to a case runs it, and building the expression each time
    # cost more than running it
    return (
        cases.update()
        .where(cases.c.id.in_(bindparam("ids", expanding=True)))
        .values(wachtrij_status=_status(), volgende_actie_datum=_next_action())
    )


def refresh_queue_fields(conn: Connection, case_ids: Iterable[int]) -> None:
    """Derive the queue's status and next action of these cases again, in the caller's
    transaction: called by every write to a case, its attempts or its ladder steps."""
    wanted = sorted(set(case_ids))
    for start in range(0, len(wanted), 500):
        conn.execute(_refresh_statement(), {"ids": wanted[start : start + 500]})


def stale_queue_fields(conn: Connection) -> list[int]:
    """Cases whose stored status or next action differs from what their data says (none,
    unless a write bypassed the repositories): a check for tests and for support."""
    derived_status = _status()
    derived_action = _next_action()
    return list(
        conn.scalars(
            select(cases.c.id).where(
                or_(
                    cases.c.wachtrij_status != derived_status,
                    and_(cases.c.volgende_actie_datum.is_(None), derived_action.is_not(None)),
                    and_(cases.c.volgende_actie_datum.is_not(None), derived_action.is_(None)),
                    cases.c.volgende_actie_datum != derived_action,
                )
            )
        )
    )


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the team asks of the queue. Every field is optional; an empty filter is the
    whole queue in priority order."""

    zoek: str = ""
    """A case number, a BSN, or a postcode with house number ('1234AB 12')."""
    status: ZaakStatus | None = None
    eigenaar: int | None = None
    """Cases of this user id; see ``zonder_eigenaar``."""
    zonder_eigenaar: bool = False
    partner: str | None = None
    crisis: bool = False
    actie_tot: date | None = None
    """Only cases whose next action is due on or before this day ('vandaag te doen')."""
    wijk: str = ""
    """The four digits of a postcode."""
    ouder_dan_dagen: int | None = None
    """Only cases that began (matching date) at least this many days ago."""
    sortering: Sortering = Sortering.PRIORITEIT
    aflopend: bool = True
    pagina: int = 1
    per_pagina: int = 50


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One open case in the queue."""

    case_id: int
    priority: int
    priority_reasons: tuple[PriorityReason, ...]
    matchingsdatum: date
    partners: tuple[str, ...]
    crisis: bool
    status: ZaakStatus
    eigenaar_id: int | None
    next_action: date | None
    task_date: date | None
    vervolg_datum: date | None
    vervolg: str | None
    person_pseudonym: str
    first_signal: date | None = None
    """The date of the case's first signal."""
    campagne: str | None = None
    """The campaign that made the case (it has no signals), shown instead of partners."""


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue and how many cases match in all."""

    rows: list[QueueRow]
    total: int
    pagina: int
    per_pagina: int
    zoekfout: str | None = None
    """Why a search term was not understood (Dutch, for the worker)."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_pagina))


NAAM_GEBOORTEDATUM = re.compile(
    r"^\s*(?P<naam>[^\d\s][^\d]*?)\s+(?P<datum>\d{1,2}-\d{1,2}-\d{4}|\d{4}-\d{2}-\d{2})\s*$"
)
"""'de Vries 12-03-1980': a surname (with or without prefix) and a date of birth."""
POSTCODE_HUISNUMMER = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})\s*[- ,]?\s*(\d{1,5})\s*$")


def _found(conn: Connection, actor: str, persons: list[str], on: str) -> None:
    """Who a search found, each person in the audit trail as its subject."""
    for person in persons:
        append_audit(
            conn,
            actor=actor,
            actie="zoek",
            doel=Doel.ZAAK_ZOEKEN.value,
            gegevens="client_identities",
            subject=person,
            details={"zoeken": on},
        )


def _search(
    conn: Connection, term: str, actor: str, people: PersonSearch | None = None
) -> tuple[ColumnElement[bool] | None, str | None]:
    """The condition a search term puts on the queue, or the reason it was not understood.
    A person is looked up in the identity vault for the purpose 'zaak_zoeken', audited."""
    text = term.strip()
    if not text:
        return None, None
    digits = text.removeprefix("zaak").removeprefix("Zaak").strip()
    if digits.isdigit() and len(digits) != 9:
        return cases.c.id == int(digits), None
    if text.isdigit() and len(text) == 9:
        grant = PersonalDataAccess(conn, doel=Doel.ZAAK_ZOEKEN, actor=actor).check(
            ("client_identities.bsn",), about={"zoeken": "bsn"}
        )
        found = list(
            grant.require(("client_identities.bsn",)).scalars(
                select(client_identities.c.person_pseudonym).where(client_identities.c.bsn == text)
            )
        )
        _found(conn, actor, found, "bsn")
        return cases.c.person_pseudonym.in_(found), None
    match = POSTCODE_HUISNUMMER.match(text)
    if match:
        postcode = (match.group(1) + match.group(2)).upper()
        grant = PersonalDataAccess(conn, doel=Doel.ZAAK_ZOEKEN, actor=actor).check(
            ("client_identities.postcode", "client_identities.huisnummer"),
            about={"zoeken": "postcode en huisnummer"},
        )
        found = list(
            grant.require(("client_identities.postcode", "client_identities.huisnummer")).scalars(
                select(client_identities.c.person_pseudonym).where(
                    client_identities.c.postcode == postcode,
                    client_identities.c.huisnummer == match.group(3),
                )
            )
        )
        _found(conn, actor, found, "postcode en huisnummer")
        return cases.c.person_pseudonym.in_(found), None
    named = NAAM_GEBOORTEDATUM.match(text)
    if named and people is not None:
        return _search_by_name(conn, named.group("naam"), named.group("datum"), actor, people)
    if people is not None and any(ch.isalpha() for ch in text):
        return None, (
            "Zoek op naam met de geboortedatum erbij, bijvoorbeeld: de Vries 12-03-1980. "
            "Of zoek op een zaaknummer, een BSN (9 cijfers) of een postcode met huisnummer."
        )
    return None, (
        "Zoek op een zaaknummer, een BSN (9 cijfers) of een postcode met huisnummer "
        "(bijvoorbeeld 1234 AB 12). Zoeken op naam kan pas met een koppeling aan de "
        "basisregistratie personen (PROACTIEF_BRP_URL)."
    )


def _search_by_name(
    conn: Connection, naam: str, datum: str, actor: str, people: PersonSearch
) -> tuple[ColumnElement[bool] | None, str | None]:
    """A surname and date of birth, looked up in the BRP for the BSN only (the 'brp.'
    fields of 'zaak_zoeken'), then in the identity vault; each step audited."""
    try:  # 1980-03-12 or 12-03-1980, as NAAM_GEBOORTEDATUM lets through
        born = (
            date.fromisoformat(datum)
            if datum[4:5] == "-"
            else datetime.strptime(datum, "%d-%m-%Y").date()
        )
    except ValueError:
        return None, f"{datum} is geen datum. Schrijf de geboortedatum als 12-03-1980."
    purpose = load_purposes()[Doel.ZAAK_ZOEKEN]
    fields = [v.removeprefix("brp.") for v in purpose.velden if v.startswith("brp.")]
    grant = PersonalDataAccess(conn, doel=Doel.ZAAK_ZOEKEN, actor=actor).check(
        ("client_identities.bsn", *(f"brp.{f}" for f in fields)),
        about={"zoeken": "naam en geboortedatum"},
    )
    try:
        people_found = people.search_by_name(naam, born, fields=fields)
    except BrpQueryError as exc:
        return None, str(exc)
    except BrpError as exc:
        return None, str(exc).split(" / ")[0] + ". Zoek op BSN of postcode met huisnummer."
    append_audit(
        conn,
        actor=actor,
        actie="zoek",
        doel=Doel.ZAAK_ZOEKEN.value,
        gegevens="brp",
        details={"zoeken": "naam en geboortedatum", "gevonden": len(people_found)},
    )
    bsns = [p.bsn for p in people_found]
    found = (
        list(
            grant.require(("client_identities.bsn",)).scalars(
                select(client_identities.c.person_pseudonym).where(
                    client_identities.c.bsn.in_(bsns)
                )
            )
        )
        if bsns
        else []
    )
    _found(conn, actor, found, "naam en geboortedatum")
    return cases.c.person_pseudonym.in_(found), None


def _conditions(
    conn: Connection, f: QueueFilter, actor: str, people: PersonSearch | None = None
) -> tuple[list[ColumnElement[bool]], str | None]:
    where: list[ColumnElement[bool]] = [cases.c.eindresultaat.is_(None)]
    found, problem = _search(conn, f.zoek, actor, people)
    if problem:
        return [*where, cases.c.id.is_(None)], problem
    if found is not None:
        where.append(found)
    if f.status is not None:
        where.append(cases.c.wachtrij_status == f.status.value)
    if f.zonder_eigenaar:
        where.append(cases.c.eigenaar_id.is_(None))
    elif f.eigenaar is not None:
        where.append(cases.c.eigenaar_id == f.eigenaar)
    # the signal filters as one set of case ids (an INTERSECT, not a correlated EXISTS per
    # filter): PostgreSQL then hashes the few matching cases instead of probing the signals
    # of every case it walks in priority order (docs/benchmarks-web.md)
    signal_sets = []
    if f.partner:
        signal_sets.append(select(signals.c.case_id).where(signals.c.signaalpartner == f.partner))
    if f.crisis:
        signal_sets.append(select(signals.c.case_id).where(signals.c.crisissignaal.is_(True)))
    if len(signal_sets) == 1:
        where.append(cases.c.id.in_(signal_sets[0]))
    elif signal_sets:
        where.append(cases.c.id.in_(intersect(*signal_sets)))
    if f.actie_tot is not None:
        where.append(cases.c.volgende_actie_datum <= f.actie_tot)
    if f.wijk:
        PersonalDataAccess(conn, doel=Doel.ZAAK_ZOEKEN, actor=actor).check(
            WIJK_FIELDS, about={"filter": "wijk"}
        )
        where.append(
            exists().where(
                client_identities.c.person_pseudonym == cases.c.person_pseudonym,
                client_identities.c.postcode.like(f"{f.wijk[:4]}%"),
            )
        )
    if f.ouder_dan_dagen is not None:
        where.append(cases.c.matchingsdatum <= date.today() - timedelta(days=f.ouder_dan_dagen))
    return where, None


NULLABLE = frozenset({Sortering.EIGENAAR, Sortering.ACTIE})


def _order(f: QueueFilter) -> list[ColumnElement[Any]]:
    def direction(column: ColumnElement[Any]) -> ColumnElement[Any]:
        ordered = column.desc() if f.aflopend else column.asc()
        # only the columns that can be empty: NULLS LAST on a column that cannot would
        # keep PostgreSQL from walking the index of the default order
        return ordered.nulls_last() if f.sortering in NULLABLE else ordered

    key: dict[Sortering, ColumnElement[Any]] = {
        Sortering.PRIORITEIT: cases.c.priority,
        Sortering.ZAAK: cases.c.id,
        Sortering.SIGNAAL: cases.c.matchingsdatum,
        Sortering.STATUS: cases.c.wachtrij_status,
        Sortering.EIGENAAR: cases.c.eigenaar_id,
        Sortering.ACTIE: cases.c.volgende_actie_datum,
    }
    # ties: the team's default order (highest priority, then the oldest case)
    return [direction(key[f.sortering]), cases.c.priority.desc(), cases.c.id.asc()]


def _rows(conn: Connection, ids: list[int]) -> list[QueueRow]:
    """The queue rows of these cases, in this order."""
    if not ids:
        return []
    task = _task_date().label("task_date")
    query = select(
        cases.c.id,
        cases.c.priority,
        cases.c.priority_reasons,
        cases.c.matchingsdatum,
        cases.c.eigenaar_id,
        cases.c.vervolg_datum,
        cases.c.vervolg,
        cases.c.person_pseudonym,
        cases.c.campagne,
        cases.c.wachtrij_status.label("status"),
        cases.c.volgende_actie_datum.label("next_action"),
        task,
    ).where(cases.c.id.in_(ids))
    details = {row.id: row for row in conn.execute(query)}
    per_case: dict[int, list[tuple[str, bool, date]]] = {}
    for sig in conn.execute(
        select(
            signals.c.case_id,
            signals.c.signaalpartner,
            signals.c.crisissignaal,
            signals.c.signaaldatum,
        ).where(signals.c.case_id.in_(ids))
    ):
        per_case.setdefault(sig.case_id, []).append(
            (sig.signaalpartner, sig.crisissignaal, sig.signaaldatum)
        )
    rows = []
    for case_id in ids:
        d = details.get(case_id)
        if d is None:
            continue
        sigs = per_case.get(case_id, [])
        rows.append(
            QueueRow(
                case_id=case_id,
                priority=d.priority,
                priority_reasons=tuple(PriorityReason(**r) for r in json.loads(d.priority_reasons)),
                matchingsdatum=d.matchingsdatum,
                partners=tuple(sorted({s[0] for s in sigs})),
                crisis=any(s[1] for s in sigs),
                status=ZaakStatus(d.status),
                eigenaar_id=d.eigenaar_id,
                next_action=d.next_action,
                task_date=d.task_date,
                vervolg_datum=d.vervolg_datum,
                vervolg=d.vervolg,
                person_pseudonym=d.person_pseudonym,
                first_signal=min((s[2] for s in sigs), default=None),
                campagne=d.campagne,
            )
        )
    return rows


def queue_row(conn: Connection, case_id: int) -> QueueRow | None:
    """One case as the queue shows it (status, next action), for the case page."""
    found = _rows(conn, [case_id])
    return found[0] if found else None


def queue_page(
    conn: Connection, f: QueueFilter, *, actor: str, people: PersonSearch | None = None
) -> QueuePage:
    """One page of open cases that match ``f``, in its order, and the number in all;
    ``people``: the population register, for a search on surname and date of birth."""
    per_page = f.per_pagina if f.per_pagina in PAGE_SIZES else PAGE_SIZES[1]
    # one audited read per page, for the purpose that allows it (as the case page's read
    # of one case names its person)
    PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        PAGE_FIELDS, about={"werkvoorraad": f.pagina}
    )
    where, problem = _conditions(conn, f, actor, people)
    total = int(conn.execute(select(func.count()).select_from(cases).where(*where)).scalar_one())
    pages = max(1, -(-total // per_page))
    pagina = min(max(1, f.pagina), pages)
    # the page's ids first (the sort is the costly part), then their details
    ids = list(
        conn.scalars(
            select(cases.c.id)
            .where(*where)
            .order_by(*_order(f))
            .limit(per_page)
            .offset((pagina - 1) * per_page)
        )
    )
    rows = _rows(conn, ids)
    return QueuePage(rows, total, pagina, per_page, problem)


def next_action_label(row: QueueRow) -> str:
    """What the next action is, in the worker's words (which of the three is earliest)."""
    if row.next_action is None:
        return "Geen: wacht op de inwoner of sluit de zaak af"
    if row.task_date is not None and row.task_date == row.next_action:
        return "Taak van de contactladder: bellen of langsgaan"
    if row.vervolg_datum is not None and row.vervolg_datum == row.next_action:
        return row.vervolg or "Eigen vervolgactie"
    if row.status == ZaakStatus.NIEUW:
        return "Eerste bericht van de contactladder"
    return "Volgende stap van de contactladder"
