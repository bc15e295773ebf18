"""AI trust: the viewer's recent answers with their confidence, sources, freshness and notes, and the
pending suggestions with their confidence (after adoption) beside the proposing tool's own."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from integrations.web.common import call
from integrations.web.render import page
from integrations.web.session import Viewer, get_viewer

router = APIRouter()


@router.get("/trust", response_class=HTMLResponse)
async def trust(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    recent = await call(viewer.cp.answers_recent, viewer.principal, limit=25)
    actions = await call(viewer.cp.actions_list, viewer.principal, limit=50)
    return page(request, viewer, "trust.html.j2", title_key="trust", recent=recent, actions=actions)
