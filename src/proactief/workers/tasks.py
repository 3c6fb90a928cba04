"""The background tasks themselves: each one is the work a team member used to start with
a command (``cases match``, ``offer send --alle``, ``offer status``, ...), with what it
needs handed over in ``WorkerDeps``. Each returns a summary without personal data, which
the run history keeps (``jobs.runs``).

The ladder is split: ``ladder_case_ids`` lists the open cases and ``run_ladder_case``
takes one case's due step; the queue runs each case as its own job (one worker per case
at a time), the in-process runner one after the other.
"""

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from proactief.jobs import Schedule, finish_run, start_run

if TYPE_CHECKING:
    from proactief.channels import Channel, NotifyService
    from proactief.channels.inbound import Inbound
    from proactief.domain import Kanaal
    from proactief.early_detection.households import AddressRegister
    from proactief.early_detection.klantcontacten import KlantcontactRegistry
    from proactief.early_detection.work_queue import WorkQueueConfig
    from proactief.entitlements import MunicipalSettings
    from proactief.offers.account import Afzender
    from proactief.sources.contactgegevens import ContactDirectory

log = logging.getLogger(__name__)

__all__ = [
    "SIMPLE_TASKS",
    "TaskError",
    "WorkerDeps",
    "ladder_case_ids",
    "recorded",
    "run_ladder_case",
]


class TaskError(RuntimeError):
    """A task that cannot run as configured; the message says which setting is missing."""


@dataclass
class WorkerDeps:
    """What the tasks need, made once per worker from the settings (cli.worker)."""

    engine: Engine
    schedule: Schedule
    work_queue: "WorkQueueConfig"
    afzender: "Afzender"
    channels: "Mapping[Kanaal, Channel]"
    directory: "ContactDirectory | None"
    address_hasher: Callable[[str], str]
    data_dir: Path
    rule_settings: "Callable[[], MunicipalSettings]"
    notify: "NotifyService | None" = None
    inboxes: "Sequence[Inbound]" = field(default_factory=tuple)
    brp: "AddressRegister | None" = None
    """The BRP, for each case's household."""
    household_of_address: Callable[[str], str] | None = None
    """The keyed hash of a household's address (the pseudonymizer's)."""
    registry: "KlantcontactRegistry | None" = None
    """The contact registry (Klantinteracties) each contact attempt is written to."""
    worker: str = "worker"
    stalled_seconds: float = 120.0
    """A worker without a heartbeat for this long is taken for dead; its jobs run again."""

    def today(self) -> date:
        return datetime.now(UTC).date()

    def now(self) -> datetime:
        return datetime.now(UTC)


def recorded(deps: WorkerDeps, taak: str, work: Callable[[], str]) -> str:
    """Run ``work`` as one run of ``taak`` in the history (started, then ended with its
    summary, or with the kind of error it raised, which is raised again)."""
    with deps.engine.begin() as conn:
        run_id = start_run(conn, taak=taak, worker=deps.worker, now=datetime.now(UTC))
    try:
        summary = work()
    except Exception as exc:
        # the kind and our own message only: a library's text can hold personal data
        text = str(exc) if isinstance(exc, TaskError) else type(exc).__name__
        with deps.engine.begin() as conn:
            finish_run(conn, run_id, ok=False, samenvatting=text, now=datetime.now(UTC))
        log.warning("task %s failed: %s", taak, type(exc).__name__)
        raise
    with deps.engine.begin() as conn:
        finish_run(conn, run_id, ok=True, samenvatting=summary, now=datetime.now(UTC))
    return summary


def run_matching(deps: WorkerDeps) -> str:
    from proactief.early_detection.cases import match_signals

    with deps.engine.begin() as conn:
        result = match_signals(conn=conn, matchingsdatum=deps.today(), config=deps.work_queue)
    return (
        f"{result.signals_matched} signalen: {result.cases_created} nieuwe zaken, "
        f"{result.cases_extended} aangevuld"
    )


def ladder_case_ids(deps: WorkerDeps) -> list[int]:
    """Every open case (each gets its own job)."""
    from proactief.early_detection import repository as early_repo
    from proactief.early_detection.contacts import case_grant

    with deps.engine.begin() as conn:  # begin: the audit entry of the read must stay
        grant = case_grant(conn, actor="systeem:ladder")
        return [row.id for row in early_repo.open_case_rows(grant)]


def run_ladder_case(deps: WorkerDeps, case_id: int) -> str:
    """The case's due step, and what an interrupted run left in its outbox."""
    from proactief.offers.outreach import send_next_step

    if deps.directory is None:
        raise TaskError("PROACTIEF_CONTACT_DIRECTORY is niet ingesteld: geen adressen")
    result = send_next_step(
        begin=deps.engine.begin,
        case_id=case_id,
        channels=deps.channels,
        directory=deps.directory,
        now=deps.now(),
        afzender=deps.afzender,
        actor="systeem:ladder",
        address_hasher=deps.address_hasher,
    )
    return f"zaak {case_id}: {result.status}"


def run_delivery_status(deps: WorkerDeps) -> str:
    from proactief.channels.notify import delivery_for_status
    from proactief.offers.outbox import poll_statuses

    if deps.notify is None:
        return "geen verzenddienst ingesteld"
    updates = poll_statuses(
        begin=deps.engine.begin,
        source=deps.notify,
        interpret=delivery_for_status,
        now=datetime.now(UTC),
    )
    counts = Counter(str(u.status) for u in updates)
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "geen nieuwe status"


def run_replies(deps: WorkerDeps) -> str:
    from proactief.offers.replies import process_inbound

    if not deps.inboxes:
        return "geen inbox ingesteld"
    outcomes = process_inbound(
        begin=deps.engine.begin,
        inboxes=list(deps.inboxes),
        channels=deps.channels,
        hasher=deps.address_hasher,
        afzender=deps.afzender.naam,
        telefoon=deps.afzender.telefoon,
    )
    stops = sum(o.afgemeld for o in outcomes)
    return f"{len(outcomes)} antwoorden, {stops} afgemeld"


def run_grants(deps: WorkerDeps) -> str:
    from proactief.offers.grants import run_grants as due_grants

    with deps.engine.begin() as conn:
        outcomes = due_grants(conn, today=deps.today(), now=deps.now())
    return f"{len(outcomes)} toekenningen aan de beurt"


def run_retention(deps: WorkerDeps) -> str:
    from proactief.trust.retention import run_retention as retention

    result = retention(engine=deps.engine, today=deps.today())
    return f"{sum(result.deleted.values())} verwijderd in {result.batches} batch(es)"


def run_feedback(deps: WorkerDeps) -> str:
    """Per creditor, what waits, as ``<data_dir>/terugkoppeling/<partner>-<date>-<n>.csv``
    (mode 0600), recorded as sent in the same transaction."""
    from proactief.domain import Signaalpartner
    from proactief.early_detection.feedback import as_csv, send_feedback

    folder = deps.data_dir / "terugkoppeling"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    written = 0
    for partner in Signaalpartner:
        with deps.engine.begin() as conn:
            lines = send_feedback(
                conn,
                config=deps.work_queue,
                partner=partner.value,
                door="systeem:terugkoppeling",
                via="bestand",
            )
            if not lines:
                continue
            n = 1
            while (path := folder / f"{partner.value}-{deps.today()}-{n}.csv").exists():
                n += 1
            # inside the transaction: a file that cannot be written marks nothing as sent
            path.write_text(as_csv(lines), encoding="utf-8")
            path.chmod(0o600)
            written += len(lines)
    return f"{written} regels teruggekoppeld"


def run_scan(deps: WorkerDeps) -> str:
    from proactief.entitlements import scan_non_take_up
    from proactief.entitlements.population import load_population
    from proactief.entitlements.runs import check_minimal, store_scan

    task = deps.schedule.taken.get("scan")
    if task is None or task.bevolking is None:
        raise TaskError("taken.yaml: scan.bevolking noemt geen bevolkingsbestand")
    frame = load_population(task.bevolking)
    check_minimal(frame, "bevolking", str(task.bevolking))
    jaar = deps.today().year
    scan = scan_non_take_up(frame, jaar=jaar, receipts=None, settings=deps.rule_settings())
    with deps.engine.begin() as conn:
        stored = store_scan(conn, scan, frame, jaar=jaar, actor="systeem:scan")
    return f"{len(frame)} huishoudens gescand, {stored} uitkomsten bewaard ({jaar})"


def run_klantcontacten(deps: WorkerDeps) -> str:
    from proactief.early_detection.klantcontacten import write_klantcontacten

    if deps.registry is None:
        return "geen klantcontactregister ingesteld"
    result = write_klantcontacten(
        begin=deps.engine.begin, registry=deps.registry, now=datetime.now(UTC)
    )
    return result.summary()


def run_households(deps: WorkerDeps) -> str:
    from proactief.early_detection.households import link_households

    if deps.brp is None or deps.household_of_address is None:
        return "de BRP is niet gekoppeld"
    result = link_households(
        begin=deps.engine.begin,
        register=deps.brp,
        household_of_address=deps.household_of_address,
    )
    return result.summary()


def run_life_events(deps: WorkerDeps) -> str:
    """Life events whose moment came (offers.life_events); the ladder sends their steps."""
    from proactief.offers.life_events import run_due_events

    with deps.engine.begin() as conn:
        run = run_due_events(conn, now=deps.now(), actor="systeem:gebeurtenissen")
    return (
        f"{len(run.zaken)} zaken met een aanbod, {sum(run.geen_aanbod.values())} zonder, "
        f"{run.gestopt} gestopt"
    )


def run_campaigns(deps: WorkerDeps) -> str:
    """This week's cases of each campaign named in taken.yaml (offers.campaign_run); the
    ladder task sends their first steps."""
    from proactief.config import policy_path
    from proactief.offers.campaign_run import CampaignRunError, run_campaign
    from proactief.offers.campaigns import CampaignError, load_campaign

    task = deps.schedule.taken.get("campagnes")
    if task is None or not task.bestanden:
        raise TaskError("taken.yaml: campagnes.bestanden noemt geen campagne")
    parts = []
    for name in task.bestanden:
        path = name if name.is_absolute() else policy_path(str(name))
        try:
            campaign = load_campaign(path)
            with deps.engine.begin() as conn:
                run = run_campaign(conn, campaign, now=deps.now(), actor="systeem:campagnes")
        except (CampaignError, CampaignRunError) as exc:
            raise TaskError(f"{name}: {str(exc)[:200]}") from exc
        parts.append(f"{campaign.naam[:40]}: {len(run.zaken)} zaken")
    return "; ".join(parts)


SIMPLE_TASKS: dict[str, Callable[[WorkerDeps], str]] = {
    "matching": run_matching,
    "huishoudens": run_households,
    "afleverstatus": run_delivery_status,
    "klantcontacten": run_klantcontacten,
    "antwoorden": run_replies,
    "toekenningen": run_grants,
    "bewaartermijnen": run_retention,
    "terugkoppeling": run_feedback,
    "scan": run_scan,
    "gebeurtenissen": run_life_events,
    "campagnes": run_campaigns,
}
"""Every task but ``ladder`` (which fans out into a job per case)."""
