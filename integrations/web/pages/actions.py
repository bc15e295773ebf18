"""The actions inbox: pending proposals, one proposal with its payload, change, citations and history, and
approve / edit / reject through the facade (approve and edit send back the payload hash that was shown)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from copilot.app import Action
from copilot.core.errors import CopilotError
from integrations.web.common import WebError, back_to, call, require_csrf
from integrations.web.render import diff_rows, page
from integrations.web.session import Viewer, get_viewer

router = APIRouter()


def _owner_names(viewer: Viewer, items: list[Action]) -> dict[str, str]:
    names: dict[str, str] = {}
    for owner in {a.owner_id for a in items}:
        try:
            names[owner] = viewer.cp.principal(owner).name
        except CopilotError:  # a deactivated or erased owner keeps its id
            names[owner] = owner
    return names


def _back(back: str, action_id: str) -> str:
    """Back to the inbox when decided from its list, else to the action's page."""
    return "/actions" if back == "/actions" else f"/actions/{action_id}"


def _addresses(text: str) -> list[str]:
    """Recipients outside the account's contacts that the person confirms (comma- or space-separated)."""
    return [x for x in text.replace(",", " ").split() if x]


@router.get("/actions", response_class=HTMLResponse)
async def inbox(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    items = await call(viewer.cp.actions_list, viewer.principal, limit=200)
    stats = await call(viewer.cp.actions_stats, viewer.principal)
    owners = await call(_owner_names, viewer, items)
    return page(request, viewer, "actions.html.j2", title_key="actions", items=items, stats=stats, owners=owners)


@router.get("/actions/{action_id}", response_class=HTMLResponse)
async def show(action_id: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    a = await call(viewer.cp.actions_show, viewer.principal, action_id)
    history = await call(viewer.cp.actions_history, viewer.principal, action_id)
    owner = (await call(_owner_names, viewer, [a]))[a.owner_id]
    return page(request, viewer, "action.html.j2", title_key="actions", a=a, history=history, owner=owner,
                diff=diff_rows(a.proposed_payload, a.payload))


@router.post("/actions/{action_id}/approve")
async def approve(action_id: str, request: Request, viewer: Viewer = Depends(get_viewer), hash: str = Form(...),
                  confirm: str = Form(""), back: str = Form(""), csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    a = await call(viewer.cp.actions_approve, viewer.principal, action_id, shown_hash=hash,
                   confirm_recipients=_addresses(confirm))
    return back_to(request, _back(back, action_id), f"{a.summary()} ({a.state.value})")


@router.post("/actions/{action_id}/edit")
async def edit(action_id: str, request: Request, viewer: Viewer = Depends(get_viewer), hash: str = Form(...),
               payload: str = Form(...), confirm: str = Form(""), csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    try:
        new: Any = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise WebError(400, f"the payload is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}; "
                       "fix it and save again") from None
    if not isinstance(new, dict):
        raise WebError(400, "the payload must be a JSON object ({...}); fix it and save again")
    a = await call(viewer.cp.actions_edit, viewer.principal, action_id, payload=new, shown_hash=hash,
                   confirm_recipients=_addresses(confirm))
    return back_to(request, f"/actions/{action_id}", f"{a.summary()} ({a.state.value})")


@router.post("/actions/{action_id}/reject")
async def reject(action_id: str, request: Request, viewer: Viewer = Depends(get_viewer), reason: str = Form(""),
                 back: str = Form(""), csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    a = await call(viewer.cp.actions_reject, viewer.principal, action_id, reason=reason.strip()[:500])
    return back_to(request, _back(back, action_id), f"{a.summary()} ({a.state.value})")
