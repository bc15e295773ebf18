"""The confirmation loop over HTTP: list, show, approve, edit, reject, stats.

Every action is returned with its ``payload_hash``; approve and edit require that hash back, so a
payload that changed after it was shown is refused (400 ``bad_request``) rather than executed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from copilot.app import Action, State
from copilot.core.errors import UserError
from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS, ActionOut, ApproveIn, EditIn, RejectIn

router = APIRouter(prefix="/v1/actions", tags=["actions"], responses=ERRORS)


def action_out(a: Action) -> dict[str, Any]:
    return {**a.model_dump(mode="json"), "summary": a.summary()}


def _states(raw: list[str] | None, all_: bool) -> list[State] | None:
    if all_:
        return list(State)
    if not raw:
        return None
    try:
        return [State(x.strip()) for item in raw for x in item.split(",") if x.strip()]
    except ValueError:
        raise UserError(f"unknown state in {raw}", hint="use " + ", ".join(s.value for s in State)) from None


@router.get("", summary="List actions you may see (pending by default)", response_model=list[ActionOut])
async def list_actions(request: Request, caller: Caller = Depends(get_caller),
                       state: list[str] | None = Query(default=None, description="state(s); default proposed"),
                       all_: bool = Query(default=False, alias="all", description="every state"),
                       stuck: bool = Query(default=False, description="actions left executing by a crashed worker"),
                       limit: int = Query(default=100, ge=1, le=500)) -> list[dict[str, Any]]:
    items = await run_service(request, caller.cp.actions_list, caller.principal, _states(state, all_), stuck=stuck,
                              limit=limit)
    return [action_out(a) for a in items]


@router.get("/stats", summary="Adoption metrics over the actions you may see")
async def stats(request: Request, caller: Caller = Depends(get_caller),
                since: datetime | None = Query(default=None, description="only actions created since")) -> dict[str, Any]:
    return await run_service(request, caller.cp.actions_stats, caller.principal, since=since)


@router.get("/{action_id}", summary="One action with its audit history", response_model=ActionOut)
async def show(action_id: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    cp = caller.cp

    def load() -> dict[str, Any]:
        a = cp.actions_show(caller.principal, action_id)
        return {**action_out(a), "history": cp.actions_history(caller.principal, action_id)}

    return await run_service(request, load)


@router.post("/{action_id}/approve", summary="Approve the payload you reviewed (by its hash)",
             response_model=ActionOut)
async def approve(action_id: str, body: ApproveIn, request: Request,
                  caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    a = await run_service(request, caller.cp.actions_approve, caller.principal, action_id, shown_hash=body.payload_hash,
                          confirm_recipients=body.confirm_recipients, execute=body.execute)
    return action_out(a)


@router.post("/{action_id}/edit", summary="Replace the payload and approve it", response_model=ActionOut)
async def edit(action_id: str, body: EditIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    a = await run_service(request, caller.cp.actions_edit, caller.principal, action_id, payload=body.payload,
                          shown_hash=body.payload_hash, confirm_recipients=body.confirm_recipients,
                          execute=body.execute)
    return action_out(a)


@router.post("/{action_id}/reject", summary="Reject a proposal", response_model=ActionOut)
async def reject(action_id: str, request: Request, body: RejectIn | None = None,
                 caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    a = await run_service(request, caller.cp.actions_reject, caller.principal, action_id,
                          reason=body.reason if body else "")
    return action_out(a)
