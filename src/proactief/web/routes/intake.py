"""Intake in the web app: upload a file of vroegsignalen (the same validation as
``proactief intake``), the files taken in with their counts, the quarantine with filters
(reasons in Dutch; every read audited), and a matching run."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from proactief.accounts.users import User
from proactief.domain import Doel
from proactief.early_detection import repository as repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.intake import intake_file
from proactief.sources import IntakeFileError
from proactief.trust.access import PersonalDataAccess
from proactief.web.deps import Context, actor, once, optional_day, require
from proactief.web.pages import render
from proactief.web.uploads import MAX_UPLOAD, private_copy

__all__ = ["router"]

router = APIRouter()

SUFFIXES = (".json", ".csv")


@router.get("/inname", response_class=HTMLResponse)
def intake_page(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("inname"))],
    bestand: str = "",
    van: str = "",
    tot: str = "",
) -> Response:
    problems: list[str] = []
    start = optional_day(van, "Ontvangen vanaf", problems)
    end = optional_day(tot, "Ontvangen tot en met", problems)
    with context.engine.begin() as conn:
        files = repo.intake_file_rows(conn)
        grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor(user)).check(
            ["quarantine.*"], about={"quarantaine": bestand[:12] or "alle"}
        )
        rows, total = repo.quarantine_of(
            grant,
            file_sha256=bestand[:64] or None,
            received_from=datetime.combine(start, time.min, tzinfo=UTC) if start else None,
            received_before=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
            if end
            else None,
        )
    return render(
        request,
        "inname.html",
        user=user,
        files=files,
        rows=rows,
        total=total,
        bestand=bestand,
        van=van,
        tot=tot,
        problems=problems,
        uploaden=context.pseudonymizer is not None,
        max_mb=MAX_UPLOAD // (1024 * 1024),
    )


@router.post("/inname")
async def upload(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("inname"))],
    bestand: Annotated[UploadFile, File()],
) -> Response:
    if context.pseudonymizer is None:
        raise HTTPException(
            400, "Inname via de webapp is niet ingesteld; gebruik proactief intake."
        )
    async with private_copy(
        bestand,
        suffixes=SUFFIXES,
        wrong_type="'{naam}': kies een .json-bestand (DDAS) of een .csv-bestand.",
        too_large="'{naam}' is groter dan {mb} MB: neem het in met proactief intake.",
    ) as path:
        try:
            result = intake_file(
                path,
                engine=context.engine,
                pseudonymizer=context.pseudonymizer,
                actor=actor(user),
            )
        except IntakeFileError as exc:
            raise HTTPException(400, str(exc).split(" / ")[0]) from exc
    request.session["flash"] = (
        f"{result.file_name}: {result.records} signalen gelezen, {result.accepted} opgeslagen, "
        f"{result.duplicates} dubbel, {result.rejected} nieuw in quarantaine. Van dit bestand "
        f"staan er {result.in_quarantaine} in quarantaine."
    )
    return RedirectResponse("/inname", status_code=303)


@router.post("/inname/koppelen")
def match(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("inname"))],
    formulier: str = Form(""),
) -> Response:
    with context.engine.begin() as conn:
        once(conn, formulier)
        result = match_signals(conn=conn, matchingsdatum=date.today(), config=context.queue_config)
    request.session["flash"] = (
        f"Koppelen klaar: {result.signals_matched} signalen, {result.cases_created} nieuwe "
        f"zaken, {result.cases_extended} zaken aangevuld, {result.cases_filtered} niet "
        "opgepakt volgens de filters."
    )
    return RedirectResponse("/inname", status_code=303)
