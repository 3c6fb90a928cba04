"""``proactief demo``: the synthetic municipality through the whole chain."""

import secrets
from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    TaskID,
)
from rich.table import Table
from sqlalchemy import Engine

from proactief.accounts.resident_codes import create_code
from proactief.accounts.users import Rol, UserError, add_user
from proactief.cli.common import (
    console,
    context,
    err,
    progress_bar,
    run_server,
)
from proactief.cli.common import fail as _fail
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import case_grant
from proactief.storage import maintenance

if TYPE_CHECKING:
    from proactief.demo.events import EventStepResult
    from proactief.demo.offers import CampaignStepResult, OfferStepResult
    from proactief.demo.run import DemoResult
    from proactief.evaluation.experiments import ExperimentResult
    from proactief.offers.outreach import StepResult


def demo(
    residents: Annotated[
        int, typer.Option("--inwoners", "--residents", min=1, help="Aantal inwoners.")
    ] = 50_000,
    months: Annotated[int, typer.Option(help="Maanden signalen.")] = 12,
    seed: Annotated[int, typer.Option(help="Startwaarde van het toeval.")] = 2026,
    reset: Annotated[
        bool, typer.Option("--reset", help="Wis eerst alle gegevens in de database.")
    ] = False,
    berichten: Annotated[
        int,
        typer.Option(
            min=0, help="Voor zoveel nieuwe zaken de eerste stap zetten (brieven, e-mails)."
        ),
    ] = 12,
    serve: Annotated[
        bool, typer.Option("--serve", help="Start daarna de webapp op de demogemeente.")
    ] = False,
    port: Annotated[int, typer.Option(help="Poort van de webapp (met --serve).")] = 8000,
) -> None:
    """Draai de hele keten voor de synthetische 'Gemeente Voorbeeld'."""
    # Imported here: the demo loads the whole chain (pandas, SciPy, WeasyPrint); the
    # other commands should start without it.
    from proactief.demo.run import run_demo

    settings, engine = context().settings, context().engine
    with engine.begin() as conn:
        if maintenance.count_rows(conn, "signals") or maintenance.count_rows(conn, "households"):
            if not reset:
                raise _fail(
                    "de database bevat al gegevens. Gebruik 'proactief demo --reset' (of "
                    "'proactief demo --reset --serve') om alles te wissen en de demo opnieuw "
                    "te maken, of 'proactief serve' om de webapp op deze gegevens te openen."
                )
            maintenance.clear_all(conn)
            # the demo's audit log starts anew, and so do its anchors
            context().settings.resolved_audit_anchor().unlink(missing_ok=True)
    pseudonymizer = context().pseudonymizer
    with progress_bar() as progress:
        tasks: dict[str, TaskID] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        result = run_demo(
            engine=engine,
            pseudonymizer=pseudonymizer,
            work_queue=context().work_queue,
            out_dir=settings.data_dir / "demo",
            residents=residents,
            months=months,
            seed=seed,
            organisation_name=settings.organisation_name,
            gegevensleverancier=settings.gegevensleverancier,
            progress=step,
            sample_messages=berichten,
        )
    _print_demo_summary(result)
    if result.offers is not None:
        _print_offers(result.offers)
    if result.campaign is not None:
        _print_campaign(result.campaign)
    if result.events is not None:
        _print_events(result.events)
    if result.second_scan is not None:
        s = result.second_scan
        console.print(
            f"Tweede regelingencheck (gesimuleerd: na een aanbod vraagt {s.kans:.0%} van de "
            f"huishoudens het geld aan): {s.ontvangen} van de {s.aangeboden} aangeboden "
            "regelingen worden nu ontvangen, samen € "
            + f"{s.bedrag_per_jaar:,.0f}".replace(",", ".")
            + " per jaar. Dit staat in het dashboard onder 'Geld na een aanbod'.",
            soft_wrap=True,
        )
    if result.experiment is not None:
        _print_experiment(result.experiment, result.experiment_factor)
    if serve:
        _serve_demo(engine, port)


def _serve_demo(engine: Engine, port: int) -> None:
    """Demo users with fresh passwords, a resident code, then the web app."""

    table = Table(title="Inloggen in de webapp (alleen voor deze demo)")
    for column in ("Gebruikersnaam", "Rol", "Wachtwoord"):
        table.add_column(column)
    with engine.begin() as conn:
        for rol in Rol:
            password = secrets.token_urlsafe(12)
            try:
                add_user(
                    conn=conn, gebruikersnaam=f"demo-{rol.value}", wachtwoord=password, rol=rol
                )
            except UserError:
                password = "(bestond al; wachtwoord ongewijzigd)"
            table.add_row(f"demo-{rol.value}", rol.value, password)
        rows = early_repo.open_case_rows(case_grant(conn, actor="systeem:demo"), limit=1)
        code = create_code(conn=conn, person_pseudonym=rows[0].person_pseudonym) if rows else None
    console.print(table)
    if code:
        console.print(
            f"Inwoner van zaak {rows[0].id}: ga naar http://localhost:{port}/inwoner en vul "
            f"de code {code} in."
        )
    run_server(host="127.0.0.1", port=port, demo=True)


def _print_demo_summary(result: "DemoResult") -> None:
    sim = result.simulation
    table = Table(title="Gemeente Voorbeeld — samenvatting", show_header=False)
    table.add_row("Periode", f"{result.period[0]} t/m {result.period[1]}")
    table.add_row("Inwoners / huishoudens", f"{result.residents} / {result.households}")
    records = sum(r.records for r in result.intake)
    table.add_row(
        "Signalen ingelezen",
        f"{records} records: {sum(r.accepted for r in result.intake)} opgeslagen, "
        f"{sum(r.duplicates for r in result.intake)} dubbel, "
        f"{sum(r.rejected for r in result.intake)} geweigerd (quarantaine)",
    )
    created = sum(m.cases_created for m in result.matching)
    filtered = sum(m.cases_filtered for m in result.matching)
    table.add_row("Zaken", f"{created} gevormd, {filtered} niet opgepakt (filter)")
    handled = sum(sim.cases.values())
    reached = sum(sim.reached.values())
    accepted = sum(sim.accepted.values())
    table.add_row(
        "Contact",
        f"{handled} zaken benaderd, {reached} bereikt ({reached / max(handled, 1):.0%}), "
        f"{accepted} hulp aanvaard",
    )
    names = {
        "written_contact_only": "alleen schriftelijk",
        "at_least_one_phone_attempt": "met telefoon",
        "at_least_one_home_visit": "met huisbezoek",
    }
    for key, label in names.items():
        n = sim.cases[key]
        table.add_row(
            f"  bereik {label}", f"{sim.reached[key]}/{n} ({sim.reached[key] / max(n, 1):.0%})"
        )
    table.add_row("Afgesloten / nog open", f"{sim.closed} / {result.open_cases}")
    prefs = result.preferences
    table.add_row(
        "Voorkeuren van inwoners",
        f"{prefs.get('kanaal', 0)} kanaal, {prefs.get('elektronisch', 0)} e-mail akkoord, "
        f"{prefs.get('vertegenwoordiger', 0)} bewindvoerder, {result.opted_out} afgemeld, "
        f"{prefs.get('vragenlijst', 0)} vragenlijst ingevuld (met toestemming)",
    )
    table.add_row(
        "Berichten",
        f"{sim.messages_sent} verzonden, {sim.messages_blocked} tegengehouden (afgemeld); "
        f"aan afgemelde inwoners verzonden: {result.messages_to_opted_out}",
    )
    table.add_row(
        "Audit-log",
        f"{result.audit_entries} regels, keten "
        + ("ongeschonden" if result.audit_ok else "AANGETAST"),
    )
    table.add_row(
        "CBS-levering",
        f"{result.report_signals} signalen, {result.report_cases} zaken, geldig volgens DDAS v1.2",
    )
    if result.non_take_up is not None:
        total = float(result.non_take_up["bedrag_per_jaar_totaal"].sum())
        table.add_row(
            f"Niet-gebruik {result.entitlements_year}",
            f"€ {total:,.0f} per jaar blijft liggen".replace(",", "."),
        )
        for row in result.non_take_up.to_dict(orient="records"):
            amount = f"{row['bedrag_per_jaar_totaal']:,.0f}".replace(",", ".")
            table.add_row(
                f"  {row['regeling']}",
                f"{row['recht_niet_ontvangen']} huishoudens, € {amount}"
                + (
                    f"; {row['mogelijk_recht_gegevens_nodig']} mogelijk (gegevens nodig)"
                    if row["mogelijk_recht_gegevens_nodig"]
                    else ""
                ),
            )
    table.add_row("Tijd", f"{result.seconds:.1f} s")
    console.print(table)
    console.print(f"CBS-levering: {result.report_path}", soft_wrap=True)
    console.print(f"Aangeleverde bestanden: {result.files[0].parent}", soft_wrap=True)
    console.print("Bekijk de werkvoorraad met: proactief cases")
    if result.population_file is not None:
        console.print(
            f"Niet-gebruik: {result.non_take_up_file}. Opnieuw scannen: proactief rules scan "
            f"{result.population_file} --receipts {result.receipts_file} --jaar "
            f"{result.entitlements_year} -o niet-gebruik.csv",
            soft_wrap=True,
        )


def _first_steps(steps: "list[StepResult]") -> str:
    """'Eerste stap gezet voor 12 zaken: 12x brief afgeleverd' (what each step did)."""
    made = Counter(f"{s.kanaal.value if s.kanaal else '-'} {s.status}" for s in steps)
    done = ", ".join(f"{n}x {what}" for what, n in sorted(made.items())) or "geen"
    return f"Eerste stap gezet voor {len(steps)} zaken: {done}"


def _print_events(events: "EventStepResult") -> None:
    """The life events file: what the intake did, and the offers whose moment came."""
    i, run = events.intake, events.run
    console.print(
        f"Levensgebeurtenissen ({events.file}): {i.ontvangen} ontvangen, {i.opgeslagen} "
        f"opgeslagen, {i.dubbel} dubbel, {i.quarantaine} in quarantaine, {i.overlijdens} "
        f"overlijden (elke contactladder van die persoon gestopt). Nu aan de beurt: "
        f"{len(run.zaken)} zaken met een aanbod, {sum(run.geen_aanbod.values())} zonder "
        f"aanbod, {run.gestopt} gestopt; {events.wachten} wachten op hun moment. "
        + _first_steps(events.steps)
        + ".",
        soft_wrap=True,
    )
    for reden, n in sorted(run.geen_aanbod.items()):
        console.print(f"- {n}x zonder aanbod: {reden}", soft_wrap=True)
    for position, reden in i.redenen:
        console.print(f"- quarantaine, {position}: {reden}", soft_wrap=True)


def _print_experiment(result: "ExperimentResult", factor: dict[str, float]) -> None:
    """The demo's experiment: its arms with their intervals and the conclusion."""
    from proactief.domain.experiments import percent

    arms = "; ".join(
        f"'{a.arm}' {a.met_uitkomst} van {a.eenheden} bereikt binnen 28 dagen"
        + (
            ""
            if a.aandeel is None or a.interval is None
            else (
                f" ({percent(a.aandeel)}, 95%-interval {percent(a.interval[0])} tot "
                f"{percent(a.interval[1])})"
            )
        )
        for a in result.armen
    )
    assumed = ", ".join(f"'{arm}' x " + f"{f:g}".replace(".", ",") for arm, f in factor.items())
    console.print(
        f"Experiment '{result.naam}' (twee brieven, geloot per huishouden, apart per "
        f"signaalpartner en segment; geplande steekproef {result.geplande_steekproef} per "
        f"groep): {arms}. Gesimuleerd: de demo neemt aan dat de kans om iemand te bereiken "
        f"per groep anders is ({assumed}); dat is een aanname, geen uitkomst.",
        soft_wrap=True,
    )
    for line in result.conclusie:
        console.print(line, soft_wrap=True)


def _print_campaign(campaign: "CampaignStepResult") -> None:
    """The example non-take-up campaign: what its selection found, what the run made."""
    console.print(
        f"Campagne '{campaign.naam}': {campaign.huishoudens} huishoudens laten samen "
        f"€ {campaign.bedrag_per_jaar:,.0f}".replace(",", ".")
        + " per jaar liggen. "
        + f"Deze week {campaign.zaken} zaken gemaakt (maximaal {campaign.per_week} per week; "
        f"{campaign.wacht} wachten op een volgende week; {campaign.afgemeld} afgemeld en "
        f"{campaign.overleden} overleden overgeslagen). "
        + _first_steps(campaign.steps)
        + ". De rest volgt met 'proactief offer send --alle' of de workers.",
        soft_wrap=True,
    )


def _print_offers(offers: "OfferStepResult") -> None:
    """The offers by first channel and tone, and the messages the demo made."""
    tones = sorted({tone for _channel, tone in offers.by_channel_and_tone})
    channels = sorted({channel for channel, _tone in offers.by_channel_and_tone})
    table = Table(title=f"Aanbod voor {offers.offers} open zaken: eerste kanaal en toon")
    table.add_column("Eerste kanaal")
    for tone in tones:
        table.add_column(tone, justify="right")
    table.add_column("totaal", justify="right")
    for channel in channels:
        counts = [offers.by_channel_and_tone[(channel, tone)] for tone in tones]
        table.add_row(channel, *(str(n) for n in counts), str(sum(counts)))
    console.print(table)
    basis = ", ".join(f"{n} {name}" for name, n in sorted(offers.by_basis.items()))
    console.print(f"Gekozen op basis van: {basis}.")
    made = Counter(f"{s.kanaal.value if s.kanaal else '-'} {s.status}" for s in offers.steps)
    console.print(
        f"Eerste stap gezet voor {len(offers.steps)} nieuwe zaken: "
        + (", ".join(f"{n}x {what}" for what, n in sorted(made.items())) or "geen")
        + f". Uitgaand: {offers.outbox}",
        soft_wrap=True,
    )
    if offers.problems:
        err.print(f"[yellow]Berichtcontrole: {len(offers.problems)} punten[/]")
        for problem in offers.problems[:10]:
            err.print(f"- {problem}")
    else:
        console.print(
            f"Berichtcontrole: alle {offers.messages_checked} berichten in orde (elk "
            "element en elke bewering klopt met de feiten van het aanbod; leesbaarheid B1; "
            "woordkeuze)."
        )
    console.print(
        f"Alle berichten van een zaak per toon ({', '.join(offers.preview_tones)}): "
        f"{offers.previews}",
        soft_wrap=True,
    )
    console.print(
        f"Overzicht per zaak: {offers.overview_file}. Uitleg per zaak: proactief offer "
        "explain ZAAK. Open taken: proactief tasks list.",
        soft_wrap=True,
    )
