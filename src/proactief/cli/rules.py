"""``proactief rules ...``: explain one household's entitlements, or scan a population for
money people are entitled to but do not get."""

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from proactief.cli.common import console, context, err, progress_bar
from proactief.cli.common import fail as _fail
from proactief.domain.residents import SCAN_JAAR

if TYPE_CHECKING:
    import pandas as pd

    from proactief.entitlements import MunicipalSettings

rules_app = typer.Typer(
    help="Regelingen: uitleg per huishouden en scan op niet-gebruik.", no_args_is_help=True
)


def _euro(value: float | None) -> str:
    from proactief.entitlements.engine import euro

    return "—" if value is None else euro(value, cents=True)


Opt = typer.Option


@rules_app.command("explain")
def explain_cmd(
    regeling: Annotated[
        str,
        typer.Argument(
            help="zorgtoeslag, kindgebonden_budget, huurtoeslag, "
            "kwijtschelding, bijzondere_bijstand, "
            "individuele_inkomenstoeslag"
        ),
    ],
    jaar: Annotated[int, Opt(help="Het jaar.")] = SCAN_JAAR,
    population: Annotated[Path | None, Opt(help="Bevolkingsbestand (.csv/.parquet).")] = None,
    household: Annotated[str | None, Opt(help="household_id in het bevolkingsbestand.")] = None,
    toetsingsinkomen: Annotated[float | None, Opt(help="Toetsingsinkomen per jaar.")] = None,
    toeslagpartner: Annotated[bool, Opt(help="Met toeslagpartner.")] = False,
    vermogen: Annotated[float | None, Opt(help="Vermogen (standaard 0).")] = None,
    leeftijd: Annotated[float | None, Opt(help="Leeftijd van de aanvrager.")] = None,
    partner_niet_verzekerd: Annotated[bool, Opt(help="Toeslagpartner niet verzekerd.")] = False,
    kinderen_0_11: Annotated[int, Opt(help="Kinderen 0-11 jaar.")] = 0,
    kinderen_12_15: Annotated[int, Opt(help="Kinderen 12-15 jaar.")] = 0,
    kinderen_16_17: Annotated[int, Opt(help="Kinderen 16-17 jaar.")] = 0,
    kale_huur: Annotated[float | None, Opt(help="Kale huur per maand.")] = None,
    koopwoning: Annotated[bool, Opt(help="Woont in een koopwoning.")] = False,
    netto_inkomen_maand: Annotated[float | None, Opt(help="Netto inkomen per maand.")] = None,
    auto_waarde: Annotated[float, Opt(help="Waarde van de auto.")] = 0.0,
    aanslag: Annotated[float | None, Opt(help="Aanslag gemeentelijke belastingen.")] = None,
    aantal_volwassenen: Annotated[int, Opt(help="Volwassenen in het huishouden.")] = 1,
    jaren_laag_inkomen: Annotated[float | None, Opt(help="Jaren met een laag inkomen.")] = None,
    ontvangt: Annotated[bool, Opt(help="Ontvangt deze regeling al.")] = False,
    gemeente: Annotated[Path | None, Opt(help="Gemeentelijke instellingen (YAML).")] = None,
    as_json: Annotated[bool, Opt("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Leg de uitkomst voor één huishouden uit, stap voor stap, met het wetsartikel."""
    from proactief.entitlements import ParameterMissingError, PopulationError, explain
    from proactief.entitlements.catalog import regeling_names
    from proactief.entitlements.population import load_population

    if regeling not in regeling_names():
        raise _fail(f"onbekende regeling {regeling!r}; kies uit {', '.join(regeling_names())}")
    settings = context().rule_settings(gemeente)
    notes = []
    if population is not None:
        if household is None:
            raise _fail("geef --household bij --population")
        try:
            frame = load_population(population)
        except PopulationError as exc:
            raise _fail(str(exc)) from exc
        row = frame[frame["household_id"].astype(str) == household]
        if row.empty:
            raise _fail(f"{population}: geen huishouden {household!r}")
        data: dict[str, object] = row.iloc[0].to_dict()
    else:
        if vermogen is None:
            notes.append("U gaf geen vermogen op. We rekenen met 0 euro.")
        data = {
            "toetsingsinkomen": toetsingsinkomen,
            "toeslagpartner": toeslagpartner,
            "vermogen": 0.0 if vermogen is None else vermogen,
            "leeftijd_aanvrager": leeftijd,
            "partner_verzekerd": not partner_niet_verzekerd,
            "kinderen_0_11": kinderen_0_11,
            "kinderen_12_15": kinderen_12_15,
            "kinderen_16_17": kinderen_16_17,
            "kale_huur": kale_huur,
            "huurwoning": (not koopwoning) if (kale_huur is not None or koopwoning) else None,
            "netto_inkomen_maand": netto_inkomen_maand,
            "auto_waarde": auto_waarde,
            "aanslag_gemeentelijke_belastingen": aanslag,
            "aantal_volwassenen": aantal_volwassenen,
            "jaren_laag_inkomen": jaren_laag_inkomen,
            f"ontvangt_{regeling}": ontvangt,
        }
        data = {k: (float("nan") if v is None else v) for k, v in data.items()}
    started = time.perf_counter()
    try:
        result = explain(regeling, data, jaar=jaar, settings=settings)
    except ParameterMissingError as exc:
        raise _fail(f"{exc}. Kies een jaar waarvoor de waarden bekend zijn.") from exc
    elapsed = time.perf_counter() - started
    if as_json:
        out = result.as_json()
        out["opmerkingen"] = notes
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        return
    console.print(f"[bold]{result.titel} {jaar}[/]")
    for note in notes:
        console.print(note)
    from proactief.entitlements.engine import STATUS_NL

    console.print(f"[bold]{STATUS_NL[result.status]}.[/]")
    if result.bedrag_per_jaar is not None:
        console.print(
            f"Bedrag: {_euro(result.bedrag_per_jaar)} per jaar"
            + (
                f" (ongeveer {result.bedrag_per_maand:.0f} euro per maand)"
                if result.bedrag_per_maand is not None
                else ""
            )
        )
    for number, step in enumerate(result.stappen, start=1):
        console.print(f"{number}. {step['tekst']} [dim]({step['bron']})[/]")
    table = Table(
        "parameter", "waarde", "geldig vanaf", "zekerheid", "bron", title="Gebruikte waarden"
    )
    for p in result.parameters:
        table.add_row(
            p["parameter"],
            "onbekend" if p["waarde"] is None else f"{p['waarde']:g}",
            p["geldig_vanaf"],
            p["zekerheid"],
            p["bron"],
        )
    console.print(table)
    prov = result.provenance
    hashes = ", ".join(f"{k} {v[:12]}" for k, v in prov["regelingen"][regeling].items())
    console.print(
        f"[dim]Rekenregels versie {prov['engine_version']}; bestanden {hashes}; "
        f"berekend in {elapsed * 1000:.0f} ms.[/]"
    )


@rules_app.command("scan")
def scan_cmd(
    population: Annotated[Path, typer.Argument(help="Bevolkingsbestand (.csv/.parquet).")],
    output: Annotated[Path, Opt("-o", "--output", help="Lijst niet-gebruik (.csv/.parquet).")],
    persons: Annotated[
        Path | None, Opt(help="Personen (household_id, leeftijd): vult kinderen en volwassenen in.")
    ] = None,
    receipts: Annotated[Path | None, Opt(help="Wie wat ontvangt: household_id, regeling.")] = None,
    jaar: Annotated[int, Opt(help="Het jaar.")] = SCAN_JAAR,
    results: Annotated[Path | None, Opt(help="Schrijf ook alle uitkomsten per huishouden.")] = None,
    gemeente: Annotated[Path | None, Opt(help="Gemeentelijke instellingen (YAML).")] = None,
    as_json: Annotated[bool, Opt("--json", help="Samenvatting als JSON.")] = False,
    opslaan: Annotated[
        bool,
        Opt(
            "--opslaan",
            help="Bewaar de uitkomst ook in de database (vervangt de vorige scan van dit jaar), "
            "zodat de zaakpagina van de webapp elke regeling kan uitleggen.",
        ),
    ] = False,
) -> None:
    """Zoek huishoudens die recht hebben maar het niet krijgen, grootste bedrag eerst.

    Een Parquet-bestand wordt in delen gelezen (ook 8 miljoen huishoudens passen zo in het
    geheugen), met een voortgangsbalk."""
    import numpy as np
    import pandas as pd

    from proactief.entitlements import PopulationError, provenance, scan_non_take_up
    from proactief.entitlements.population import (
        add_person_counts,
        load_persons,
        load_population,
        load_receipts,
        write_table,
    )
    from proactief.entitlements.runs import check_minimal, store_scan

    settings = context().rule_settings(gemeente)
    started = time.perf_counter()
    streamed = population.suffix.lower() == ".parquet"
    try:
        person_rows = None
        if persons is not None:
            person_rows = load_persons(persons)
            check_minimal(person_rows, "personen", str(persons))
        paid = load_receipts(receipts) if receipts else None
        if streamed:
            summary, missed_list, households, stored = _scan_streamed(
                population, person_rows, paid, results, jaar, settings, opslaan, as_json
            )
        else:
            frame = load_population(population)
            check_minimal(frame, "bevolking", str(population))
            if person_rows is not None:
                frame = add_person_counts(frame, person_rows)
    except PopulationError as exc:
        raise _fail(str(exc)) from exc
    if not streamed:
        scan = scan_non_take_up(frame, jaar=jaar, receipts=paid, settings=settings)
        summary, missed_list, households, stored = scan.summary, scan.missed, len(frame), None
        if results is not None:
            write_table(scan.results, results)
        if opslaan:
            engine = context().engine
            with engine.begin() as conn:
                stored = store_scan(conn, scan, frame, jaar=jaar, actor="medewerker")
            engine.dispose()
    prov = provenance()
    # a hash per row through the few distinct names, not a lookup per row (a national
    # list has millions of rows)
    codes, names = pd.factorize(missed_list["regeling"])
    hashes = [next(iter(prov["regelingen"][r].values()))[:16] for r in names]
    missed = missed_list.assign(
        engine_version=prov["engine_version"],
        regels_hash=np.asarray(hashes, dtype=object)[codes] if len(codes) else [],
    )
    write_table(missed, output)
    elapsed = time.perf_counter() - started
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "households": households,
                    "jaar": jaar,
                    "summary": summary.to_dict(orient="records"),
                    "output": str(output),
                    "opgeslagen": stored,
                    "provenance": prov,
                },
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        )
        return
    table = Table(
        "regeling",
        "recht, niet ontvangen",
        "bedrag per jaar",
        "mogelijk recht",
        "ontvangt",
        title=f"Niet-gebruik {jaar} — {households:,} huishoudens",
    )
    for row in summary.to_dict(orient="records"):
        table.add_row(
            row["regeling"],
            f"{row['recht_niet_ontvangen']:,}",
            _euro(row["bedrag_per_jaar_totaal"]),
            f"{row['mogelijk_recht_gegevens_nodig']:,}",
            f"{row['ontvangt']:,}",
        )
    console.print(table)
    total = float(summary["bedrag_per_jaar_totaal"].sum())
    console.print(
        f"Samen blijft {_euro(total)} per jaar liggen. Lijst: {output} "
        f"({elapsed:.1f} s). Rekenregels versie {prov['engine_version']}."
    )
    if stored is not None:
        console.print(
            f"In de database bewaard: {stored:,} uitkomsten (recht of misschien recht) voor "
            f"{jaar}, met alleen de gegevens die elke regeling gebruikt (doel regelingencheck)."
        )


def _scan_streamed(
    population: Path,
    persons: "pd.DataFrame | None",
    receipts: "pd.DataFrame | None",
    results: Path | None,
    jaar: int,
    settings: "MunicipalSettings",
    opslaan: bool,
    quiet: bool,
) -> "tuple[pd.DataFrame, pd.DataFrame, int, int | None]":
    """Scan a Parquet population in batches, with a progress bar on the error stream;
    write all results and store the scan batch by batch."""
    from contextlib import ExitStack

    import pandas as pd

    from proactief.entitlements.population import ScanResult
    from proactief.entitlements.runs import ScanStore, check_minimal
    from proactief.entitlements.stream import TableWriter, read_batches, scan_batches

    names, total, batches = read_batches(population)
    check_minimal(pd.DataFrame(columns=names), "bevolking", str(population))
    with ExitStack() as stack:
        writer = stack.enter_context(TableWriter(results)) if results is not None else None
        store = None
        if opslaan:
            engine = context().engine
            stack.callback(engine.dispose)
            store = ScanStore(stack.enter_context(engine.begin()), jaar=jaar, actor="medewerker")
        progress = stack.enter_context(progress_bar(on=err, disable=quiet))
        task = progress.add_task("huishoudens", total=total)

        def each_batch(scan: ScanResult, frame: pd.DataFrame) -> None:
            if writer is not None:
                writer.write(scan.results)
            if store is not None:
                store.add(scan, frame)
            progress.advance(task, len(frame))

        totals = scan_batches(
            batches,
            jaar=jaar,
            receipts=receipts,
            persons=persons,
            settings=settings,
            each_batch=each_batch,
        )
        stored = store.finish() if store is not None else None
    return totals.summary(), totals.missed(), totals.households, stored
