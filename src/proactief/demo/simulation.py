"""Simulated contact attempts at the national reach figures (Divosa Monitor 2023)."""

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection

from proactief.demo.config import DemoMunicipality, Evidence
from proactief.domain import (
    Berichtsoort,
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Doel,
    Eindresultaat,
    Kanaal,
    signaalpartner_nl,
)
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import (
    case_grant,
    record_acceptance,
    record_close,
    record_contact,
)
from proactief.offers.experiments import assign
from proactief.trust.messaging import Aanleiding, send_message
from proactief.trust.purposes import load_purposes

_LADDERS = {
    "written_contact_only": (Contactsoort.BRIEF, Contactsoort.KAARTJE),
    "at_least_one_phone_attempt": (
        Contactsoort.BRIEF,
        Contactsoort.TELEFOON,
        Contactsoort.TELEFOON,
        Contactsoort.SMS_WHATSAPP,
    ),
    "at_least_one_home_visit": (
        Contactsoort.BRIEF,
        Contactsoort.TELEFOON,
        Contactsoort.HUISBEZOEK,
    ),
}


_WRITTEN = {
    Contactsoort.KAARTJE: Kanaal.BRIEF,
    Contactsoort.SMS_WHATSAPP: Kanaal.SMS,
    Contactsoort.MAIL: Kanaal.EMAIL,
}
"""Ladder steps that are messages, and so go through send_message."""


_ACTOR = "systeem:demo"
_WORKER = "medewerker"
"""Who the simulated attempts and end results are recorded by (a team member)."""


@dataclass
class SimulationResult:
    """Cases handled per strategy and how many were reached and accepted help."""

    cases: Counter[str] = field(default_factory=Counter)
    reached: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    closed: int = 0
    still_open: int = 0
    messages_sent: int = 0
    messages_blocked: int = 0
    opted_out_cases: int = 0


def simulate_contacts(
    *,
    conn: Connection,
    evidence: Evidence,
    config: DemoMunicipality,
    today: date,
    rng: random.Random,
    experiment_factor: Mapping[str, float] | None = None,
) -> SimulationResult:
    """Give every open case contact attempts and, when their time has come, an end result.

    With a running experiment, each case's unit gets its arm just before the first letter
    (``offers.experiments.assign``), and the chance to reach the resident is the
    strategy's times ``experiment_factor`` of that arm (the demo's assumption)."""
    factors = experiment_factor or {}
    figures = evidence.national_figures
    reach = figures.reach_by_channel_mix
    accept_share = figures.accepted_share_of_reached
    cfg = config.contact
    strategies = list(cfg.strategy_shares)
    strategy_weights = [cfg.strategy_shares[s] for s in strategies]
    lo, hi = cfg.days_to_first_attempt
    result = SimulationResult()
    # one audited read of all open cases, under which the simulated team works them
    grant = case_grant(conn, actor=_ACTOR)
    open_rows = early_repo.open_case_rows(grant)
    case_signals = early_repo.signals_by_case(grant, [r.id for r in open_rows])
    crisis_cases = {c for c, rows in case_signals.items() if any(s.crisissignaal for s in rows)}
    partners = {c: {s.signaalpartner for s in rows} for c, rows in case_signals.items() if rows}
    # in the order the cases began, as a team meets them over the year (the experiment's
    # guardrail checks then follow the clock)
    for row in sorted(open_rows, key=lambda r: (r.matchingsdatum, r.id)):
        first_contact = datetime.combine(
            row.matchingsdatum + timedelta(days=lo), time(9), tzinfo=UTC
        )
        if first_contact.date() > today:
            result.still_open += 1
            continue
        # a running experiment draws the unit's arm before the first message
        arm = assign(
            conn,
            case_id=row.id,
            person_pseudonym=row.person_pseudonym,
            signals=tuple(case_signals.get(row.id, ())),
            now=first_contact,
        )
        # every case starts with a letter, sent through the one door that honours opt-outs
        letter = send_message(
            conn=conn,
            person_pseudonym=row.person_pseudonym,
            soort=Berichtsoort.VROEGSIGNAAL,
            kanaal=Kanaal.BRIEF,
            aanleiding=_aanleiding(partners.get(row.id, {"Overige"})),
            grondslag=load_purposes()[Doel.VROEGSIGNALERING].grondslag,
            selectieregel="elk vroegsignaal krijgt een aanbod voor hulp (Wgs)",
            case_id=row.id,
            now=first_contact,
        )
        if letter.status != "verzonden":
            result.messages_blocked += 1
            result.opted_out_cases += 1
            record_close(
                grant,
                row.id,
                Eindresultaat.NIET_OPGEPAKT_ANDERE_REDEN,
                first_contact.date(),
                actor=_WORKER,
            )
            result.closed += 1
            continue
        result.messages_sent += 1
        strategy = (
            "at_least_one_home_visit"
            if row.id in crisis_cases
            else rng.choices(strategies, weights=strategy_weights)[0]
        )
        factor = factors.get(arm.arm.naam, 1.0) if arm is not None else 1.0
        reached = rng.random() < min(1.0, reach[strategy] * factor)
        ladder = _LADDERS[strategy]
        # When reached, the person answers at a random step of the ladder.
        reached_at = rng.randrange(len(ladder)) if reached else None
        when = row.matchingsdatum + timedelta(days=rng.randint(lo, hi))
        last = when
        result.cases[strategy] += 1
        reached_done = False
        for step, soort in enumerate(ladder):
            if when > today:
                break
            if step > 0 and soort in _WRITTEN:
                follow_up = send_message(
                    conn=conn,
                    person_pseudonym=row.person_pseudonym,
                    soort=Berichtsoort.HERINNERING,
                    kanaal=_WRITTEN[soort],
                    aanleiding=_aanleiding(partners.get(row.id, {"Overige"})),
                    grondslag=load_purposes()[Doel.VROEGSIGNALERING].grondslag,
                    selectieregel="geen reactie op de eerste brief: nog een poging",
                    case_id=row.id,
                    now=datetime.combine(when, time(9), tzinfo=UTC),
                )
                if follow_up.status != "verzonden":
                    result.messages_blocked += 1
                    break
                result.messages_sent += 1
            record_contact(
                grant,
                row.id,
                Contactpoging(
                    soort=soort,
                    datum=when,
                    dagdeel=rng.choice(list(Dagdeel)),
                    bereikt=step == reached_at,
                ),
                actor=_WORKER,
            )
            last = when
            if step == reached_at:
                reached_done = True
                break
            when += timedelta(days=rng.randint(2, 7))
        accepted = reached_done and rng.random() < accept_share
        if reached_done:
            result.reached[strategy] += 1
        if accepted:
            result.accepted[strategy] += 1
            record_acceptance(grant, row.id, last, actor=_WORKER)
        close_on = last + timedelta(days=cfg.days_to_close_after_last_attempt)
        if close_on > today:
            result.still_open += 1
            continue
        if reached_done:
            if accepted:
                outcome = _pick(rng, cfg.outcome_if_accepted)
            else:
                outcome = _pick(rng, cfg.outcome_if_declined)
        else:
            outcome = Eindresultaat.DEFINITIEF_GEEN_CONTACT
        record_close(grant, row.id, outcome, close_on, actor=_WORKER)
        result.closed += 1
    return result


def _aanleiding(partners: set[str]) -> Aanleiding:
    """What triggered the messages of a case, naming its signal partners in plain Dutch."""
    return Aanleiding(
        soort="vroegsignaal",
        omschrijving="een bericht over een betalingsachterstand",
        organisatie=" en ".join(sorted(signaalpartner_nl(p) for p in partners)),
    )


def _pick(rng: random.Random, shares: dict[str, float]) -> Eindresultaat:
    names = list(shares)
    return Eindresultaat(rng.choices(names, weights=[shares[n] for n in names])[0])
