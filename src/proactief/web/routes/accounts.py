"""The start page, logging professionals in and out, their accounts (administrator) and
their own password."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from proactief.accounts.users import (
    Rol,
    User,
    UserError,
    add_user,
    authenticate,
    change_password,
    list_users,
    set_active,
    set_role,
    user_for_login,
)
from proactief.web.auth import current_user, start_session, stop_session
from proactief.web.deps import (
    Context,
    WebContext,
    client_key,
    require,
    too_many,
    verify_csrf,
)
from proactief.web.pages import menu_for, render

__all__ = ["router", "safe_next"]

router = APIRouter()


def safe_next(target: str) -> str:
    """Only local paths: no open redirect after login ('' when there is none)."""
    if not target.startswith("/") or target.startswith("//"):
        return ""
    return target


def first_page(user: User | None) -> str:
    """Where a professional starts: the first page of the menu their role may open (an
    analyst's is the dashboard, not a page that says 'Geen toegang')."""
    pages = menu_for(user)
    return pages[0][0] if pages else "/account"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, context: Context) -> Response:
    user = current_user(context.engine, request.session)
    if user is not None:
        return RedirectResponse(first_page(user), status_code=303)
    return render(request, "start.html")


def _login_page(
    request: Request, context: WebContext, *, status: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "login.html",
        status=status,
        oidc=context.oidc is not None,
        wachtwoord=context.wachtwoord_login,
        **extra,
    )


@router.get("/login", response_class=HTMLResponse, name="login_form")
def login_form(request: Request, context: Context, volgende: str = "") -> Response:
    return _login_page(request, context, volgende=safe_next(volgende))


@router.get("/login/oidc")
async def oidc_start(request: Request, context: Context, volgende: str = "") -> Response:
    """To the municipality's identity provider (authorization code with PKCE)."""
    if context.oidc is None:
        raise HTTPException(404, "Inloggen via de gemeente is niet ingesteld.")
    request.session["oidc_volgende"] = safe_next(volgende)
    callback = str(request.url_for("oidc_callback"))
    response: Response = await context.oidc.client.authorize_redirect(request, callback)
    return response


@router.get("/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request, context: Context) -> Response:
    """Back from the provider: the ID token checked (Authlib), the role from its groups
    (config/oidc.yaml), the account found or made, a new session."""
    login = context.oidc
    if login is None:
        raise HTTPException(404, "Inloggen via de gemeente is niet ingesteld.")
    try:
        token = await login.client.authorize_access_token(request)
    except Exception as exc:  # Authlib's OAuthError, a bad token, an unreachable provider
        return _login_page(
            request,
            context,
            status=401,
            fout="Inloggen via de gemeente is niet gelukt. Probeer het opnieuw "
            f"({getattr(exc, 'error', type(exc).__name__)}).",
        )
    claims = dict(token.get("userinfo") or {})
    rol = login.roles.role_for(claims)
    if rol is None:
        return _login_page(
            request,
            context,
            status=403,
            fout="Uw account bij de gemeente heeft geen rol in Proactief. Vraag de beheerder "
            "van de gemeente om u toe te voegen aan een groep voor Proactief.",
        )
    name = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:100]
    try:
        with context.engine.begin() as conn:
            user = user_for_login(
                conn=conn,
                extern_id=str(claims["sub"]),
                gebruikersnaam=name,
                rol=rol,
                naam=str(claims["name"])[:120] if claims.get("name") else None,
            )
    except UserError as exc:
        return _login_page(request, context, status=403, fout=_dutch(exc))
    volgende = str(request.session.pop("oidc_volgende", ""))
    start_session(context.engine, request.session, user)
    request.session["oidc"] = True
    return RedirectResponse(safe_next(volgende) or first_page(user), status_code=303)


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    context: Context,
    gebruikersnaam: str = Form(...),
    wachtwoord: str = Form(...),
    volgende: str = Form(""),
) -> Response:
    if not context.wachtwoord_login:
        return _login_page(
            request,
            context,
            status=403,
            fout="Inloggen met een wachtwoord staat uit: log in via de gemeente.",
        )
    # each attempt is counted before the password is checked, in one atomic step, so
    # parallel guesses cannot pass between a check and a count
    client = f"login:{client_key(request)}"
    per_name = f"{client}:{gebruikersnaam[:100]}"
    if not context.client_limit.attempt(client):
        raise too_many(context.client_limit, client, "Te vaak een verkeerd wachtwoord.")
    if not context.login_limit.attempt(per_name):
        raise too_many(context.login_limit, per_name, "Te vaak een verkeerd wachtwoord.")
    with context.engine.begin() as conn:
        user = authenticate(conn=conn, gebruikersnaam=gebruikersnaam, wachtwoord=wachtwoord)
    if user is None:
        return _login_page(
            request,
            context,
            status=401,
            fout="Gebruikersnaam of wachtwoord klopt niet.",
            volgende=safe_next(volgende),
        )
    context.login_limit.forget(per_name)
    start_session(context.engine, request.session, user)
    return RedirectResponse(safe_next(volgende) or first_page(user), status_code=303)


@router.post("/uitloggen", dependencies=[Depends(verify_csrf)])
async def logout(request: Request, context: Context) -> Response:
    """Our session ends; after a login through the municipality, theirs too (the provider's
    end-session page, which sends the browser back to our login page)."""
    via_provider = bool(request.session.get("oidc"))
    await run_in_threadpool(stop_session, context.engine, request.session)
    if via_provider and context.oidc is not None:
        target = await context.oidc.logout_url(str(request.url_for("login_form")))
        if target:
            return RedirectResponse(target, status_code=303)
    return RedirectResponse("/", status_code=303)


def _dutch(exc: UserError) -> str:
    """The Dutch half of a 'Dutch / English' message, for the page."""
    text = str(exc).split(" / ")[0]
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


ROL_NL = {
    Rol.CONTACTMEDEWERKER: "contactmedewerker",
    Rol.TEAMLEIDER: "teamleider",
    Rol.ANALIST: "analist",
    Rol.BEHEERDER: "beheerder",
}


def _users_page(request: Request, context: Context, user: User, **extra: object) -> Response:
    with context.engine.connect() as conn:
        users = list_users(conn=conn)
    status = int(str(extra.pop("status", 200)))
    return render(
        request, "medewerkers.html", status=status, user=user, users=users, rollen=ROL_NL, **extra
    )


@router.get("/medewerkers", response_class=HTMLResponse)
def users_page(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("gebruikers_beheren"))],
) -> Response:
    return _users_page(request, context, user)


@router.post("/medewerkers")
def add_user_form(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("gebruikers_beheren"))],
    gebruikersnaam: str = Form(""),
    naam: str = Form(""),
    telefoon: str = Form(""),
    rol: str = Form(""),
    wachtwoord: str = Form(""),
) -> Response:
    if not gebruikersnaam.strip() or rol not in {r.value for r in Rol}:
        return _users_page(
            request, context, user, status=400, fout="Vul een inlognaam in en kies een rol."
        )
    try:
        with context.engine.begin() as conn:
            add_user(
                conn=conn,
                gebruikersnaam=gebruikersnaam.strip(),
                wachtwoord=wachtwoord,
                rol=Rol(rol),
                naam=naam.strip() or None,
                telefoon=telefoon.strip() or None,
            )
    except UserError as exc:
        return _users_page(request, context, user, status=400, fout=_dutch(exc))
    request.session["flash"] = f"Medewerker {gebruikersnaam.strip()} is aangemaakt."
    return RedirectResponse("/medewerkers", status_code=303)


@router.post("/medewerkers/wijzig")
def change_user(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("gebruikers_beheren"))],
    gebruikersnaam: str = Form(""),
    actie: str = Form(""),
    rol: str = Form(""),
    wachtwoord: str = Form(""),
) -> Response:
    if gebruikersnaam == user.gebruikersnaam and actie in ("uitschakelen", "rol"):
        return _users_page(
            request,
            context,
            user,
            status=400,
            fout="U kunt uzelf niet uitschakelen en uw eigen rol niet wijzigen.",
        )
    try:
        with context.engine.begin() as conn:
            if actie == "uitschakelen":
                set_active(conn=conn, gebruikersnaam=gebruikersnaam, actief=False)
                done = f"{gebruikersnaam} is uitgeschakeld; open sessies zijn beëindigd."
            elif actie == "inschakelen":
                set_active(conn=conn, gebruikersnaam=gebruikersnaam, actief=True)
                done = f"{gebruikersnaam} is weer ingeschakeld."
            elif actie == "rol" and rol in {r.value for r in Rol}:
                set_role(conn=conn, gebruikersnaam=gebruikersnaam, rol=Rol(rol))
                done = f"{gebruikersnaam} is nu {ROL_NL[Rol(rol)]}."
            elif actie == "wachtwoord":
                change_password(conn=conn, gebruikersnaam=gebruikersnaam, wachtwoord=wachtwoord)
                done = f"Nieuw wachtwoord voor {gebruikersnaam}; open sessies zijn beëindigd."
            else:
                raise HTTPException(400, "Kies wat u wilt wijzigen.")
    except UserError as exc:
        return _users_page(request, context, user, status=400, fout=_dutch(exc))
    request.session["flash"] = done
    return RedirectResponse("/medewerkers", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def own_account(
    request: Request,
    user: Annotated[User, Depends(require("eigen_account"))],
) -> Response:
    return render(request, "account.html", user=user)


@router.post("/account/wachtwoord")
def own_password(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("eigen_account"))],
    huidig: str = Form(""),
    nieuw: str = Form(""),
) -> Response:
    try:
        with context.engine.begin() as conn:
            if (
                authenticate(conn=conn, gebruikersnaam=user.gebruikersnaam, wachtwoord=huidig)
                is None
            ):
                return render(
                    request,
                    "account.html",
                    status=400,
                    user=user,
                    fout="Uw huidige wachtwoord klopt niet.",
                )
            change_password(conn=conn, gebruikersnaam=user.gebruikersnaam, wachtwoord=nieuw)
    except UserError as exc:
        return render(request, "account.html", status=400, user=user, fout=_dutch(exc))
    # every session of the user ended with the change, this one too
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
