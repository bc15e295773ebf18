"""Forecast: P10/P50/P90 for the viewer's subject and its parts (a manager's reps, an exec's teams) drawn as
one SVG chart, each with "show the math"; deals at risk with reasons; suggested interventions, proposed to
the inbox on request; the model-health report. Execs get aggregates only, as everywhere."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from copilot.core.domain import Role
from copilot.core.errors import CopilotError
from integrations.web.charts import history_chart
from integrations.web.common import WebError, back_to, call, require_csrf
from integrations.web.render import RangeRow, page, range_chart
from integrations.web.session import Viewer, get_viewer
from integrations.web.words import word

router = APIRouter()


def forecasts(viewer: Viewer, quarter: str | None) -> list[Any]:
    """The viewer's own subject first (rep: self; manager: team; exec and admin: company), then its parts."""
    cp, p = viewer.cp, viewer.principal
    scope = cp.scope(p)
    top = p.role in (Role.EXEC, Role.ADMIN)
    rows = [cp.forecast(p, company=top, quarter=quarter)]
    if top:
        teams = cp.pipeline(p, {"metric": "pipeline_value", "group_by": "team"}).rows
        parts = [("team", str(r.group)) for r in teams if r.group]
    elif p.role is Role.MANAGER:
        parts = [("rep", cp.principal(uid).name) for uid in sorted(scope.owner_ids) if uid != p.user_id]
    else:
        parts = []
    for kind, name in parts:
        try:
            rows.append(cp.forecast(p, quarter=quarter, team=name if kind == "team" else None,
                                    rep=name if kind == "rep" else None))
        except CopilotError:  # a part this viewer may not break down (too small a group for an exec): leave it out
            continue
    return rows


@router.get("/forecast", response_class=HTMLResponse)
async def forecast(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    quarter = request.query_params.get("quarter") or None
    rows = await call(forecasts, viewer, quarter)
    chart = range_chart([RangeRow(f.subject, f.p10, f.p50, f.p90, f.closed_won) for f in rows],
                        word("chart_title", viewer.lang), word("closed_won", viewer.lang))
    scope = await call(viewer.cp.scope, viewer.principal)
    risks = interventions = None
    notes: list[str] = []
    if scope.aggregates_only:
        notes.append("aggregates only: deals at risk and interventions are shown to their owners and managers")
    else:
        risks = await call(viewer.cp.at_risk, viewer.principal)
        interventions = await call(viewer.cp.forecast_interventions, viewer.principal, propose=False)
    try:
        board = await call(viewer.cp.forecast_scoreboard, viewer.principal, quarter=quarter)
    except WebError as exc:  # a quarter the scoreboard cannot read: say so beside the forecast
        board, notes = None, [*notes, exc.message]
    return page(request, viewer, "forecast.html.j2", title_key="forecast", main=rows[0], rows=rows, chart=chart,
                risks=risks, interventions=interventions, notes=notes, board=board, quarter=quarter or "")


@router.post("/forecast/call")
async def record_call(request: Request, viewer: Viewer = Depends(get_viewer), amount: str = Form(""),
                      quarter: str = Form(""), csrf: str = Form("")) -> RedirectResponse:
    """The viewer's own call for the quarter (a number), scored against the model's after the quarter closes."""
    require_csrf(viewer, csrf)
    try:
        value = float(amount.replace(",", "").strip())
    except ValueError:
        raise WebError(400, f"the call must be a number, like 1200000 (got {amount[:40]!r})") from None
    rec = await call(viewer.cp.forecast_call, viewer.principal, amount=value, quarter=quarter.strip() or None)
    return back_to(request, "/forecast" + (f"?quarter={rec.period}" if quarter.strip() else ""),
                   f"{rec.subject} {rec.period}: {value:,.0f}")


@router.post("/forecast/interventions")
async def propose(request: Request, viewer: Viewer = Depends(get_viewer), csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    report = await call(viewer.cp.forecast_interventions, viewer.principal, propose=True)
    made = sum(1 for i in report.interventions if i.action_id)
    return back_to(request, "/actions", f"{made} {word('interventions', viewer.lang).lower()}")


@router.get("/forecast/model-health", response_class=HTMLResponse)
async def model_health(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    """The monthly model-health report, as the product renders it (the same HTML as the API's)."""
    report = await call(viewer.cp.forecast_health, viewer.principal, month=request.query_params.get("month") or None)
    html = report.html()
    if not html.strip():
        raise WebError(404, "no model-health report yet")
    return HTMLResponse(html)


def history_subjects(viewer: Viewer) -> list[tuple[str, str]]:
    """(value, label) of the subjects the viewer may replay: their own first, then its parts."""
    cp, p = viewer.cp, viewer.principal
    if p.role in (Role.EXEC, Role.ADMIN):
        teams = cp.pipeline(p, {"metric": "pipeline_value", "group_by": "team"}).rows
        return [("", "company")] + [(f"team:{r.group}", f"team {r.group}") for r in teams if r.group]
    if p.role is Role.MANAGER:
        names = [cp.principal(uid).name for uid in sorted(cp.scope(p).owner_ids) if uid != p.user_id]
        return [("", "team")] + [(f"rep:{n}", f"rep {n}") for n in names]
    return []


@router.get("/forecast/history", response_class=HTMLResponse)
async def history(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    """Forecast against actual over past quarters for the viewer's subject, or one of its parts."""
    subject = (request.query_params.get("subject") or "").strip()[:200]
    kind, _, name = subject.partition(":")
    top = viewer.principal.role in (Role.EXEC, Role.ADMIN)
    kw: dict[str, Any] = {"rep": name} if kind == "rep" and name else {"team": name} if kind == "team" and name \
        else {"company": True} if top else {}
    try:
        hist = await call(viewer.cp.forecast_history, viewer.principal, **kw)
    except WebError as exc:  # someone else's subject: refused without repeating whom the URL named
        raise WebError(exc.status, "", key=exc.key) if exc.status in (403, 404) else exc from None
    subjects = await call(history_subjects, viewer)
    chart = history_chart(hist.points, word("history_chart", viewer.lang), actual=word("actual", viewer.lang),
                          baseline=word("stage_weighted", viewer.lang))
    return page(request, viewer, "forecast_history.html.j2", title_key="fc_history", h=hist, chart=chart,
                subjects=subjects, subject=subject)
