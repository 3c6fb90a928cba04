"""``proactief serve``, ``proactief users add`` and ``proactief code``: the web app and
who may use it."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from proactief.accounts.resident_codes import create_code
from proactief.accounts.users import (
    Rol,
    UserError,
    add_user,
    change_password,
    list_users,
    set_active,
    set_contact_details,
)
from proactief.channels.wording import dag
from proactief.cli.common import console, context, run_server, shown
from proactief.cli.common import fail as _fail
from proactief.early_detection.contacts import CaseNotFoundError, get_case

users_app = typer.Typer(help="Medewerkers van de webapp.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Adres om op te luisteren.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Poort.")] = 8000,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Sessiecookies ook over http (alleen om lokaal te testen met een ander "
            "adres dan localhost).",
        ),
    ] = False,
) -> None:
    """Start de webapp op dezelfde database als de opdrachtregel."""
    run_server(host=host, port=port, secure_cookies=not insecure_cookies)


@users_app.command("add")
def users_add(
    gebruikersnaam: Annotated[str, typer.Argument(help="Inlognaam.")],
    rol: Annotated[
        str, typer.Option(help="contactmedewerker, teamleider, analist of beheerder.")
    ] = "contactmedewerker",
    naam: Annotated[
        str | None,
        typer.Option(help="Naam zoals inwoners die lezen (vaste contactpersoon)."),
    ] = None,
    telefoon: Annotated[
        str | None, typer.Option(help="Direct nummer voor inwoners, als de gemeente dat geeft.")
    ] = None,
) -> None:
    """Maak een medewerker aan. Het wachtwoord komt uit PROACTIEF_NIEUW_WACHTWOORD of
    wordt gevraagd (minstens 12 tekens, en niet makkelijk te raden)."""

    try:
        role = Rol(rol)
    except ValueError as exc:
        raise _fail(f"onbekende rol '{rol}'; kies uit {', '.join(r.value for r in Rol)}.") from exc
    password = _new_password()
    engine = context().engine
    with engine.begin() as conn:
        try:
            user = add_user(
                conn=conn,
                gebruikersnaam=gebruikersnaam,
                wachtwoord=password,
                rol=role,
                naam=naam,
                telefoon=telefoon,
            )
        except UserError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Medewerker '{user.gebruikersnaam}' ({user.rol.value}) is aangemaakt.")


@users_app.command("contact")
def users_contact(
    gebruikersnaam: Annotated[str, typer.Argument(help="Inlognaam.")],
    naam: Annotated[
        str | None, typer.Option(help="Naam zoals inwoners die lezen; leeg: de inlognaam.")
    ] = None,
    telefoon: Annotated[
        str | None, typer.Option(help="Direct nummer voor inwoners; leeg: geen.")
    ] = None,
) -> None:
    """Zet hoe inwoners deze medewerker als vaste contactpersoon te zien krijgen."""
    with context().engine.begin() as conn:
        try:
            set_contact_details(
                conn=conn, gebruikersnaam=gebruikersnaam, naam=naam, telefoon=telefoon
            )
        except UserError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Contactgegevens van '{shown(gebruikersnaam)}' opgeslagen.")


def _new_password() -> str:
    preset = context().settings.nieuw_wachtwoord
    return (preset.get_secret_value() if preset else None) or str(
        typer.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True)
    )


@users_app.command("list")
def users_list() -> None:
    """Toon alle medewerkers met hun rol en of ze aan staan."""
    with context().engine.connect() as conn:
        users = list_users(conn=conn)
    table = Table(title=f"{len(users)} medewerkers")
    for column in ("Gebruikersnaam", "Rol", "Account"):
        table.add_column(column)
    for user in users:
        table.add_row(shown(user.gebruikersnaam), user.rol.value, "aan" if user.actief else "uit")
    console.print(table)


def _set_active(gebruikersnaam: str, actief: bool) -> None:
    with context().engine.begin() as conn:
        try:
            ended = set_active(conn=conn, gebruikersnaam=gebruikersnaam, actief=actief)
        except UserError as exc:
            raise _fail(str(exc)) from exc
    if actief:
        console.print(f"Medewerker '{shown(gebruikersnaam)}' kan weer inloggen.")
    else:
        console.print(
            f"Medewerker '{shown(gebruikersnaam)}' kan niet meer inloggen; {ended} open "
            "sessie(s) beëindigd."
        )


@users_app.command("disable")
def users_disable(gebruikersnaam: Annotated[str, typer.Argument(help="Inlognaam.")]) -> None:
    """Zet een medewerker uit: inloggen kan niet meer en open sessies stoppen meteen."""
    _set_active(gebruikersnaam, False)


@users_app.command("enable")
def users_enable(gebruikersnaam: Annotated[str, typer.Argument(help="Inlognaam.")]) -> None:
    """Zet een medewerker weer aan."""
    _set_active(gebruikersnaam, True)


@users_app.command("password")
def users_password(gebruikersnaam: Annotated[str, typer.Argument(help="Inlognaam.")]) -> None:
    """Geef een medewerker een nieuw wachtwoord (uit PROACTIEF_NIEUW_WACHTWOORD of
    gevraagd); alle open sessies van deze medewerker stoppen."""
    password = _new_password()
    with context().engine.begin() as conn:
        try:
            ended = change_password(conn=conn, gebruikersnaam=gebruikersnaam, wachtwoord=password)
        except UserError as exc:
            raise _fail(str(exc)) from exc
    console.print(
        f"Nieuw wachtwoord voor '{shown(gebruikersnaam)}'; {ended} open sessie(s) beëindigd."
    )


def code(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer: de code is voor die inwoner.")],
) -> None:
    """Maak een code waarmee de inwoner van een zaak in de webapp kan (voor in een brief
    of e-mail), geldig zo lang als PROACTIEF_CODE_DAGEN zegt. De code wordt maar één keer
    getoond."""

    ctx = context()
    dagen = ctx.settings.code_dagen
    with ctx.engine.begin() as conn:
        try:
            case = get_case(conn=conn, case_id=case_id)
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
        new = create_code(conn=conn, person_pseudonym=case.person_pseudonym, dagen=dagen)
    last_day = dag(datetime.now(UTC).date() + timedelta(days=dagen))
    console.print(f"Code voor de inwoner van zaak {case_id}: {new} (werkt tot en met {last_day}).")
