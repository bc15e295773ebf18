"""Customers: the health board (worst first, with band, journey stage and renewal risk; execs by segment)
and one account's components with their reasons. An account outside the viewer's scope is 404."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from integrations.web.common import WebError, call
from integrations.web.render import page
from integrations.web.session import Viewer, get_viewer

router = APIRouter()


@router.get("/customers", response_class=HTMLResponse)
async def board(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    view = await call(viewer.cp.health, viewer.principal)
    return page(request, viewer, "customers.html.j2", title_key="customers", view=view)


@router.get("/customers/{account_id}", response_class=HTMLResponse)
async def account(account_id: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    view = await call(viewer.cp.health, viewer.principal, account=account_id)
    if not view.accounts:  # execs see segments only; nothing named comes back for them
        raise WebError(404, f"no account {account_id!r} that you may see", key="not_found")
    return page(request, viewer, "customer.html.j2", title_key="customers", view=view)
