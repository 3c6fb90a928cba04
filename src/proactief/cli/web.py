"""``proactief serve``, ``proactief users add`` and ``proactief code``: the web app and
who may use it."""

from typing import Annotated

import typer

from proactief.accounts.resident_codes import CODE_DAGEN, create_code
from proactief.accounts.users import Rol, UserError, add_user
from proactief.cli.common import console, context, run_server
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
) -> None:
    """Maak een medewerker aan. Het wachtwoord komt uit PROACTIEF_NIEUW_WACHTWOORD of
    wordt gevraagd (minstens 12 tekens)."""

    try:
        role = Rol(rol)
    except ValueError as exc:
        raise _fail(f"onbekende rol '{rol}'; kies uit {', '.join(r.value for r in Rol)}.") from exc
    preset = context().settings.nieuw_wachtwoord
    password = (preset.get_secret_value() if preset else None) or typer.prompt(
        "Wachtwoord", hide_input=True, confirmation_prompt=True
    )
    engine = context().engine
    with engine.begin() as conn:
        try:
            user = add_user(conn=conn, gebruikersnaam=gebruikersnaam, wachtwoord=password, rol=role)
        except UserError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Medewerker '{user.gebruikersnaam}' ({user.rol.value}) is aangemaakt.")


def code(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer: de code is voor die inwoner.")],
) -> None:
    """Maak een eenmalige code waarmee de inwoner van een zaak in de webapp kan (voor in
    een brief of e-mail). De code wordt maar één keer getoond."""

    engine = context().engine
    with engine.begin() as conn:
        try:
            case = get_case(conn=conn, case_id=case_id)
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
        new = create_code(conn=conn, person_pseudonym=case.person_pseudonym)
    console.print(f"Code voor de inwoner van zaak {case_id}: {new} ({CODE_DAGEN} dagen geldig).")
