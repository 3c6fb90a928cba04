"""``proactief evaluate``: the dashboard's tables on the command line, as CSV files, or as
one HTML report with charts (counts and sums only)."""

import base64
import csv
import html
import io
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from proactief.cli.common import console, context
from proactief.cli.common import fail as _fail


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"--{name} '{value}' is geen datum; gebruik JJJJ-MM-DD.") from exc


def evaluate(
    van: Annotated[str | None, typer.Option(help="Vanaf deze dag (JJJJ-MM-DD).")] = None,
    tot: Annotated[str | None, typer.Option(help="Tot en met deze dag (JJJJ-MM-DD).")] = None,
    csv_map: Annotated[
        Path | None, typer.Option("--csv", help="Schrijf elke tabel als CSV in deze map.")
    ] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Schrijf een rapport met grafieken (HTML).")
    ] = None,
) -> None:
    """Van signaal naar hulp en geld: de trechter per signaalpartner, soort contactpoging,
    segment, herkomst (vroegsignalen en campagnes), medewerker, de doorlooptijden en het
    geld na een aanbod, voor een periode. Alleen aantallen en bedragen."""
    from proactief.accounts.users import list_users
    from proactief.evaluation.funnel import funnels
    from proactief.evaluation.tables import TABLES, TITLES, funnel_tables

    start, end = _day(van, "van"), _day(tot, "tot")
    if start and end and end < start:
        raise _fail("--tot ligt voor --van.")
    with context().engine.begin() as conn:  # begin: the audit entry of the read must stay
        counted = funnels(conn=conn, actor="medewerker:evaluatie", van=start, tot=end)
        names = {u.user_id: u.naam or u.gebruikersnaam for u in list_users(conn=conn)}
    tables = funnel_tables(counted, names)
    period = f"{start or 'begin'} tot en met {end or 'nu'}"
    console.print(
        f"Trechter ({period}): " + " → ".join(f"{naam} {n}" for naam, n in tables["trechter"]),
        soft_wrap=True,
    )
    for key, columns in TABLES.items():
        table = Table(title=TITLES[key])
        for column in columns:
            table.add_column(column, justify="left" if column == "naam" else "right")
        for row in tables[key]:
            table.add_row(*(str(row.get(c, "")) for c in columns))
        console.print(table)
    if csv_map is not None:
        try:
            csv_map.mkdir(parents=True, exist_ok=True)
            for key, columns in TABLES.items():
                with (csv_map / f"{key}.csv").open("w", newline="", encoding="utf-8") as f:
                    writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
                    writer.writeheader()
                    writer.writerows(tables[key])
        except OSError as exc:
            raise _fail(f"{csv_map}: kan niet schrijven ({exc.strerror}).") from exc
        console.print(f"CSV-bestanden: {csv_map}")
    if html_file is not None:
        try:
            html_file.write_text(_report(tables, period, TABLES, TITLES), encoding="utf-8")
        except OSError as exc:
            raise _fail(f"{html_file}: kan niet schrijven ({exc.strerror}).") from exc
        console.print(f"Rapport: {html_file}")


def _bar_chart(labels: list[str], values: list[float], xlabel: str) -> str:
    """A horizontal bar chart as an inline PNG (data URI), so the report is one file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.4 * max(3, len(labels)) + 1))
    ax.barh(labels, values, color="#01689b")
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _report(
    tables: dict[str, Any],
    period: str,
    columns: dict[str, tuple[str, ...]],
    titles: dict[str, str],
) -> str:
    """One self-contained HTML page (Dutch): the funnel, a chart per main table, every
    table."""
    funnel = tables["trechter"]
    funnel_chart = _bar_chart(
        [n for n, _ in funnel][::-1], [float(v) for _, v in funnel][::-1], "aantal"
    )
    parts = [
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>",
        "<title>Evaluatie Proactief</title></head><body>",
        f"<h1>Evaluatie: van signaal naar hulp en geld</h1><p>Periode: {html.escape(period)}. "
        "Alleen aantallen en bedragen, geen gegevens van personen.</p>",
        "<h2>Trechter</h2>",
        f"<img alt='Trechter: aantal per stap' src='{funnel_chart}'>",
    ]
    charts = {
        "partners": ("bereikt", "bereikt"),
        "herkomst": ("bereikt", "bereikt"),
        "geld": ("bedrag_per_jaar", "euro per jaar"),
    }
    for key, cols in columns.items():
        rows = tables[key]
        parts.append(f"<h2>{html.escape(titles[key])}</h2>")
        if key in charts and rows:
            field, label = charts[key]
            src = _bar_chart(
                [str(r["naam"]) for r in rows], [float(r.get(field) or 0) for r in rows], label
            )
            parts.append(
                f"<img alt='{html.escape(titles[key])}: {html.escape(label)}' src='{src}'>"
            )
        parts.append("<table><thead><tr>")
        parts.extend(f"<th scope='col'>{html.escape(c)}</th>" for c in cols)
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append(
                "<tr>"
                + "".join(f"<td>{html.escape(str(row.get(c, '')))}</td>" for c in cols)
                + "</tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)
