"""The background tasks in the web app: each task's schedule and its latest runs, what
failed first (``proactief worker``; config/taken.yaml)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from proactief.accounts.users import User
from proactief.jobs import TAKEN, PolicyError, load_schedule, recent_runs
from proactief.web.deps import Context, require
from proactief.web.pages import render

__all__ = ["router"]

router = APIRouter()


@router.get("/taken", response_class=HTMLResponse)
def tasks_page(
    request: Request, context: Context, user: Annotated[User, Depends(require("taken"))]
) -> Response:
    try:
        schedule = load_schedule()
        problem = None
    except PolicyError as exc:
        schedule, problem = None, str(exc)
    with context.engine.connect() as conn:
        runs = recent_runs(conn, limit=100)
    last = {naam: next((r for r in runs if r.taak == naam), None) for naam in TAKEN}
    return render(
        request,
        "taken.html",
        user=user,
        taken=[
            (
                naam,
                wat,
                schedule.taken.get(naam) if schedule else None,  # type: ignore[call-overload]
                last[naam],
            )
            for naam, wat in TAKEN.items()
        ],
        runs=runs,
        fouten=[r for r in runs if r.status == "fout"],
        probleem=problem,
    )
