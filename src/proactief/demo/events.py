"""The demo's life events: a file of CloudEvents as the BRP's event service would drop it
(births, moves, ends of marriages, two deaths of residents with an open case, and two
events the intake must refuse), taken in and, where the moment has come, offered."""

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine

from proactief.demo.offers import send_first_steps
from proactief.demo.population import SyntheticPerson
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import case_grant
from proactief.offers import repository as offers_repo
from proactief.offers.account import Afzender
from proactief.offers.life_events import (
    EventIntake,
    EventRun,
    delivery_hash,
    events_of_body,
    intake_events,
    run_due_events,
)
from proactief.offers.outreach import StepResult
from proactief.trust.pseudonyms import Pseudonymizer

SOURCE = "urn:nl:gemeente:voorbeeld:brp-gebeurtenissen"


@dataclass
class EventStepResult:
    """What the demo's life events step did."""

    file: Path
    intake: EventIntake
    run: EventRun
    wachten: int
    steps: list[StepResult] = field(default_factory=list)


def _event(number: int, kind: str, bsn: str, day: date) -> dict[str, object]:
    return {
        "specversion": "1.0",
        "id": f"demo-{number}",
        "source": SOURCE,
        "type": kind,
        "subject": bsn,
        "time": f"{day.isoformat()}T08:00:00Z",
        "datacontenttype": "application/json",
        "data": {"datum": day.isoformat()},
    }


def write_events_file(
    persons: Sequence[SyntheticPerson],
    open_case_persons: set[str],
    path: Path,
    *,
    today: date,
    rng: random.Random,
) -> Path:
    """A batch of CloudEvents (application/cloudevents-batch+json) for the demo."""
    adults = [p for p in persons if p.adult]
    low = [p for p in adults if p.low_income]
    events: list[dict[str, object]] = []
    picks = [
        ("nl.brp.geboorte", rng.sample(low, min(40, len(low))), (30, 90)),
        ("nl.brp.verhuizing", rng.sample(low, min(30, len(low))), (5, 60)),
        ("nl.brp.einde_huwelijk", rng.sample(low, min(15, len(low))), (10, 80)),
    ]
    for kind, chosen, (lo, hi) in picks:
        for person in chosen:
            day = today - timedelta(days=rng.randint(lo, hi))
            events.append(_event(len(events) + 1, kind, person.bsn, day))
    # two residents with an open case die: their ladders stop
    dying = [p for p in adults if p.pseudonym in open_case_persons][:2]
    for person in dying:
        events.append(_event(len(events) + 1, "nl.brp.overlijden", person.bsn, today))
    # what the intake must refuse: a BSN that fails the elfproef, an unknown kind
    events.append(_event(len(events) + 1, "nl.brp.geboorte", "123456789", today))
    events.append(_event(len(events) + 1, "nl.brp.naamswijziging", adults[0].bsn, today))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(events, indent=1), encoding="utf-8")
    return path


def run_events_step(
    *,
    engine: Engine,
    persons: Sequence[SyntheticPerson],
    pseudonymizer: Pseudonymizer,
    out_dir: Path,
    today: date,
    afzender: Afzender,
    rng: random.Random,
    sample: int = 6,
) -> EventStepResult:
    """Write the events file, take it in (as ``proactief events intake`` does), make the
    offers whose moment has come (``events run``) and send a sample of first steps."""
    with engine.begin() as conn:
        grant = case_grant(conn, actor="systeem:demo")
        open_persons = {row.person_pseudonym for row in early_repo.open_case_rows(grant)}
    path = write_events_file(
        persons, open_persons, out_dir / "inbox" / "gebeurtenissen.json", today=today, rng=rng
    )
    body = path.read_bytes()
    # the BRP's events are taken in after the morning's letters (09:00, the offer step):
    # a resident who dies today got any letter of this morning before, not after
    now = datetime.combine(today, time(10), tzinfo=UTC)
    with engine.begin() as conn:
        intake = intake_events(
            conn,
            events_of_body(body),
            naam=path.name,
            sha256=delivery_hash(body),
            pseudonymizer=pseudonymizer,
            now=now,
            actor="systeem:demo",
        )
    with engine.begin() as conn:
        run = run_due_events(conn, now=now, actor="systeem:demo")
        waiting = offers_repo.life_event_counts(conn).get("wacht", 0)
    steps = send_first_steps(
        engine=engine, case_ids=run.zaken[:sample], out_dir=out_dir, now=now, afzender=afzender
    )
    return EventStepResult(path, intake, run, waiting, steps)
