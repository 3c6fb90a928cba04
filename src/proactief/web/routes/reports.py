"""The dashboard (the funnel per partner, channel and segment) and the CBS report."""

import csv
import io
import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from proactief.accounts.users import User, list_users
from proactief.domain import Signaalpartner, signaalpartner_team
from proactief.early_detection.feedback import (
    FeedbackLine,
    as_csv,
    export_again,
    pending_per_partner,
    send_feedback,
    sent_exports,
)
from proactief.early_detection.report import ReportRequest, build_ddas_report, validate_ddas_report
from proactief.evaluation.funnel import funnels
from proactief.evaluation.tables import TABLES, funnel_tables
from proactief.web.dashboard_cache import Snapshot
from proactief.web.deps import Context, WebContext, ZaakId, actor, dutch, optional_day, require
from proactief.web.pages import render

__all__ = ["router"]

router = APIRouter()


def _period(van: str, tot: str) -> tuple[date | None, date | None, list[str]]:
    """The dashboard's period from the form; what is wrong, in Dutch."""
    problems: list[str] = []
    start = optional_day(van, "Van", problems)
    end = optional_day(tot, "Tot en met", problems)
    if start and end and end < start:
        problems.append("De periode klopt niet: 'tot en met' ligt vóór 'van'.")
        start = end = None
    return start, end, problems


def _snapshot(context: WebContext, user: User, start: date | None, end: date | None) -> Snapshot:
    """Every table of the dashboard for a period (rows as dicts, column names first), as
    counted at the snapshot's time: kept a few minutes (PROACTIEF_DASHBOARD_MINUTEN)."""

    def count() -> dict[str, Any]:
        with context.engine.begin() as conn:
            counted = funnels(conn=conn, actor=f"{actor(user)}:evaluatie", van=start, tot=end)
            names = {u.user_id: u.naam or u.gebruikersnaam for u in list_users(conn=conn)}
        return funnel_tables(counted, names)

    if context.dashboard_cache is None:
        return Snapshot(count(), datetime.now(UTC))
    return context.dashboard_cache.get((start, end), count)


def _tables(
    context: WebContext, user: User, start: date | None, end: date | None
) -> dict[str, Any]:
    return _snapshot(context, user, start, end).tables


CSV_COLUMNS = TABLES


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("dashboard"))],
    van: str = "",
    tot: str = "",
) -> Response:
    start, end, problems = _period(van[:10], tot[:10])
    snapshot = _snapshot(context, user, start, end)
    tables = snapshot.tables
    cache = context.dashboard_cache
    return render(
        request,
        "dashboard.html",
        user=user,
        geteld=snapshot.geteld,
        bewaard_minuten=int(cache.keep.total_seconds() // 60) if cache and cache.keep else 0,
        rows=tables["partners"],
        trechter=tables["trechter"],
        kanalen=tables["kanalen"],
        segmenten=tables["segmenten"],
        herkomst=tables["herkomst"],
        regelingen=tables["regelingen"],
        tonen=tables["tonen"],
        ladders=tables["ladders"],
        experimenten=tables["experimenten"],
        momenten=tables["momenten"],
        geld=tables["geld"],
        medewerkers=tables["medewerkers"],
        doorlooptijden=tables["doorlooptijden"],
        van=start.isoformat() if start else "",
        tot=end.isoformat() if end else "",
        problems=problems,
        tabellen=list(CSV_COLUMNS),
    )


@router.get("/dashboard/{tabel}.csv")
def dashboard_csv(
    context: Context,
    user: Annotated[User, Depends(require("dashboard"))],
    tabel: str,
    van: str = "",
    tot: str = "",
) -> Response:
    """One table of the dashboard as CSV (counts only), for the same period."""
    if tabel not in CSV_COLUMNS:
        raise HTTPException(404, "Deze tabel bestaat niet.")
    start, end, problems = _period(van[:10], tot[:10])
    if problems:
        raise HTTPException(400, " ".join(problems))
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=CSV_COLUMNS[tabel], extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(_tables(context, user, start, end)[tabel])
    period = f"-{start or 'begin'}-{end or 'nu'}" if start or end else ""
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dashboard-{tabel}{period}.csv"'},
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
        # a date that cannot be read says nothing useful in Dutch; the request's own
        # refusals say what is wrong in their Dutch half
        said = dutch(exc) if " / " in str(exc) else "vul de datums in als jjjj-mm-dd."
        raise HTTPException(400, f"Dit klopt niet: {said}") from exc
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
        earlier = sent_exports(conn)
    return render(
        request,
        "terugkoppeling.html",
        user=user,
        wacht=[(p, signaalpartner_team(p), waiting[p]) for p in sorted(waiting)],
        eerder=[(e, signaalpartner_team(e.signaalpartner)) for e in earlier],
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
    return _feedback_file(partner, date.today(), lines)


@router.get("/terugkoppeling/bestand/{export_id}")
def feedback_again(
    context: Context,
    user: Annotated[User, Depends(require("terugkoppeling"))],
    export_id: ZaakId,
) -> Response:
    """An earlier export, the same lines again (a download that got lost); records
    nothing new."""
    with context.engine.begin() as conn:
        found = export_again(conn, export_id=export_id, actor=actor(user))
    if found is None:
        raise HTTPException(404, "Dit bestand bestaat niet (meer).")
    export, lines = found
    return _feedback_file(export.signaalpartner, export.verstuurd.date(), lines)


def _feedback_file(partner: str, day: date, lines: list[FeedbackLine]) -> Response:
    name = f"terugkoppeling-{partner.lower().replace(' ', '-')}-{day.isoformat()}.csv"
    return Response(
        as_csv(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
