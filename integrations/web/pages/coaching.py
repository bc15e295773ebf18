"""Coaching: role-play progress (a manager sees each trainee on the team, or one of them; a trainee their own),
what to practise next, scenarios a manager assigned (with a due date; done once the trainee finishes a session
of it), and practice in the browser: start a scenario, talk to the simulated buyer, finish and see
the rubric with the evidence per check and the turn that earned or missed it. Only the trainee may continue
their session; anyone else gets 403 or 404. Scores are coaching aids, never for employment decisions."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from copilot.core.domain import Role
from copilot.core.errors import CopilotError
from integrations.web.common import WebError, back_to, call, require_csrf
from integrations.web.render import bar_chart, page
from integrations.web.session import Viewer, get_viewer
from integrations.web.words import word

router = APIRouter()


def _names(viewer: Viewer, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for uid in ids:
        try:
            out[uid] = viewer.cp.principal(uid).name
        except CopilotError:  # an erased or deactivated trainee keeps the id
            out[uid] = uid
    return out


def _team(viewer: Viewer) -> dict[str, str]:
    """Whom a manager may assign scenarios to: the people in their scope (an admin: every rep)."""
    p = viewer.principal
    if p.role is Role.ADMIN:
        return {u["id"]: u["name"] for u in viewer.cp.users(p) if u.get("role") == "rep" and u.get("active", True)}
    if p.role is not Role.MANAGER:
        return {}
    return _names(viewer, sorted(uid for uid in viewer.cp.scope(p).owner_ids if uid != p.user_id))


@router.get("/coaching", response_class=HTMLResponse)
async def progress(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    """Progress (one trainee's with ``?trainee=``: a manager's own people only, anyone else is 404), the
    scenarios assigned (a manager assigns and withdraws them), and practice."""
    trainee = (request.query_params.get("trainee") or "").strip()[:200] or None
    report: dict[str, Any] = await call(viewer.cp.roleplay_report, viewer.principal, trainee=trainee)
    assignments = await call(viewer.cp.roleplay_assignments, viewer.principal, trainee=trainee)
    scenarios = await call(viewer.cp.roleplay_scenarios)
    names = await call(_names, viewer, list(report.get("trainees", {})))
    team = await call(_team, viewer)
    sessions = await call(viewer.cp.roleplay_sessions, viewer.principal, trainee=trainee) \
        if trainee or viewer.principal.role is Role.REP else []
    scores = report.get("scores") or []
    chart = bar_chart([(f"#{i + 1}", float(s)) for i, s in enumerate(scores)], word("scores", viewer.lang)) \
        if scores else ""
    return page(request, viewer, "coaching.html.j2", title_key="coaching", report=report, scenarios=scenarios,
                names=names, chart=chart, assignments=assignments, team=team, trainee=trainee, sessions=sessions,
                today=viewer.cp.settings.current_date().isoformat())


@router.post("/coaching/assign")
async def assign(request: Request, viewer: Viewer = Depends(get_viewer), trainee: str = Form(""),
                 scenario: str = Form(""), due: str = Form(""), note: str = Form(""),
                 csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    try:
        due_on = date.fromisoformat(due.strip()) if due.strip() else None
    except ValueError:
        raise WebError(400, f"the due date must look like 2026-12-31 (got {due[:20]!r})") from None
    made = await call(viewer.cp.roleplay_assign, viewer.principal, trainee.strip(), scenario.strip(), due_on=due_on,
                      note=note[:2000])
    return back_to(request, "/coaching", f"{made.trainee}: {made.scenario}")


@router.post("/coaching/assignments/{assignment_id}/withdraw")
async def withdraw(assignment_id: str, request: Request, viewer: Viewer = Depends(get_viewer),
                   csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    await call(viewer.cp.roleplay_unassign, viewer.principal, assignment_id)
    return back_to(request, "/coaching", word("withdraw", viewer.lang, what=assignment_id))


@router.post("/coaching/start")
async def start(request: Request, viewer: Viewer = Depends(get_viewer), scenario: str = Form(...),
                csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    session = await call(viewer.cp.roleplay_start, viewer.principal, scenario)
    return back_to(request, f"/coaching/{session.id}")


def _marks(score: Any) -> dict[int, list[tuple[str, bool | None]]]:
    """Per 1-based turn: the rubric checks that turn earned or missed (the evidence beside each line)."""
    out: dict[int, list[tuple[str, bool | None]]] = {}
    for c in getattr(score, "checks", None) or []:
        if c.turn:
            out.setdefault(int(c.turn), []).append((c.label, c.passed))
    return out


@router.get("/coaching/review/{session_id}", response_class=HTMLResponse)
async def review(session_id: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    """A session's transcript read-only, with the rubric's checks beside the turns behind them: the trainee's
    own, or a manager's person's; anyone else gets 404."""
    session, score = await call(viewer.cp.roleplay_review, viewer.principal, session_id)
    names = await call(_names, viewer, [session.trainee_id])
    return page(request, viewer, "practice.html.j2", title_key="coaching", s=session, score=score, readonly=True,
                marks=_marks(score), trainee=names[session.trainee_id])


@router.get("/coaching/{session_id}", response_class=HTMLResponse)
async def practice(session_id: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    session = await call(viewer.cp.roleplay_session, viewer.principal, session_id)
    return page(request, viewer, "practice.html.j2", title_key="coaching", s=session, score=None)


@router.post("/coaching/{session_id}/turn")
async def turn(session_id: str, request: Request, viewer: Viewer = Depends(get_viewer), text: str = Form(...),
               csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    await call(viewer.cp.roleplay_turn, viewer.principal, session_id, text.strip()[:2000])
    return back_to(request, f"/coaching/{session_id}")


@router.post("/coaching/{session_id}/finish", response_class=HTMLResponse)
async def finish(session_id: str, request: Request, viewer: Viewer = Depends(get_viewer),
                 csrf: str = Form("")) -> HTMLResponse:
    require_csrf(viewer, csrf)
    score = await call(viewer.cp.roleplay_finish, viewer.principal, session_id)
    session = await call(viewer.cp.roleplay_session, viewer.principal, session_id)
    return page(request, viewer, "practice.html.j2", title_key="coaching", s=session, score=score,
                marks=_marks(score))
