"""`proactief demo`: a synthetic municipality run through the whole early-detection chain."""

import contextlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine

from proactief.accounts.users import Rol, UserError, add_user
from proactief.config import policy_path
from proactief.demo.config import (
    DemoEntitlements,
    DemoMunicipality,
    Voorkeuren,
    load_demo_config,
    load_evidence,
)
from proactief.demo.events import EventStepResult, run_events_step
from proactief.demo.offers import (
    CampaignStepResult,
    OfferStepResult,
    run_campaign_step,
    run_offer_step,
)
from proactief.demo.population import generate_population
from proactief.demo.signals import generate_signals, write_creditor_csv, write_ddas_json
from proactief.demo.simulation import SimulationResult, simulate_contacts
from proactief.domain import EventSoort, Wijze
from proactief.domain.experiments import ExperimentSpec
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import MatchResult, match_signals
from proactief.early_detection.contacts import case_grant
from proactief.early_detection.intake import IntakeResult, intake_file
from proactief.early_detection.report import (
    ReportRequest,
    build_ddas_report,
    write_ddas_report,
)
from proactief.early_detection.work_queue import WorkQueueConfig
from proactief.entitlements import evaluate_population, scan_non_take_up
from proactief.entitlements import repository as entitlements_repo
from proactief.entitlements.outcomes import open_offers
from proactief.entitlements.population import ScanResult, write_table
from proactief.entitlements.runs import store_scan
from proactief.entitlements.scan import entitlement_rows
from proactief.evaluation.experiments import ExperimentResult, analyse
from proactief.evaluation.funnel import funnels
from proactief.offers.experiments import (
    experiment_states,
    load_experiment,
    save_result,
    start_experiment,
)
from proactief.offers.outreach import Afzender
from proactief.offers.questionnaire import load_questionnaire, record_answers
from proactief.trust import repository as trust_repo
from proactief.trust.audit import verify_audit
from proactief.trust.consent import record_event
from proactief.trust.pseudonyms import Pseudonymizer

Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    """Everything the demo summary shows."""

    residents: int
    households: int
    period: tuple[date, date]
    intake: list[IntakeResult]
    matching: list[MatchResult]
    simulation: SimulationResult
    open_cases: int
    report_path: Path
    report_signals: int
    report_cases: int
    seconds: float
    files: list[Path] = field(default_factory=list)
    entitlements_year: int = 0
    preferences: dict[str, int] = field(default_factory=dict)
    opted_out: int = 0
    messages_to_opted_out: int = 0
    audit_entries: int = 0
    audit_ok: bool = False
    non_take_up: pd.DataFrame | None = None
    population_file: Path | None = None
    receipts_file: Path | None = None
    non_take_up_file: Path | None = None
    offers: OfferStepResult | None = None
    campaign: CampaignStepResult | None = None
    events: EventStepResult | None = None
    second_scan: "SecondScan | None" = None
    experiment: ExperimentResult | None = None
    experiment_factor: dict[str, float] = field(default_factory=dict)
    """The demo's assumed reach factor per arm (config/demo_municipality.yaml)."""


DEMO_WORKERS = (("demo-sanne", "Sanne Jansen"), ("demo-daan", "Daan de Boer"))
"""Made-up contact workers of the demo municipality (their passwords are not shown: set
one with 'proactief users password demo-sanne' to log in as them)."""


def run_demo(
    *,
    engine: Engine,
    pseudonymizer: Pseudonymizer,
    work_queue: WorkQueueConfig,
    out_dir: Path,
    residents: int = 50_000,
    months: int = 12,
    seed: int = 2026,
    today: date | None = None,
    organisation_name: str = "Gemeente Voorbeeld",
    gegevensleverancier: str = "PROACTIEF",
    progress: Progress | None = None,
    sample_messages: int = 12,
) -> DemoResult:
    """Create the municipality, take in its signals, build cases, simulate contact, report."""
    started = time.perf_counter()
    today = today or date.today()
    report = progress or (lambda _stage, _done, _total: None)
    rng = random.Random(seed)
    config = load_demo_config()
    evidence = load_evidence()
    end = today - timedelta(days=1)
    start = end - timedelta(days=round(months * 365 / 12) - 1)

    report("Inwoners en huishoudens maken", 0, 1)
    household_rows, resident_rows, persons, rule_rows = generate_population(
        residents=residents, config=config, pseudonymizer=pseudonymizer, rng=rng, today=today
    )
    with engine.begin() as conn:
        entitlements_repo.insert_population(conn, household_rows, resident_rows)
    report("Inwoners en huishoudens maken", 1, 1)

    records = generate_signals(persons=persons, config=config, start=start, end=end, rng=rng)
    # Health insurers and most partners deliver DDAS JSON; the housing corporation a CSV.
    huur = [r for r in records if r["signaalpartner"].get("type") == "Huur"]
    other = [r for r in records if r["signaalpartner"].get("type") != "Huur"]
    inbox = out_dir / "inbox"
    half = len(other) // 2
    files = [
        inbox / "signalen-deel1.json",
        inbox / "signalen-deel2.json",
        inbox / "woningcorporatie.csv",
        inbox / "signalen-deel1-opnieuw-verstuurd.json",
    ]
    write_ddas_json(other[:half], files[0], gemeentecode=config.gemeentecode)
    write_ddas_json(other[half:], files[1], gemeentecode=config.gemeentecode)
    write_creditor_csv(huur, files[2])
    files[3].write_bytes(files[0].read_bytes())  # a partner sends the same file twice

    intake_results = []
    for number, path in enumerate(files, start=1):
        intake_results.append(
            intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=today)
        )
        report("Signalen innemen", number, len(files))

    matching = []
    run_day = start + timedelta(days=6)
    weeks = ((end - start).days // 7) + 1
    week = 0
    while run_day <= end + timedelta(days=6):
        with engine.begin() as conn:
            matching.append(
                match_signals(conn=conn, matchingsdatum=min(run_day, end), config=work_queue)
            )
        week += 1
        report("Zaken vormen (wekelijkse matching)", min(week, weeks), weeks)
        run_day += timedelta(days=7)

    report("Voorkeuren en afmeldingen van inwoners", 0, 1)
    with engine.begin() as conn:
        preferences = _preferences(conn, config.voorkeuren, rng)
    report("Voorkeuren en afmeldingen van inwoners", 1, 1)

    report("Contactpogingen en eindresultaten", 0, 1)
    with engine.begin() as conn:
        experiment = start_experiment(
            conn,
            _demo_experiment(config, start=start, stop=today, seed=seed),
            now=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
        )
        simulation = simulate_contacts(
            conn=conn,
            evidence=evidence,
            config=config,
            today=today,
            rng=rng,
            experiment_factor=config.experiment.bereik_factor,
        )
        open_cases = early_repo.count_open_cases(conn)
        opted_out = trust_repo.opted_out_persons(conn)
        to_opted_out = sum(
            1
            for m in trust_repo.message_rows(conn, status="verzonden")
            if m.person_pseudonym in opted_out
        )
        audit_count, audit_problems = verify_audit(conn)
    report("Contactpogingen en eindresultaten", 1, 1)

    report("CBS-rapportage (DDAS v1.2)", 0, 1)
    request = ReportRequest(
        start=start,
        end=end,
        gemeentecode=config.gemeentecode,
        organisation_name=organisation_name,
        gegevensleverancier=gegevensleverancier,
    )
    with engine.begin() as conn:
        document = build_ddas_report(conn=conn, request=request)
    report_path = out_dir / f"ddas-{config.gemeentecode}-{start}-{end}.json"
    write_ddas_report(document, report_path)
    report("CBS-rapportage (DDAS v1.2)", 1, 1)
    levering = document["leveringen"][0]

    report("Niet-gebruik van regelingen", 0, 1)
    population = pd.DataFrame(rule_rows)
    scan = _non_take_up(population, config.entitlements, out_dir, rng)
    with engine.begin() as conn:
        entitlements_repo.replace_entitlements(
            conn,
            config.entitlements.jaar,
            entitlement_rows(
                scan,
                population,
                jaar=config.entitlements.jaar,
                regelingen=list(config.entitlements.niet_gebruik),
            ),
        )
    report("Niet-gebruik van regelingen", 1, 1)

    # two contact workers, so that a case gets its fixed contact person with its first
    # message (config/toewijzing.yaml) and the message names them
    with engine.begin() as conn:
        for login, naam in DEMO_WORKERS:
            # a worker kept from an earlier demo in the same database stays as it is
            with contextlib.suppress(UserError):
                add_user(
                    conn=conn,
                    gebruikersnaam=login,
                    wachtwoord=secrets.token_urlsafe(24),
                    rol=Rol.CONTACTMEDEWERKER,
                    naam=naam,
                )
    offers = run_offer_step(
        engine=engine,
        out_dir=out_dir,
        today=today,
        afzender=Afzender(naam=organisation_name),
        sample=sample_messages,
        progress=report,
    )
    report("Campagne tegen niet-gebruik", 0, 1)
    campaign = run_campaign_step(
        engine=engine,
        out_dir=out_dir,
        today=today,
        afzender=Afzender(naam=organisation_name),
        sample=sample_messages,
    )
    report("Campagne tegen niet-gebruik", 1, 1)
    report("Levensgebeurtenissen", 0, 1)
    events = run_events_step(
        engine=engine,
        persons=persons,
        pseudonymizer=pseudonymizer,
        out_dir=out_dir,
        today=today,
        afzender=Afzender(naam=organisation_name),
        rng=rng,
        sample=max(1, sample_messages // 2),
    )
    report("Levensgebeurtenissen", 1, 1)
    report("Tweede regelingencheck", 0, 1)
    second = _second_scan(
        engine,
        pd.DataFrame(rule_rows),
        out_dir,
        jaar=config.entitlements.jaar,
        share=evidence.national_figures.accepted_share_of_reached,
        rng=rng,
        today=today,
    )
    report("Tweede regelingencheck", 1, 1)
    report("Experiment: twee brieven vergeleken", 0, 1)
    with engine.begin() as conn:
        analysed = analyse(
            conn,
            experiment,
            today=today,
            stopped=experiment_states(conn, experiment.naam)[0].gestopte_armen,
            actor="systeem:demo",
        )
        save_result(conn, experiment.naam, analysed.as_json())
    report("Experiment: twee brieven vergeleken", 1, 1)
    return DemoResult(
        residents=len(resident_rows),
        households=len(household_rows),
        period=(start, end),
        intake=intake_results,
        matching=matching,
        simulation=simulation,
        open_cases=open_cases,
        report_path=report_path,
        report_signals=len(levering["vroegsignalen"]),
        report_cases=len(levering["vroegsignaalzaken"]),
        seconds=time.perf_counter() - started,
        files=files,
        entitlements_year=config.entitlements.jaar,
        preferences=preferences,
        opted_out=len(opted_out),
        messages_to_opted_out=to_opted_out,
        audit_entries=audit_count,
        audit_ok=not audit_problems,
        non_take_up=scan.summary,
        offers=offers,
        campaign=campaign,
        events=events,
        second_scan=second,
        experiment=analysed,
        experiment_factor=config.experiment.bereik_factor,
        population_file=out_dir / "bevolking.csv",
        receipts_file=out_dir / "ontvangsten.csv",
        non_take_up_file=out_dir / "niet-gebruik.csv",
    )


@dataclass(frozen=True)
class SecondScan:
    """The demo's second scan: offered regulations a household now receives."""

    aangeboden: int
    ontvangen: int
    bedrag_per_jaar: float
    kans: float
    """The simulated chance that a household claimed after an offer."""


def _demo_experiment(
    config: DemoMunicipality, *, start: date, stop: date, seed: int
) -> ExperimentSpec:
    """The example experiment, dated to the demo's year and seeded with the demo's seed."""
    spec = load_experiment(policy_path(f"experimenten/{config.experiment.bestand}"))
    return ExperimentSpec.model_validate(
        {
            **spec.model_dump(),
            "naam": "demo-woordkeus",
            "start": start,
            "stop": stop,
            "seed": seed,
        }
    )


def _second_scan(
    engine: Engine,
    population: pd.DataFrame,
    out_dir: Path,
    *,
    jaar: int,
    share: float,
    rng: random.Random,
    today: date,
) -> SecondScan:
    """Some households claimed the money an offer named (simulated: each with the
    national share that accepts help); the municipality's next scan, stored through the
    same service as `proactief rules scan --opslaan`, finds them receiving it."""
    with engine.begin() as conn:
        offered = open_offers(conn)
    claimed = [(h, r) for h, r in offered if rng.random() < share]
    receipts = pd.read_csv(out_dir / "ontvangsten.csv", dtype={"household_id": str})
    extra = pd.DataFrame(claimed, columns=["household_id", "regeling"])
    receipts = pd.concat([receipts, extra], ignore_index=True)
    receipts.to_csv(out_dir / "ontvangsten-tweede-scan.csv", index=False)
    scan = scan_non_take_up(population, jaar=jaar, receipts=receipts)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
    with engine.begin() as conn:
        store_scan(conn, scan, population, jaar=jaar, actor="systeem:demo", now=now)
        money = funnels(conn=conn, actor="systeem:demo").money.get("alle", {})
    return SecondScan(
        aangeboden=int(money.get("aangeboden", 0)),
        ontvangen=int(money.get("ontvangen", 0)),
        bedrag_per_jaar=float(money.get("bedrag_per_jaar", 0.0)),
        kans=share,
    )


def _preferences(conn: Connection, cfg: Voorkeuren, rng: random.Random) -> dict[str, int]:
    """Some signalled residents state preferences, agree to e-mail, name a representative,
    or opt out (before the municipality contacts them)."""
    counts = {
        "kanaal": 0,
        "elektronisch": 0,
        "vertegenwoordiger": 0,
        "opt_out": 0,
        "vragenlijst": 0,
    }
    from proactief.segmentation.instrument import hu_instrument

    instrument = hu_instrument()
    published = [s.item_id for s in instrument.published]
    agree = instrument.agree_probabilities()
    items = list(load_questionnaire().items)
    grant = case_grant(conn, actor="systeem:demo")
    persons = sorted({c.person_pseudonym for c in early_repo.open_case_rows(grant)})
    first_case: dict[str, date] = {}
    for case in early_repo.cases_of_persons(grant, persons):
        seen = first_case.get(case.person_pseudonym)
        first_case[case.person_pseudonym] = min(seen or case.matchingsdatum, case.matchingsdatum)
    for person in persons:
        when = datetime.combine(first_case[person], datetime.min.time(), tzinfo=UTC)
        how = rng.choice(list(Wijze)[:4])

        def record(
            soort: EventSoort,
            waarde: str,
            wijze: Wijze,
            door: str,
            person: str = person,
            when: datetime = when,
        ) -> None:
            record_event(
                conn=conn,
                person_pseudonym=person,
                soort=soort,
                waarde=waarde,
                wijze=wijze,
                door=door,
                now=when,
            )

        if rng.random() < cfg.opt_out:
            record(EventSoort.NIET_BENADEREN, "", how, "inwoner")
            counts["opt_out"] += 1
            continue
        if rng.random() < cfg.kanaal:
            kanaal = rng.choice(["telefoon,brief", "email", "brief", "sms,telefoon"])
            record(EventSoort.KANALEN, kanaal, how, "inwoner")
            counts["kanaal"] += 1
        if rng.random() < cfg.elektronisch:
            record(EventSoort.ELEKTRONISCH_AKKOORD, "vroegsignaal", Wijze.WEB, "inwoner")
            counts["elektronisch"] += 1
        if rng.random() < cfg.vertegenwoordiger:
            record(
                EventSoort.VERTEGENWOORDIGER,
                "bewindvoerder",
                Wijze.BRIEF,
                "medewerker:vroegsignalering",
            )
            counts["vertegenwoordiger"] += 1
        if rng.random() < cfg.vragenlijst:
            # answers as a member of a segment drawn by the published shares would give
            segment = rng.choices(
                range(len(instrument.segments)), weights=list(instrument.shares())
            )[0]
            answers = {
                item: rng.choice((4, 5))
                if rng.random() < agree[segment, published.index(item)]
                else rng.choice((1, 2, 3))
                for item in items
            }
            record(
                EventSoort.GEGEVENS_TOESTEMMING, load_questionnaire().toestemming, how, "inwoner"
            )
            record_answers(conn=conn, person_pseudonym=person, answers=answers, now=when)
            counts["vragenlijst"] += 1
    return counts


def _non_take_up(
    population: pd.DataFrame, cfg: DemoEntitlements, out_dir: Path, rng: random.Random
) -> ScanResult:
    """Give the synthetic households their current receipts (with realistic non-take-up)
    and scan for money they are entitled to but do not get."""
    jaar = cfg.jaar
    regelingen = list(cfg.niet_gebruik)
    entitled = evaluate_population(population, jaar=jaar, regelingen=regelingen)
    receipts = []
    for regeling, rate in cfg.niet_gebruik.items():
        for household_id, status in zip(
            entitled["household_id"], entitled[f"{regeling}_status"], strict=True
        ):
            if status == "recht_niet_ontvangen" and rng.random() >= rate:
                receipts.append({"household_id": household_id, "regeling": regeling})
    receipts_frame = pd.DataFrame(receipts, columns=["household_id", "regeling"])
    out_dir.mkdir(parents=True, exist_ok=True)
    population.to_csv(out_dir / "bevolking.csv", index=False)
    receipts_frame.to_csv(out_dir / "ontvangsten.csv", index=False)
    scan = scan_non_take_up(population, jaar=jaar, receipts=receipts_frame)
    write_table(scan.missed, out_dir / "niet-gebruik.csv")
    return scan
