"""The start page, and logging professionals in and out."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from proactief.accounts.users import authenticate
from proactief.web.auth import holder, start_session, stop_session
from proactief.web.deps import Context, client_key, too_many, verify_csrf
from proactief.web.pages import render

__all__ = ["router", "safe_next"]

router = APIRouter()


def safe_next(target: str) -> str:
    """Only local paths: no open redirect after login."""
    if not target.startswith("/") or target.startswith("//"):
        return "/werkvoorraad"
    return target


@router.get("/", response_class=HTMLResponse)
def home(request: Request, context: Context) -> Response:
    who = holder(context.engine, request.session)
    if who is not None and who.user_id is not None:
        return RedirectResponse("/werkvoorraad", status_code=303)
    return render(request, "start.html")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, volgende: str = "/werkvoorraad") -> Response:
    return render(request, "login.html", volgende=safe_next(volgende))


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    context: Context,
    gebruikersnaam: str = Form(...),
    wachtwoord: str = Form(...),
    volgende: str = Form("/werkvoorraad"),
) -> Response:
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
        return render(
            request,
            "login.html",
            status=401,
            fout="Gebruikersnaam of wachtwoord klopt niet.",
            volgende=safe_next(volgende),
        )
    context.login_limit.forget(per_name)
    start_session(context.engine, request.session, user)
    return RedirectResponse(safe_next(volgende), status_code=303)


@router.post("/uitloggen", dependencies=[Depends(verify_csrf)])
def logout(request: Request, context: Context) -> Response:
    stop_session(context.engine, request.session)
    return RedirectResponse("/", status_code=303)
