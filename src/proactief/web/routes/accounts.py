"""The start page, and logging professionals in and out."""

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from proactief.accounts.users import authenticate
from proactief.web.auth import start_session
from proactief.web.deps import Context, verify_csrf
from proactief.web.pages import render

__all__ = ["router", "safe_next"]

router = APIRouter()


def safe_next(target: str) -> str:
    """Only local paths: no open redirect after login."""
    if not target.startswith("/") or target.startswith("//"):
        return "/werkvoorraad"
    return target


def client_key(request: Request) -> str:
    """Whose wrong attempts count together (the client's address)."""
    return request.client.host if request.client else "onbekend"


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    if request.session.get("user_id"):
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
    key = f"login:{client_key(request)}"
    if context.limiter.blocked(key):
        raise HTTPException(429, "Te vaak een verkeerd wachtwoord. Probeer het later.")
    with context.engine.begin() as conn:
        user = authenticate(conn=conn, gebruikersnaam=gebruikersnaam, wachtwoord=wachtwoord)
    if user is None:
        context.limiter.fail(key)
        return render(
            request,
            "login.html",
            status=401,
            fout="Gebruikersnaam of wachtwoord klopt niet.",
            volgende=safe_next(volgende),
        )
    start_session(request.session, user)
    return RedirectResponse(safe_next(volgende), status_code=303)


@router.post("/uitloggen", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)
