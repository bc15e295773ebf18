"""Role-play coaching sessions: list scenarios, start, reply, finish (scored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from copilot.core.errors import PermissionDenied
from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS, RoleplayReplyIn, RoleplayStartIn

router = APIRouter(prefix="/v1/roleplay", tags=["roleplay"], responses=ERRORS)

_PUBLIC = ("id", "title", "name", "role", "company", "industry", "goal", "difficulty")


def _card(persona: Any) -> dict[str, Any]:
    """What a trainee may know before the call (hidden pains and budget stay hidden)."""
    data = persona.model_dump(mode="json")
    return {k: data.get(k) for k in _PUBLIC}


@router.get("/scenarios", summary="Role-play scenarios in the library")
async def scenarios(request: Request, caller: Caller = Depends(get_caller)) -> list[dict[str, Any]]:
    svc = request.app.state.copilot.roleplay
    return [_card(p) for p in await run_service(request, svc.scenarios)]


@router.post("/sessions", summary="Start a session; the buyer opens", status_code=201)
async def start(body: RoleplayStartIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    svc = request.app.state.copilot.roleplay
    session = await run_service(request, svc.start, body.scenario_id, caller.principal, caller.scope)
    return {"session_id": session.id, "scenario": _card(session.persona), "opening": session.opening,
            "reply": f"/v1/roleplay/sessions/{session.id}/reply"}


def _own(request: Request, caller: Caller, session_id: str) -> Any:
    session = request.app.state.copilot.roleplay.resume(session_id, caller.scope)
    if session.trainee_id != caller.principal.user_id:
        raise PermissionDenied(f"session {session_id} is {session.trainee_id}'s practice; only they may continue it")
    return session


@router.post("/sessions/{session_id}/reply", summary="Say one line to the buyer; get the buyer's answer")
async def reply(session_id: str, body: RoleplayReplyIn, request: Request,
                caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        session = _own(request, caller, session_id)
        turn = session.reply(body.text)
        return {"session_id": session_id, "buyer": turn.text, "ended": session.ended, "outcome": turn.outcome}

    return await run_service(request, run)


@router.post("/sessions/{session_id}/finish", summary="End the session and score it")
async def finish(session_id: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        score = _own(request, caller, session_id).finish()
        return {"session_id": session_id, **score.model_dump(mode="json")}

    return await run_service(request, run)
