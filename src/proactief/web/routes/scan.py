"""The non-take-up scan in the web app: the stored scans counted per regulation (no
household, so the analyst may see them too), and a new scan from an uploaded population
file with the CLI's checks (``proactief rules scan --opslaan``)."""

import contextlib
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from proactief.accounts.users import User
from proactief.channels.wording import euro
from proactief.domain.residents import SCAN_JAAR
from proactief.entitlements import ParameterMissingError, PopulationError, scan_non_take_up
from proactief.entitlements.population import (
    ScanResult,
    add_person_counts,
    load_persons,
    load_population,
    load_receipts,
)
from proactief.entitlements.runs import check_minimal, store_scan, stored_scans, years
from proactief.offers.approach import load_approach_config
from proactief.web.deps import Context, actor, dutch, once, require
from proactief.web.pages import render
from proactief.web.uploads import MAX_UPLOAD, private_copy

__all__ = ["router"]

router = APIRouter()

SUFFIXES = (".csv", ".parquet")
_WRONG = "'{naam}': kies een .csv- of .parquet-bestand."
_LARGE = "'{naam}' is groter dan {mb} MB: scan het met proactief rules scan."


@router.get("/regelingen", response_class=HTMLResponse)
def scan_page(
    request: Request, context: Context, user: Annotated[User, Depends(require("regelingen_scan"))]
) -> Response:
    with context.engine.connect() as conn:
        rows = stored_scans(conn)
    return render(
        request,
        "regelingen.html",
        user=user,
        jaren=[(j, [r for r in rows if r.jaar == j]) for j in years(rows)],
        namen={k: v.naam for k, v in load_approach_config().regelingen.items()},
        euro=euro,
        jaar=SCAN_JAAR,
        max_mb=MAX_UPLOAD // (1024 * 1024),
    )


def _read_and_scan(
    files: dict[str, tuple[Path, str]], jaar: int
) -> tuple[ScanResult, pd.DataFrame]:
    """Read, check and scan: in a worker thread, as a city's file takes seconds."""
    path, name = files["bevolking"]
    frame = load_population(path, naam=name)
    check_minimal(frame, "bevolking", name)
    if "personen" in files:
        path, name = files["personen"]
        person_rows = load_persons(path, naam=name)
        check_minimal(person_rows, "personen", name)
        frame = add_person_counts(frame, person_rows)
    paid = None
    if "ontvangt" in files:
        path, name = files["ontvangt"]
        paid = load_receipts(path, naam=name)
    return scan_non_take_up(frame, jaar=jaar, receipts=paid), frame


@router.post("/regelingen/scan")
async def run_scan(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("regelingen_scan_draaien"))],
    bevolking: Annotated[UploadFile, File()],
    personen: Annotated[UploadFile | None, File()] = None,
    ontvangt: Annotated[UploadFile | None, File()] = None,
    jaar: Annotated[int, Form(ge=2000, le=2100)] = SCAN_JAAR,
    formulier: Annotated[str, Form()] = "",
) -> Response:
    """Scan the uploaded population and store it in place of the year's previous scan."""
    uploads = {"bevolking": bevolking, "personen": personen, "ontvangt": ontvangt}
    async with contextlib.AsyncExitStack() as stack:
        files: dict[str, tuple[Path, str]] = {}
        for key, upload in uploads.items():
            if upload is None or not upload.filename:
                continue
            path = await stack.enter_async_context(
                private_copy(upload, suffixes=SUFFIXES, wrong_type=_WRONG, too_large=_LARGE)
            )
            files[key] = (path, Path(upload.filename).name)
        if "bevolking" not in files:
            raise HTTPException(400, "Kies een bevolkingsbestand (.csv of .parquet).")
        try:
            scan, frame = await run_in_threadpool(_read_and_scan, files, jaar)
        except PopulationError as exc:
            raise HTTPException(400, dutch(exc)) from exc
        except ParameterMissingError as exc:
            raise HTTPException(
                400,
                f"Voor {jaar} staan niet alle bedragen en grenzen van de regelingen in "
                "Proactief. Kies een ander jaar.",
            ) from exc

    def store() -> int:
        with context.engine.begin() as conn:
            once(conn, formulier)
            return store_scan(conn, scan, frame, jaar=jaar, actor=actor(user))

    stored = await run_in_threadpool(store)
    missed = scan.summary["recht_niet_ontvangen"].sum()
    money = scan.summary["bedrag_per_jaar_totaal"].sum()
    request.session["flash"] = (
        f"Scan {jaar} klaar: {len(frame)} huishoudens bekeken. {int(missed)} keer krijgt een "
        f"huishouden geld niet waar het recht op heeft, samen {euro(float(money))} per jaar. "
        f"Opgeslagen ({stored} regels): dit vervangt de vorige scan van {jaar}."
    )
    return RedirectResponse("/regelingen", status_code=303)
