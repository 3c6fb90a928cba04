"""Evaluation works on pseudonymised or aggregated data only: the funnel
(signals -> picked up -> reached -> accepted -> helped) per signal partner, per kind of
contact attempt, per segment and per worker, including the counts kept after retention
deleted the personal data behind them; and the lead times from a case's start to its
first attempt, to reaching the resident and to help.

Each step counts only cases that also made the step before, so the funnel never widens:
'reached' is a picked-up case with an attempt that reached the resident; 'accepted' is a
reached case with a registered acceptance (``cases.datum_hulp_geaccepteerd``) or an end
result that means help; 'helped' is an accepted case closed with such an end result. Per
kind of contact, 'reached' means reached by that kind, and the later steps count only
those cases (a letter is not credited with help a phone call brought).

A period (``van``, ``tot``) takes the cases that started in it (matching date) and the
signals delivered in it (signal date); the counts kept after retention by their month.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.domain.funnel import (
    HELP_RESULTS,
    CaseFacts,
    StepFacts,
    case_keys,
    days_to_reached,
    funnel_steps,
)
from proactief.trust.access import PersonalDataAccess

__all__ = [
    "BREAKDOWNS",
    "Funnels",
    "LeadTime",
    "funnel",
    "funnel_by_channel",
    "funnel_by_segment",
    "funnels",
]


# What the funnel reads, table by table: these fields and no others (the evaluation
# purpose in config/doelen.yaml allows them; PersonalDataAccess.read checks it).
@dataclass(frozen=True, slots=True)
class _Case:
    id: int
    eindresultaat: str | None
    datum_opgepakt: date | None
    datum_hulp_geaccepteerd: date | None
    person_pseudonym: str
    matchingsdatum: date
    eigenaar_id: int | None
    campagne: str | None


@dataclass(frozen=True, slots=True)
class _Attempt:
    case_id: int
    soort: str
    bereikt: bool
    datum: date


@dataclass(frozen=True, slots=True)
class _Segment:
    person_pseudonym: str
    kansen: str


@dataclass(frozen=True, slots=True)
class _Signal:
    signaalpartner: str
    case_id: int | None
    signaaldatum: date


@dataclass(frozen=True, slots=True)
class _Step:
    case_id: int
    stap: int
    kanaal: str
    toon: str
    moment: str | None


@dataclass(frozen=True, slots=True)
class _Outcome:
    case_id: int | None
    regeling: str
    herkomst: str
    bedrag_centen_aanbod: int | None
    aangeboden: datetime
    ontvangen_op: datetime | None
    bedrag_centen_ontvangen: int | None


@dataclass(frozen=True, slots=True)
class _Assignment:
    experiment: str
    case_id: int | None
    arm: str


@dataclass(frozen=True, slots=True)
class _Aggregate:
    maand: str
    signaalpartner: str
    eindresultaat: str
    signalen: int
    opgepakt: int
    bereikt: int
    geaccepteerd: int


@dataclass(frozen=True, slots=True)
class _FunnelAggregate:
    maand: str
    dimensie: str
    waarde: str
    zaken: int
    bereikt: int
    geaccepteerd: int
    geholpen: int
    dagen_bereikt_som: int
    dagen_bereikt_n: int
    ontvangen: int


Counts = dict[str, dict[str, int]]

BREAKDOWNS = (
    "per_origin",
    "per_segment",
    "per_tone",
    "per_moment",
    "per_ladder",
    "per_arm",
    "per_regulation",
    "per_worker",
)
"""The ``Funnels`` breakdowns that count cases and keep the counts of deleted ones
(domain.funnel; the per-partner funnel keeps its own in report_aggregates)."""


@dataclass(frozen=True, slots=True)
class LeadTime:
    """Days from a case's start (matching date) to a step: how many cases made it, the
    median and the 90th percentile (None without cases)."""

    stap: str
    zaken: int
    mediaan: float | None
    p90: float | None


@dataclass(frozen=True)
class Funnels:
    """The funnel four ways and the lead times, from one read of the data."""

    per_partner: Counts
    per_channel: Counts
    per_segment: Counts
    per_worker: dict[int | None, dict[str, int]] = field(default_factory=dict)
    lead_times: tuple[LeadTime, ...] = ()
    per_origin: Counts = field(default_factory=dict)
    per_regulation: Counts = field(default_factory=dict)
    """Per regulation an offer named: its cases, reached, accepted, helped, and how many
    a later scan found receiving it."""
    per_tone: Counts = field(default_factory=dict)
    """Per tone of the case's first message (or 'geen bericht')."""
    per_ladder: Counts = field(default_factory=dict)
    """Per ladder as it ran: the channels of the steps taken, in order."""
    per_arm: Counts = field(default_factory=dict)
    """Per experiment arm the case's unit got ('geen experiment' for the rest)."""
    per_moment: Counts = field(default_factory=dict)
    """Per moment the first message was made at ('nu', 'bij_bestaand_contact')."""
    money: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per regulation: offered, received by a later scan, and the euros a year received
    (money unlocked; 'alle' sums them)."""
    """Signal cases and each campaign's cases apart ('signalen', 'campagne: <naam>')."""


def _steps(case: _Case | None, reached: bool) -> tuple[bool, bool, bool]:
    """(reached, accepted, helped), each only if the step before holds: never widens."""
    if case is None:
        return False, False, False
    return funnel_steps(
        CaseFacts(
            case.matchingsdatum,
            case.campagne,
            case.datum_opgepakt,
            case.datum_hulp_geaccepteerd,
            case.eindresultaat,
            reached,
        )
    )


def _empty() -> dict[str, int]:
    return {"zaken": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}


@dataclass(frozen=True)
class _Facts:
    cases: dict[int, _Case]
    attempts: list[_Attempt]
    reached: set[int]
    signals: list[_Signal]
    aggregates: list[_Aggregate]
    kansen_of: dict[str, str]
    """The segment probabilities (JSON) from each answering person's own answers."""
    outcomes: list[_Outcome] = field(default_factory=list)
    steps: dict[int, list[_Step]] = field(default_factory=dict)
    """Each case's ladder steps, in order."""
    arm_of: dict[int, str] = field(default_factory=dict)
    """The experiment and arm a case's unit got ('woordkeus-2027: kort')."""
    first_reached: dict[int, date] = field(default_factory=dict)
    """The day of each case's first attempt that reached the resident."""
    kept: list[_FunnelAggregate] = field(default_factory=list)
    """The counts of deleted cases per breakdown (trust.retention), in the period."""


def _facts(conn: Connection, actor: str, van: date | None, tot: date | None) -> _Facts:
    """Everything the funnels count, read once under the evaluation purpose, for the
    cases that started and the signals delivered from ``van`` up to and including
    ``tot`` (either may be None: no bound)."""

    def within(day: date) -> bool:
        return (van is None or day >= van) and (tot is None or day <= tot)

    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    cases = {r.id: r for r in access.read(_Case, "cases") if within(r.matchingsdatum)}
    attempts = [a for a in access.read(_Attempt, "contact_attempts") if a.case_id in cases]
    kansen_of = {r.person_pseudonym: r.kansen for r in access.read(_Segment, "segment_kansen")}
    first_month = van.strftime("%Y-%m") if van else None
    last_month = tot.strftime("%Y-%m") if tot else None
    return _Facts(
        cases=cases,
        attempts=attempts,
        reached={a.case_id for a in attempts if a.bereikt},
        first_reached=_first_reached(attempts),
        signals=[s for s in access.read(_Signal, "signals") if within(s.signaaldatum)],
        aggregates=[
            a
            for a in access.read(_Aggregate, "report_aggregates")
            if (first_month is None or a.maand >= first_month)
            and (last_month is None or a.maand <= last_month)
        ],
        kansen_of=kansen_of,
        outcomes=[
            o for o in access.read(_Outcome, "aanbod_uitkomsten") if within(o.aangeboden.date())
        ],
        steps=_steps_by_case(access.read(_Step, "outreach_steps"), set(cases)),
        arm_of={
            a.case_id: f"{a.experiment}: {a.arm}"
            for a in access.read(_Assignment, "experiment_toewijzingen")
            if a.case_id is not None
        },
        kept=[
            a
            for a in access.read(_FunnelAggregate, "funnel_aggregaten")
            if (first_month is None or a.maand >= first_month)
            and (last_month is None or a.maand <= last_month)
        ],
    )


def _first_reached(attempts: list[_Attempt]) -> dict[int, date]:
    out: dict[int, date] = {}
    for a in attempts:
        if a.bereikt and (a.case_id not in out or a.datum < out[a.case_id]):
            out[a.case_id] = a.datum
    return out


def _steps_by_case(steps: list[_Step], cases: set[int]) -> dict[int, list[_Step]]:
    out: dict[int, list[_Step]] = defaultdict(list)
    for step in sorted(steps, key=lambda s: (s.case_id, s.stap)):
        if step.case_id in cases:
            out[step.case_id].append(step)
    return dict(out)


def _per_partner(f: _Facts) -> Counts:
    out: Counts = defaultdict(
        lambda: {"signalen": 0, "opgepakt": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}
    )
    for s in f.signals:
        row = out[s.signaalpartner]
        row["signalen"] += 1
        case = None if s.case_id is None else f.cases.get(s.case_id)
        if case is not None:
            reached, accepted, helped = _steps(case, case.id in f.reached)
            row["opgepakt"] += int(case.datum_opgepakt is not None)
            row["bereikt"] += int(reached)
            row["geaccepteerd"] += int(accepted)
            row["geholpen"] += int(helped)
    for a in f.aggregates:
        # the counts kept after retention, held to the same rule: no step above the one
        # before it
        row = out[a.signaalpartner]
        picked = min(a.opgepakt, a.signalen)
        got = min(a.bereikt, picked)
        took = min(got if a.eindresultaat in HELP_RESULTS else a.geaccepteerd, got)
        row["signalen"] += a.signalen
        row["opgepakt"] += picked
        row["bereikt"] += got
        row["geaccepteerd"] += took
        row["geholpen"] += took if a.eindresultaat in HELP_RESULTS else 0
    return dict(out)


def _per_channel(f: _Facts) -> Counts:
    out: Counts = defaultdict(_empty)
    seen = {(a.soort, a.case_id) for a in f.attempts}
    reached_by = {(a.soort, a.case_id) for a in f.attempts if a.bereikt}
    for soort, case_id in seen:
        row = out[soort]
        row["zaken"] += 1
        reached, accepted, helped = _steps(f.cases.get(case_id), (soort, case_id) in reached_by)
        row["bereikt"] += int(reached)
        row["geaccepteerd"] += int(accepted)
        row["geholpen"] += int(helped)
    return dict(out)


def _case_facts(f: _Facts, case: _Case) -> CaseFacts:
    return CaseFacts(
        case.matchingsdatum,
        case.campagne,
        case.datum_opgepakt,
        case.datum_hulp_geaccepteerd,
        case.eindresultaat,
        case.id in f.reached,
        tuple(StepFacts(s.kanaal, s.toon, s.moment) for s in f.steps.get(case.id, [])),
        f.arm_of.get(case.id),
        f.kansen_of.get(case.person_pseudonym),
        f.first_reached.get(case.id),
    )


def _per_dimension(f: _Facts, dimension: str) -> Counts:
    """Cases, reached, accepted and helped per key of ``dimension`` (domain.funnel), the
    live cases and the counts retention kept of deleted ones."""
    out: Counts = defaultdict(_empty)
    days: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in f.cases.values():
        facts = _case_facts(f, case)
        key = case_keys(facts)[dimension]
        row = out[key]
        row["zaken"] += 1
        reached, accepted, helped = funnel_steps(facts)
        row["bereikt"] += int(reached)
        row["geaccepteerd"] += int(accepted)
        row["geholpen"] += int(helped)
        lead = days_to_reached(facts)
        if lead is not None:
            days[key][0] += lead
            days[key][1] += 1
    for a in f.kept:
        if a.dimensie == dimension:
            row = out[a.waarde]
            for name in ("zaken", "bereikt", "geaccepteerd", "geholpen"):
                row[name] += getattr(a, name)
            days[a.waarde][0] += a.dagen_bereikt_som
            days[a.waarde][1] += a.dagen_bereikt_n
    for key, (total, n) in days.items():
        if n:
            # the mean days from the case's start to reaching the resident (a mean, so
            # the counts kept after retention add up)
            out[key]["dagen_tot_bereikt"] = round(total / n)
    return dict(out)


def _per_regulation(f: _Facts) -> Counts:
    """Per regulation an offer named (in the period's cases): cases, reached, accepted,
    helped, and received by a later scan."""
    out: Counts = defaultdict(lambda: {**_empty(), "ontvangen": 0})
    seen: set[tuple[str, int]] = set()
    for o in f.outcomes:
        case = None if o.case_id is None else f.cases.get(o.case_id)
        if case is None or (o.regeling, case.id) in seen:
            continue
        seen.add((o.regeling, case.id))
        row = out[o.regeling]
        row["zaken"] += 1
        reached, accepted, helped = _steps(case, case.id in f.reached)
        row["bereikt"] += int(reached)
        row["geaccepteerd"] += int(accepted)
        row["geholpen"] += int(helped)
        row["ontvangen"] += int(o.ontvangen_op is not None)
    for a in f.kept:
        if a.dimensie == "regeling":
            row = out[a.waarde]
            for name in ("zaken", "bereikt", "geaccepteerd", "geholpen", "ontvangen"):
                row[name] += getattr(a, name)
    return dict(out)


def _money(f: _Facts) -> dict[str, dict[str, float]]:
    """Per regulation (and 'alle'): offers that named it, how many households a later
    scan found receiving it, and the euros a year they now get."""
    out: dict[str, dict[str, float]] = defaultdict(
        lambda: {"aangeboden": 0, "ontvangen": 0, "bedrag_per_jaar": 0.0}
    )
    for o in f.outcomes:
        for key in (o.regeling, "alle"):
            row = out[key]
            row["aangeboden"] += 1
            if o.ontvangen_op is not None:
                row["ontvangen"] += 1
                row["bedrag_per_jaar"] += (o.bedrag_centen_ontvangen or 0) / 100
    return dict(out)


def _per_worker(f: _Facts) -> dict[int | None, dict[str, int]]:
    """Per case owner (a user id; None: no owner): cases, still open, reached, accepted,
    helped."""
    out: dict[int | None, dict[str, int]] = defaultdict(
        lambda: {"zaken": 0, "open": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}
    )
    for case in f.cases.values():
        row = out[case.eigenaar_id]
        row["zaken"] += 1
        row["open"] += int(case.eindresultaat is None)
        reached, accepted, helped = _steps(case, case.id in f.reached)
        row["bereikt"] += int(reached)
        row["geaccepteerd"] += int(accepted)
        row["geholpen"] += int(helped)
    for a in f.kept:
        if a.dimensie == "medewerker":
            row = out[int(a.waarde) if a.waarde else None]
            for name in ("zaken", "bereikt", "geaccepteerd", "geholpen"):
                row[name] += getattr(a, name)
    return dict(out)


def _quantile(days: list[int], q: float) -> float | None:
    if not days:
        return None
    ordered = sorted(days)
    # the nearest-rank quantile: a day count that really occurred
    return float(ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))])


def _lead_times(f: _Facts) -> tuple[LeadTime, ...]:
    """Days from the case's start to its first attempt, to the first attempt that reached
    the resident, and to help accepted."""
    first_reached = f.first_reached
    spans: dict[str, list[int]] = {"eerste poging": [], "bereikt": [], "hulp aangenomen": []}
    for case in f.cases.values():
        start = case.matchingsdatum
        if case.datum_opgepakt:
            spans["eerste poging"].append(max(0, (case.datum_opgepakt - start).days))
        if case.id in first_reached:
            spans["bereikt"].append(max(0, (first_reached[case.id] - start).days))
        if case.datum_hulp_geaccepteerd:
            spans["hulp aangenomen"].append(max(0, (case.datum_hulp_geaccepteerd - start).days))
    return tuple(
        LeadTime(name, len(days), median(days) if days else None, _quantile(days, 0.9))
        for name, days in spans.items()
    )


def funnels(
    *,
    conn: Connection,
    actor: str = "systeem:evaluatie",
    van: date | None = None,
    tot: date | None = None,
) -> Funnels:
    """The funnel per signal partner, per kind of contact attempt, per segment and per
    worker, and the lead times, from one read (the dashboard), for a period."""
    f = _facts(conn, actor, van, tot)
    return Funnels(
        per_partner=_per_partner(f),
        per_channel=_per_channel(f),
        per_segment=_per_dimension(f, "segment"),
        per_worker=_per_worker(f),
        lead_times=_lead_times(f),
        per_origin=_per_dimension(f, "herkomst"),
        per_regulation=_per_regulation(f),
        per_tone=_per_dimension(f, "toon"),
        per_ladder=_per_dimension(f, "ladder"),
        money=_money(f),
        per_arm=_per_dimension(f, "experiment"),
        per_moment=_per_dimension(f, "moment"),
    )


def funnel(*, conn: Connection, actor: str = "systeem:evaluatie") -> Counts:
    """Per signaalpartner: signalen, opgepakt, bereikt, geaccepteerd, geholpen (live +
    kept counts)."""
    return _per_partner(_facts(conn, actor, None, None))


def funnel_by_channel(*, conn: Connection, actor: str = "systeem:evaluatie") -> Counts:
    """Per kind of contact attempt (DDAS): cases with such an attempt, reached by it, and
    accepted and helped in the end."""
    return _per_channel(_facts(conn, actor, None, None))


def funnel_by_segment(*, conn: Connection, actor: str = "systeem:evaluatie") -> Counts:
    """Per most likely segment, for residents who answered the questionnaire and agreed:
    cases, reached, accepted, helped. Everyone else is counted as 'geen antwoorden'."""
    return _per_dimension(_facts(conn, actor, None, None), "segment")
