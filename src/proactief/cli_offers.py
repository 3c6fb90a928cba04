"""``proactief offer explain`` and ``proactief campaign check``."""

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from proactief.cli_common import console, err
from proactief.cli_common import fail as _fail

offer_app = typer.Typer(
    help="Aanbod op maat: wat, van wie, hoe, wanneer en waarom.", no_args_is_help=True
)
campaign_app = typer.Typer(help="Campagnes: controleer een ontwerp.", no_args_is_help=True)


@offer_app.command("explain")
def offer_explain(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON.")] = False,
) -> None:
    """Toon het aanbod voor een zaak met de reden van elke keuze."""
    from proactief.cli import _engine
    from proactief.pipeline.consent import current_state
    from proactief.pipeline.contacts import CaseNotFoundError, get_case
    from proactief.pipeline.tailoring import CaseSummary, choose_approach
    from proactief.storage import repositories as repo

    _settings, engine = _engine()
    with engine.begin() as conn:
        try:
            case = get_case(conn=conn, case_id=case_id)
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
        crisis = any(s.crisissignaal for s in repo.signals_of_cases(conn, [case_id]))
        state = current_state(conn=conn, person_pseudonym=case.person_pseudonym)
    offer = choose_approach(case=CaseSummary(case_id=case_id, crisis=crisis), preferences=state)
    if as_json:
        sys.stdout.write(
            json.dumps(asdict(offer), ensure_ascii=False, indent=1, default=str) + "\n"
        )
        return
    console.print(f"[bold]Aanbod voor zaak {case_id}[/] (op basis van: {offer.basis})")
    console.print(f"Afzender: {offer.afzender} · toon: {offer.toon} · moment: {offer.moment}")
    for item in offer.wat:
        console.print(
            f"- {item.omschrijving}"
            + (" (automatisch toekennen voorstellen)" if item.automatisch else "")
        )
    for number, step in enumerate(offer.ladder, start=1):
        console.print(
            f"{number}. {step.kanaal}"
            + (f" ({step.dagdeel})" if step.dagdeel else "")
            + (f", na {step.wacht_dagen} dagen" if step.wacht_dagen else "")
        )
    if not offer.ladder:
        console.print("Geen contact: de inwoner wil niet benaderd worden.")
    console.print("[bold]Waarom[/]")
    for reason in offer.redenen:
        console.print(f"- {reason.keuze}: {reason.reden}")


@campaign_app.command("check")
def campaign_check(
    file: Annotated[Path, typer.Argument(help="Campagne (YAML), zie config/campagnes/.")],
) -> None:
    """Weiger ontwerpen die burgers afwijzen; toon wat ontbreekt."""
    from proactief.pipeline.campaigns import CampaignError, check_campaign, load_campaign

    try:
        campaign = load_campaign(file)
    except CampaignError as exc:
        raise _fail(str(exc)) from exc
    refusals = check_campaign(campaign)
    if not refusals:
        console.print(f"'{campaign.naam}': dit ontwerp mag.")
        return
    err.print(f"[bold red]'{campaign.naam}': dit ontwerp wordt geweigerd.[/]")
    for refusal in refusals:
        err.print(f"- {refusal.regel}: {refusal.reden}")
    raise typer.Exit(1)
