"""The demo's offer step: an offer for every open case, a table of offers by channel and
tone, and the first ladder step carried out for a sample of new cases through the real
channel plugins (letters as PDFs, e-mails as .eml files, SMS texts, phone tasks), every
message checked by the message checker."""

import csv
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine

from proactief.channels import standard_channels
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import case_grant
from proactief.offers import repository as offers_repo
from proactief.offers.outreach import (
    PREVIEW_FILES,
    Afzender,
    CaseOffer,
    StepResult,
    case_offer,
    check_offer,
    send_next_step,
    write_preview,
)
from proactief.sources.contactgegevens import FakeContactDirectory

Progress = Callable[[str, int, int], None]


@dataclass
class OfferStepResult:
    """What the demo's offer step made."""

    offers: int = 0
    by_channel_and_tone: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_basis: Counter[str] = field(default_factory=Counter)
    steps: list[StepResult] = field(default_factory=list)
    messages_checked: int = 0
    problems: list[str] = field(default_factory=list)
    outbox: Path | None = None
    previews: Path | None = None
    preview_tones: list[str] = field(default_factory=list)
    overview_file: Path | None = None


def _first_channel(co: CaseOffer) -> str:
    return co.offer.ladder[0].kanaal.value if co.offer.ladder else "geen contact"


def run_offer_step(
    *,
    engine: Engine,
    out_dir: Path,
    today: date,
    afzender: Afzender,
    sample: int = 12,
    progress: Progress | None = None,
) -> OfferStepResult:
    """Offers for all open cases; the first step for up to ``sample`` new cases."""
    report = progress or (lambda _stage, _done, _total: None)
    outbox = out_dir / "uitgaand"
    previews = out_dir / "berichten"
    for folder in (outbox, previews):  # the demo's own folders: start empty
        if folder.exists():
            shutil.rmtree(folder)
    result = OfferStepResult(outbox=outbox, previews=previews)
    with engine.begin() as conn:  # begin: the audit entry of the read must stay
        open_rows = early_repo.open_case_rows(case_grant(conn, actor="systeem:demo"))
        untouched = {
            row.id
            for row in open_rows
            if row.datum_opgepakt is None and not offers_repo.outreach_steps_of_case(conn, row.id)
        }
    stage = "Aanbod op maat"
    offers: dict[int, CaseOffer] = {}
    with engine.begin() as conn:
        for number, row in enumerate(open_rows, start=1):
            co = case_offer(conn=conn, case_id=row.id, today=today)
            offers[row.id] = co
            result.by_channel_and_tone[(_first_channel(co), co.offer.toon)] += 1
            result.by_basis[co.offer.basis] += 1
            if number % 200 == 0:
                report(stage, number, len(open_rows))
    result.offers = len(offers)
    report(stage, len(open_rows), len(open_rows))

    # every message of one case per tone, as the resident and the contact worker see them
    first_of_tone: dict[str, int] = {}

    def richest(item: tuple[int, CaseOffer]) -> tuple[int, int]:
        # per tone, a case whose offer holds money found by the scan, where there is one
        case_id, co = item
        return (-sum(1 for w in co.offer.wat if w.bedrag_per_jaar), case_id)

    for case_id, co in sorted(offers.items(), key=richest):
        if co.offer.ladder:
            first_of_tone.setdefault(co.offer.toon, case_id)
    for tone, case_id in sorted(first_of_tone.items()):
        result.messages_checked += len(PREVIEW_FILES)
        result.problems.extend(
            f"zaak {case_id} {p}"
            for p in write_preview(
                offers[case_id],
                afzender=afzender,
                datum=today,
                folder=previews / f"{tone}-zaak{case_id}",
            )
        )
        result.preview_tones.append(tone)
    result.overview_file = _write_overview(offers, out_dir / "aanbod-overzicht.csv")

    # a sample across first channels: round robin, so that letters do not crowd out the rest
    queues: dict[str, list[int]] = {}
    for case_id in sorted(untouched):
        queues.setdefault(_first_channel(offers[case_id]), []).append(case_id)
    queues.pop("geen contact", None)
    chosen: list[int] = []
    while len(chosen) < sample and any(queues.values()):
        for queue in queues.values():
            if queue and len(chosen) < sample:
                chosen.append(queue.pop(0))
    channels = standard_channels(outbox)
    now = datetime.combine(today, time(9), tzinfo=UTC)
    stage = "Berichten maken en versturen (steekproef)"
    for number, case_id in enumerate(chosen, start=1):
        step = send_next_step(
            begin=engine.begin,
            case_id=case_id,
            channels=channels,
            directory=FakeContactDirectory(),
            now=now,
            afzender=afzender,
        )
        result.steps.append(step)
        # the offer as it is now (the case got its owner with its first message)
        with engine.connect() as conn:
            now_offer = case_offer(conn=conn, case_id=case_id, today=today)
        result.messages_checked += len(PREVIEW_FILES)
        result.problems.extend(
            f"zaak {case_id} {p}" for p in check_offer(now_offer, afzender=afzender, datum=today)
        )
        report(stage, number, len(chosen))
    return result


def _write_overview(offers: dict[int, CaseOffer], path: Path) -> Path:
    """One row per open case: no personal data, only the case number and the offer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["zaak", "basis", "toon", "moment", "ladder", "regelingen", "bedrag_per_jaar"]
        )
        for case_id, co in sorted(offers.items()):
            items = [i for i in co.offer.wat if i.regeling]
            writer.writerow(
                [
                    case_id,
                    co.offer.basis,
                    co.offer.toon,
                    co.offer.moment,
                    " > ".join(s.kanaal.value for s in co.offer.ladder) or "geen contact",
                    " ".join(i.regeling or "" for i in items),
                    f"{sum(i.bedrag_per_jaar or 0 for i in items):.2f}",
                ]
            )
    return path


@dataclass
class CampaignStepResult:
    """What the demo's campaign step did: the plan, the run and the sample it sent."""

    naam: str
    huishoudens: int
    bedrag_per_jaar: float
    zaken: int
    per_week: int
    wacht: int
    afgemeld: int
    overleden: int
    steps: list[StepResult] = field(default_factory=list)


def run_campaign_step(
    *,
    engine: Engine,
    out_dir: Path,
    today: date,
    afzender: Afzender,
    sample: int = 12,
) -> CampaignStepResult:
    """Plan and run the example non-take-up campaign (config/campagnes/
    niet_gebruik_zorgtoeslag.yaml) on the stored scan, as if it started today, and send
    the first ladder step of a sample of its cases through the real channel plugins (the
    rest wait for the ladder: ``proactief offer send --alle`` or the workers)."""
    from dataclasses import replace

    from proactief.config import policy_path
    from proactief.offers.campaign_run import run_campaign
    from proactief.offers.campaigns import Looptijd, load_campaign, plan_campaign

    campaign = load_campaign(policy_path("campagnes/niet_gebruik_zorgtoeslag.yaml"))
    campaign = replace(campaign, looptijd=Looptijd(van=today, tot=today + timedelta(days=90)))
    now = datetime.combine(today, time(9), tzinfo=UTC)
    with engine.begin() as conn:
        plan = plan_campaign(conn, campaign, actor="systeem:demo")
        run = run_campaign(conn, campaign, now=now, actor="systeem:demo")
    result = CampaignStepResult(
        naam=campaign.naam,
        huishoudens=plan.huishoudens,
        bedrag_per_jaar=plan.bedrag_per_jaar,
        zaken=len(run.zaken),
        per_week=campaign.per_week or 0,
        wacht=run.wacht_op_volgende_week,
        afgemeld=run.afgemeld,
        overleden=run.overleden,
    )
    result.steps = send_first_steps(
        engine=engine, case_ids=run.zaken[:sample], out_dir=out_dir, now=now, afzender=afzender
    )
    return result


def send_first_steps(
    *, engine: Engine, case_ids: list[int], out_dir: Path, now: datetime, afzender: Afzender
) -> list[StepResult]:
    """The first ladder step of each case through the real channel plugins (letters as
    PDFs, e-mails as .eml files) into the demo's outbox, with the fake contact details."""
    channels = standard_channels(out_dir / "uitgaand")
    return [
        send_next_step(
            begin=engine.begin,
            case_id=case_id,
            channels=channels,
            directory=FakeContactDirectory(),
            now=now,
            afzender=afzender,
        )
        for case_id in case_ids
    ]
