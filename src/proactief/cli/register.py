"""``proactief algoritmeregister``: the entry for the national Algoritmeregister, written
from the rules that run (offers.register)."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from proactief.cli.common import console, context, today_of
from proactief.cli.common import fail as _fail


def algoritmeregister(
    contact: Annotated[
        str,
        typer.Option(help="E-mailadres of website voor vragen over het algoritme (verplicht)."),
    ],
    begindatum: Annotated[
        str | None, typer.Option(help="Maand waarin de gemeente begon (JJJJ-MM).")
    ] = None,
    website: Annotated[str | None, typer.Option(help="Publiekspagina (https://...).")] = None,
    broncode: Annotated[
        str | None, typer.Option(help="Link naar de broncode (https://...).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Schrijf de registratie (JSON) hierheen.")
    ] = None,
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het vandaag deze datum is (JJJJ-MM-DD).")
    ] = None,
) -> None:
    """Schrijf de registratie voor het Algoritmeregister (publicatiestandaard 1.0.0) uit de
    regels die draaien: doelen en grondslagen, selectie en volgorde, aanpak, de regels van
    elke regeling met hun artikelen, en de experimenten met hun loting en uitkomst."""
    from proactief.offers.register import RegisterError, RegisterOptions, build_entry

    if begindatum is not None and (
        len(begindatum) != 7 or not begindatum[:4].isdigit() or begindatum[4] != "-"
    ):
        raise _fail(f"--begindatum '{begindatum}': gebruik JJJJ-MM, bijvoorbeeld 2027-01.")
    for name, link in (("--website", website), ("--broncode", broncode)):
        if link is not None and not link.startswith("https://"):
            raise _fail(f"{name} '{link}': een link begint met https://")
    today = today_of(datum)
    ctx = context()
    options = RegisterOptions(
        organisatie=ctx.settings.organisation_name,
        contact=contact,
        begindatum=begindatum,
        website=website,
        broncode=broncode,
        vandaag=today,
        brp=ctx.settings.contact_directory == "brp",
    )
    with ctx.engine.connect() as conn:
        try:
            entry = build_entry(conn, options, ctx.work_queue)
        except RegisterError as exc:
            raise _fail("de registratie past niet in de standaard: " + str(exc)) from exc
    text = json.dumps(entry, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    console.print(
        f"Registratie geschreven: {output}. Nog door de gemeente in te vullen waar dat kan: "
        "links naar de DPIA en IAMA (impacttoetsen_grouping) en naar het verwerkingsregister "
        "(process_index_url)."
    )
