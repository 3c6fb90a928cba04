"""The dashboard (the funnel per partner, channel and segment) and the CBS report."""

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from proactief.accounts.users import User
from proactief.domain import Signaalpartner, signaalpartner_team
from proactief.early_detection.feedback import as_csv, pending_per_partner, send_feedback
from proactief.early_detection.report import ReportRequest, build_ddas_report, validate_ddas_report
from proactief.evaluation.funnel import funnels
from proactief.web.deps import Context, actor, require
from proactief.web.pages import render

__all__ = ["router"]

router = APIRouter()

FUNNEL = (
    ("Signalen", "signalen"),
    ("Opgepakt", "opgepakt"),
    ("Bereikt", "bereikt"),
    ("Hulp aangenomen", "geaccepteerd"),
    ("Geholpen", "geholpen"),
)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request, context: Context, user: Annotated[User, Depends(require("dashboard"))]
) -> Response:
    with context.engine.begin() as conn:
        counted = funnels(conn=conn, actor=f"{actor(user)}:evaluatie")
    rows = counted.per_partner
    table = [
        {"naam": signaalpartner_team(p), "zaken": c["signalen"], **c}
        for p, c in sorted(rows.items())
    ]
    return render(
        request,
        "dashboard.html",
        user=user,
        rows=table,
        trechter=[(naam, sum(c[key] for c in rows.values())) for naam, key in FUNNEL],
        kanalen=[{"naam": k, **c} for k, c in sorted(counted.per_channel.items())],
        segmenten=[{"naam": k, **c} for k, c in sorted(counted.per_segment.items())],
    )


@router.get("/rapportage", response_class=HTMLResponse)
def report_form(
    request: Request, user: Annotated[User, Depends(require("rapportage"))]
) -> Response:
    today = date.today()
    return render(
        request,
        "rapportage.html",
        user=user,
        van=date(today.year, 1, 1).isoformat(),
        tot=today.isoformat(),
    )


@router.get("/rapportage/ddas")
def report_download(
    context: Context,
    user: Annotated[User, Depends(require("rapportage"))],
    van: str,
    tot: str,
    gemeentecode: str,
) -> Response:
    try:
        report_request = ReportRequest(
            start=date.fromisoformat(van),
            end=date.fromisoformat(tot),
            gemeentecode=gemeentecode,
            organisation_name=context.organisation_name,
            gegevensleverancier=context.gegevensleverancier,
        )
    except ValueError as exc:
        raise HTTPException(400, f"Dit klopt niet: {exc}") from exc
    with context.engine.begin() as conn:
        document = build_ddas_report(
            conn=conn, request=report_request, actor=f"{actor(user)}:cbs-download"
        )
    problems = validate_ddas_report(document)
    if problems:
        raise HTTPException(400, "De levering is niet geldig: " + "; ".join(problems[:3]))
    name = f"ddas-{gemeentecode}-{report_request.start}-{report_request.end}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/terugkoppeling", response_class=HTMLResponse)
def feedback_page(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("terugkoppeling"))],
) -> Response:
    with context.engine.begin() as conn:
        waiting = pending_per_partner(conn, config=context.queue_config, actor=actor(user))
    return render(
        request,
        "terugkoppeling.html",
        user=user,
        wacht=[(p, signaalpartner_team(p), waiting[p]) for p in sorted(waiting)],
        toegestaan=sorted(context.queue_config.feedback),
        pauze=context.queue_config.collection_pause_days,
    )


@router.post("/terugkoppeling/{partner}")
def feedback_export(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("terugkoppeling"))],
    partner: str,
) -> Response:
    if partner not in {p.value for p in Signaalpartner}:
        raise HTTPException(404, "Deze signaalpartner bestaat niet.")
    with context.engine.begin() as conn:
        lines = send_feedback(
            conn, config=context.queue_config, partner=partner, door=actor(user), via="web"
        )
    name = f"terugkoppeling-{partner.lower().replace(' ', '-')}-{date.today().isoformat()}.csv"
    return Response(
        as_csv(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
