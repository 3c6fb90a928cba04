"""``proactief simulate``: compare outreach strategies before trying them on residents."""

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from proactief.cli.common import console, context
from proactief.cli.common import fail as _fail

if TYPE_CHECKING:
    from proactief.evaluation.simulator import StrategyResult


def simulate(
    signalen: Annotated[
        int, typer.Option(min=100, max=2_000_000, help="Gesimuleerde signalen per herhaling.")
    ] = 100_000,
    herhalingen: Annotated[int, typer.Option(min=1, max=200, help="Herhalingen.")] = 20,
    seed: Annotated[
        int, typer.Option(help="Startwaarde van het toeval (zelfde: zelfde uitkomst).")
    ] = 2026,
    eigen_historie: Annotated[
        bool,
        typer.Option(
            "--eigen-historie",
            help="Gebruik het eigen bereik per soort poging waar genoeg pogingen zijn.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Als JSON: een lijst per strategie.")
    ] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Schrijf de tabel als CSV.")
    ] = None,
    grafiek: Annotated[
        Path | None, typer.Option(help="Schrijf een grafiek (PNG): bereik en bereikt per uur.")
    ] = None,
) -> None:
    """Vergelijk strategieën (alleen brieven, het landelijke gemiddelde, de ladder van
    aanpak.yaml, op maat, met contactmomenten, ...) op bereik, aanvaarding, geld en
    uren personeel, op gesimuleerde signalen die kloppen met de landelijke cijfers
    (Divosa 2023). Aannames staan in config/simulatie.yaml."""
    from proactief.evaluation.simulator import load_simulation_config, own_history
    from proactief.evaluation.simulator import simulate as run

    cfg = load_simulation_config()
    with context().engine.begin() as conn:  # begin: the audit entry of the read must stay
        history = own_history(conn, actor="medewerker:evaluatie", cfg=cfg)
    overrides = history.overrides() if eigen_historie else {}
    results, calibration = run(
        signals=signalen, replications=herhalingen, seed=seed, cfg=cfg, overrides=overrides
    )
    if as_json:
        sys.stdout.write(json.dumps([r.as_json() for r in results], ensure_ascii=False) + "\n")
    else:
        shown = f"{signalen:,}".replace(",", ".")
        table = Table(title=f"Strategieën: {shown} signalen, {herhalingen} herhalingen")
        for column in (
            "Strategie",
            "Bereikt",
            "Hulp aangenomen (van bereikt)",
            "Geld per jaar",
            "Uren per bereikte",
            "Bereikt per uur",
            "Tegen voorkeur",
        ):
            table.add_column(column, justify="left" if column == "Strategie" else "right")
        for r in results:
            table.add_row(
                r.strategy + (" (praktijk)" if r.praktijk else ""),
                f"{r.reach:.1%} ({r.reach_low:.1%}-{r.reach_high:.1%})",
                f"{r.acceptance:.1%}",
                f"€ {r.money_per_year:,.0f}".replace(",", "."),
                f"{r.staff_hours_per_reached:.2f}",
                f"{r.reached_per_staff_hour:.2f}",
                f"{r.contacts_against_preference:.0f}",
            )
        console.print(table)
        best = max((r for r in results if not r.praktijk), key=lambda r: r.reached_per_staff_hour)
        most = max(results, key=lambda r: r.reach)
        console.print(
            f"Meeste bereikte inwoners per uur personeel: {best.strategy} "
            f"({best.reached_per_staff_hour:.2f} per uur). Hoogste bereik: {most.strategy} "
            f"({most.reach:.1%}).",
            soft_wrap=True,
        )
        console.print(
            "Ijking aan de landelijke cijfers (Divosa 2023), landelijk tegen gesimuleerd: "
            + "; ".join(f"{name} {nat:.1%} / {sim:.1%}" for name, nat, sim in calibration.rows)
            + f". Grootste verschil: {calibration.largest_gap * 100:.1f} procentpunt.",
            soft_wrap=True,
        )
        if history.rows:
            console.print(
                "Eigen historie, bereik per poging (eigen / landelijk, aantal pogingen): "
                + "; ".join(
                    f"{kind} {own:.1%} / {nat:.1%} ({n})" for kind, n, own, nat in history.rows
                )
                + (
                    ". Gebruikt voor: " + ", ".join(sorted(overrides)) + "."
                    if overrides
                    else f". Niet gebruikt (--eigen-historie; vanaf {history.minimum} pogingen)."
                ),
                soft_wrap=True,
            )
        else:
            console.print("Eigen historie: nog geen contactpogingen opgeslagen.")
    if csv_file is not None:
        try:
            with csv_file.open("w", newline="", encoding="utf-8") as handle:
                rows = [
                    {k: v for k, v in r.as_json().items() if k != "reach_interval"}
                    | {"reach_low": round(r.reach_low, 4), "reach_high": round(r.reach_high, 4)}
                    for r in results
                ]
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        except OSError as exc:
            raise _fail(f"{csv_file}: kan niet schrijven ({exc.strerror}).") from exc
    if grafiek is not None:
        _chart(results, grafiek)


def _chart(results: "list[StrategyResult]", path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r.strategy for r in results]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    left.barh(names, [r.reach * 100 for r in results], color="#01689b")
    left.set_xlabel("bereikt (% van de signalen)")
    right.barh(names, [r.reached_per_staff_hour for r in results], color="#39870c")
    right.set_xlabel("bereikte inwoners per uur personeel")
    right.set_yticklabels([])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
