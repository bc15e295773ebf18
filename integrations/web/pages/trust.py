"""AI trust: the viewer's recent answers and the pending suggestions they may see, each with its confidence,
sources, data freshness and bias hints (few records, one rep's data dominating, stale data, low confidence, a
sector thin in the win-odds model's history), helpful / not-helpful votes on answers (kept with Slack's
votes), and the model-health report for managers, execs and admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from integrations.web.common import back_to, call, require_csrf
from integrations.web.render import page
from integrations.web.session import Viewer, get_viewer
from integrations.web.words import word

router = APIRouter()


@router.get("/trust", response_class=HTMLResponse)
async def trust(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    recent = await call(viewer.cp.trust_answers, viewer.principal, limit=25)
    suggestions = await call(viewer.cp.trust_suggestions, viewer.principal, limit=50)
    return page(request, viewer, "trust.html.j2", title_key="trust", recent=recent, suggestions=suggestions)


@router.post("/trust/vote")
async def vote(request: Request, viewer: Viewer = Depends(get_viewer), ref: str = Form(...),
               helpful: str = Form(...), csrf: str = Form("")) -> RedirectResponse:
    """A vote on one of the viewer's own answers; anyone else's answer is 404, as if it did not exist."""
    require_csrf(viewer, csrf)
    await call(viewer.cp.answer_vote, viewer.principal, ref, helpful=helpful == "yes")
    back = back_to(request, "/trust", word("voted", viewer.lang))
    back.headers["location"] += f"#{ref}"  # back to the row voted on
    return back
