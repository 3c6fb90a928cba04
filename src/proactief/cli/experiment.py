"""``proactief experiment``: randomised comparisons of wording, channel order or waiting
time, with a planned sample, guardrails and a stratified analysis (docs/evaluation.md)."""

import json
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from proactief.cli.common import console, context
from proactief.cli.common import fail as _fail
from proactief.cli.common import today_of as _today

if TYPE_CHECKING:
    from proactief.domain.experiments import ExperimentSpec
    from proactief.evaluation.experiments import ExperimentResult

experiment_app = typer.Typer(
    help="Experimenten: vergelijk eerlijk wat beter werkt, met loting en vangrails.",
    no_args_is_help=True,
)

DatumOptie = Annotated[
    str | None, typer.Option(help="Doe alsof het vandaag deze datum is (JJJJ-MM-DD).")
]


def _now(datum: str | None) -> datetime:
    if datum is None:
        return datetime.now(UTC)
    return datetime.combine(_today(datum), time(9), tzinfo=UTC)


def _load(bestand: Path) -> "ExperimentSpec":
    from proactief.config import PolicyError
    from proactief.offers.experiments import load_experiment

    try:
        return load_experiment(bestand)
    except PolicyError as exc:
        raise _fail(str(exc)) from exc


def _describe(spec: "ExperimentSpec", planned: int) -> None:
    from proactief.evaluation.experiments import UITKOMST_NL

    v = spec.vermogen
    console.print(f"[bold]{spec.naam}[/]: {spec.beschrijving}")
    console.print(
        f"Vergelijkt {spec.vergelijkt}, per {spec.eenheid}, van {spec.start} tot {spec.stop}; "
        f"uitkomst: {UITKOMST_NL[spec.uitkomst]}"
        + (f"; apart per {' en '.join(spec.strata)}" if spec.strata else "")
        + "."
    )
    table = Table("groep", "wat", "controle")
    for arm in spec.armen:
        table.add_row(arm.naam, arm.beschrijving, "ja" if arm.controle else "")
    console.print(table)
    console.print(
        f"Geplande steekproef: {planned} per groep, {planned * len(spec.armen)} in totaal "
        f"(om {v.verwacht_controle:.0%} tegen {v.verwacht_arm:.0%} te onderscheiden met "
        f"alpha {v.alpha} en {v.onderscheidend_vermogen:.0%} onderscheidend vermogen; "
        f"bron: {v.bron})."
    )


@experiment_app.command("plan")
def experiment_plan(
    bestand: Annotated[Path, typer.Argument(help="Het experiment (YAML).")],
) -> None:
    """Controleer een experiment en reken uit hoeveel eenheden per groep nodig zijn
    (power-berekening); er verandert niets."""
    from proactief.offers.experiments import planned_sample

    spec = _load(bestand)
    _describe(spec, planned_sample(spec))


@experiment_app.command("start")
def experiment_start(
    bestand: Annotated[Path, typer.Argument(help="Het experiment (YAML).")],
    datum: DatumOptie = None,
) -> None:
    """Start een experiment: vanaf de startdatum krijgt elke nieuwe vroegsignaalzaak voor
    het eerste bericht door loting een groep. Eigen keuzes, afmelding en toestemming
    voor e-mail gaan altijd voor."""
    from proactief.offers.experiments import ExperimentError, start_experiment

    spec = _load(bestand)
    with context().engine.begin() as conn:
        try:
            started = start_experiment(conn, spec, now=_now(datum))
        except ExperimentError as exc:
            raise _fail(str(exc)) from exc
    _describe(started, started.geplande_steekproef or 0)
    console.print(f"Gestart: '{started.naam}'.")


@experiment_app.command("stop")
def experiment_stop(
    naam: Annotated[str, typer.Argument(help="Naam van het experiment.")],
    reden: Annotated[str, typer.Option(help="Waarom het stopt.")],
    datum: DatumOptie = None,
) -> None:
    """Stop een experiment: er komen geen nieuwe eenheden bij; wat is toegewezen blijft."""
    from proactief.offers.experiments import ExperimentError, stop_experiment

    with context().engine.begin() as conn:
        try:
            stop_experiment(conn, naam, reden=reden, now=_now(datum))
        except ExperimentError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Gestopt: '{naam}'.")


@experiment_app.command("klacht")
def experiment_complaint(
    zaak: Annotated[int, typer.Option(help="De zaak waarover de klacht gaat.")],
    datum: DatumOptie = None,
) -> None:
    """Leg vast dat een inwoner klaagde over hoe we contact zochten (zonder de tekst).
    De vangrail van een experiment telt klachten per groep."""
    from proactief.early_detection import repository as early_repo
    from proactief.offers.experiments import add_complaint

    with context().engine.begin() as conn:
        if early_repo.case_subject(conn, zaak) is None:
            raise _fail(f"--zaak {zaak}: die zaak bestaat niet.")
        add_complaint(conn, case_id=zaak, door="medewerker:cli", now=_now(datum))
    console.print(f"Klacht vastgelegd bij zaak {zaak}.")


def _print_result(result: "ExperimentResult") -> None:
    from proactief.domain.experiments import Uitkomst, percent, points
    from proactief.evaluation.experiments import UITKOMST_NL

    table = Table(
        "groep",
        "toegewezen",
        "met uitkomst bekend",
        UITKOMST_NL[Uitkomst(result.uitkomst)],
        "95%-interval",
        "verschil (punt)",
        "95%-interval verschil",
        "gestopt",
        title=f"{result.naam} op {result.datum}",
    )
    for arm in result.armen:
        table.add_row(
            arm.arm + (" (controle)" if arm.controle else ""),
            str(arm.toegewezen),
            str(arm.eenheden),
            "" if arm.aandeel is None else f"{arm.met_uitkomst} ({percent(arm.aandeel)})",
            ""
            if arm.interval is None
            else f"{percent(arm.interval[0])} - {percent(arm.interval[1])}",
            "" if arm.verschil is None else points(arm.verschil),
            ""
            if arm.verschil_interval is None
            else " tot ".join(points(x) for x in arm.verschil_interval),
            "ja" if arm.gestopt else "",
        )
    console.print(table)
    for line in result.conclusie:
        console.print(line)


@experiment_app.command("analyse")
def experiment_analyse(
    naam: Annotated[str, typer.Argument(help="Naam van het experiment.")],
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON.")] = False,
    opslaan: Annotated[
        bool,
        typer.Option(
            "--opslaan",
            help="Bewaar de uitkomst bij het experiment (alleen aantallen; blijft na het "
            "bewaren van de zaken). Het algoritmeregister toont de bewaarde uitkomst.",
        ),
    ] = False,
    datum: DatumOptie = None,
) -> None:
    """Per groep: hoeveel eenheden de uitkomst hadden, met 95%-interval, het verschil
    met de controlegroep en de analyse per laag (Cochran-Mantel-Haenszel), en de
    conclusie in gewone taal. Pas een conclusie als elke groep de geplande steekproef
    heeft."""
    from proactief.evaluation.experiments import analyse
    from proactief.offers.experiments import ExperimentError, experiment_states, save_result

    with context().engine.begin() as conn:  # begin: the audit entry of the read must stay
        try:
            state = experiment_states(conn, naam)[0]
        except ExperimentError as exc:
            raise _fail(str(exc)) from exc
        result = analyse(
            conn,
            state.spec,
            today=_today(datum),
            stopped=state.gestopte_armen,
            actor="medewerker:evaluatie",
        )
        if opslaan:
            save_result(conn, naam, result.as_json())
    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    else:
        _print_result(result)


@experiment_app.command("status")
def experiment_status(datum: DatumOptie = None) -> None:
    """Alle experimenten: loopt het, hoeveel eenheden per groep, welke groep is gestopt."""
    from proactief.offers import repository as offers_repo
    from proactief.offers.experiments import experiment_states

    today = _today(datum)
    with context().engine.connect() as conn:
        states = experiment_states(conn)
        counts = {s.spec.naam: offers_repo.arm_counts(conn, s.spec.naam) for s in states}
    if not states:
        console.print("Er zijn nog geen experimenten gestart.")
        return
    table = Table("experiment", "loopt", "groep", "eenheden", "afgemeld", "klachten", "gestopt")
    for s in states:
        loopt = "ja" if s.running_on(today) else "nee"
        for arm in s.spec.armen:
            n, out, complaints = counts[s.spec.naam].get(arm.naam, (0, 0, 0))
            table.add_row(
                s.spec.naam,
                loopt,
                arm.naam,
                str(n),
                str(out),
                str(complaints),
                s.gestopte_armen.get(arm.naam, ""),
            )
    console.print(table)
