"""One deal: its win probability beside the stage baseline, with the factors for and against it. A deal
outside the viewer's scope is 404 (execs, who see aggregates only, get 403)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from integrations.web.common import call
from integrations.web.render import page
from integrations.web.session import Viewer, get_viewer

router = APIRouter()


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
async def deal(deal_id: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    score = await call(viewer.cp.win_probability, viewer.principal, deal_id)
    return page(request, viewer, "deal.html.j2", title_key="deal", d=score)
