"""The pages in the footer that every visitor may open: the privacy statement, rendered
from config/doelen.yaml (so it says what the retention job does), and the accessibility
statement (what the browser tests check)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from proactief.domain import Doel
from proactief.trust.purposes import load_purposes
from proactief.web.auth import current_user
from proactief.web.deps import Context
from proactief.web.pages import render

__all__ = ["router"]

router = APIRouter()

# what each purpose is for, in B1; the basis and the periods come from doelen.yaml
WAARVOOR = {
    Doel.VROEGSIGNALERING: "Hulp aanbieden als een organisatie meldt dat u een rekening "
    "niet betaald heeft (een vroegsignaal).",
    Doel.REGELINGENCHECK: "Uitrekenen op welk geld en welke hulp u waarschijnlijk recht "
    "heeft, maar die u nu niet krijgt.",
    Doel.KLANTCONTACT: "Uw adres, telefoonnummer of e-mailadres opzoeken op het moment dat "
    "wij u een bericht sturen.",
    Doel.ZAAK_ZOEKEN: "Uw zaak vinden als u ons belt en uw BSN of adres noemt.",
    Doel.EVALUATIE: "Tellen wat werkt, zonder namen: hoeveel mensen wij bereikten en "
    "hoeveel hulp kregen.",
    Doel.CBS_RAPPORTAGE: "Het verplichte overzicht voor het CBS over vroegsignalen.",
}


def _bewaren(doel: Doel, dagen: int, met_hulp: int | None) -> str:
    """What the retention job (trust.retention) does for this purpose, or '' when this
    page promises nothing about it."""
    if doel is Doel.VROEGSIGNALERING:
        text = f"Wij halen uw gegevens weg {dagen} dagen nadat wij uw zaak sluiten"
        return text + (f"; kreeg u hulp, dan na {met_hulp} dagen." if met_hulp else ".")
    if doel is Doel.REGELINGENCHECK:
        return (
            f"Wij halen de berekening en de gegevens erachter weg {dagen} dagen na de berekening."
        )
    if doel in (Doel.KLANTCONTACT, Doel.ZAAK_ZOEKEN):
        return "Wij bewaren hiervoor niets: de gegevens worden alleen op dat moment gebruikt."
    return ""


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, context: Context) -> Response:
    purposes = load_purposes()
    rows = [
        {
            "waarvoor": WAARVOOR.get(doel, doel.value),
            "grondslag": p.grondslag_b1 or p.grondslag,
            "bewaren": _bewaren(doel, p.bewaartermijn_dagen, p.bewaartermijn_dagen_met_hulp),
        }
        for doel, p in purposes.items()
    ]
    return render(
        request,
        "privacy.html",
        user=current_user(context.engine, request.session),
        doelen=rows,
    )


@router.get("/toegankelijkheid", response_class=HTMLResponse)
def accessibility(request: Request, context: Context) -> Response:
    return render(
        request,
        "toegankelijkheid.html",
        user=current_user(context.engine, request.session),
    )
