"""Customers: the health board (worst first, with band, journey stage and renewal risk; execs by segment) and
the needs heat map (accounts by technical need theme, from calls, tickets, notes and pre-sales tags; execs
by segment, counts only); one account's health components with their reasons, its needs with the evidence
behind each, and its pre-sales tags, which whoever sees the account may add to. An account outside the
viewer's scope is 404, and so is a tag on one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from integrations.web.charts import heat_map
from integrations.web.common import WebError, back_to, call, require_csrf
from integrations.web.render import page
from integrations.web.session import Viewer, get_viewer
from integrations.web.words import word

router = APIRouter()


def _days(request: Request, default: int) -> int:
    raw = request.query_params.get("days") or ""
    if not raw:
        return default
    if not raw.isdigit():
        raise WebError(400, f"days must be a whole number, like 180 (got {raw[:20]!r})")
    return int(raw)


@router.get("/customers", response_class=HTMLResponse)
async def board(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    view = await call(viewer.cp.health, viewer.principal)
    needs = await call(viewer.cp.needs_map, viewer.principal, days=_days(request, 180))
    chart = heat_map(needs.rows, needs.themes, viewer.lang, word("needs_chart", viewer.lang))
    return page(request, viewer, "customers.html.j2", title_key="customers", view=view, needs=needs, heat=chart)


@router.get("/customers/{account_id}", response_class=HTMLResponse)
async def account(account_id: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    view = await call(viewer.cp.health, viewer.principal, account=account_id)
    if not view.accounts:  # execs see segments only; nothing named comes back for them
        raise WebError(404, f"no account {account_id!r} that you may see", key="not_found")
    needs = await call(viewer.cp.account_needs, viewer.principal, view.accounts[0].account_id,
                       days=_days(request, 365))
    themes = await call(viewer.cp.needs_themes)
    return page(request, viewer, "customer.html.j2", title_key="customers", view=view, needs=needs,
                themes=themes, labels={t["id"]: t[viewer.lang] for t in themes})


@router.post("/customers/{account_id}/tags")
async def add_tag(account_id: str, request: Request, viewer: Viewer = Depends(get_viewer), theme: str = Form(""),
                  note: str = Form(""), csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    tag = await call(viewer.cp.tag_account, viewer.principal, account_id, theme.strip(), note[:2000])
    return back_to(request, f"/customers/{account_id}", f"{word('tags', viewer.lang)}: {tag.theme}")


@router.post("/customers/{account_id}/tags/{tag_id}/remove")
async def remove_tag(account_id: str, tag_id: str, request: Request, viewer: Viewer = Depends(get_viewer),
                     csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    await call(viewer.cp.untag_account, viewer.principal, tag_id)
    return back_to(request, f"/customers/{account_id}", word("remove", viewer.lang))
