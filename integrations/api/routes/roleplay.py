"""Role-play coaching sessions: list scenarios, start, reply, finish (scored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

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
    return [_card(p) for p in await run_service(request, caller.cp.roleplay_scenarios)]


@router.post("/sessions", summary="Start a session; the buyer opens", status_code=201)
async def start(body: RoleplayStartIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    session = await run_service(request, caller.cp.roleplay_start, caller.principal, body.scenario_id)
    return {"session_id": session.id, "scenario": _card(session.persona), "opening": session.opening,
            "reply": f"/v1/roleplay/sessions/{session.id}/reply"}


@router.post("/sessions/{session_id}/reply", summary="Say one line to the buyer; get the buyer's answer")
async def reply(session_id: str, body: RoleplayReplyIn, request: Request,
                caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        session, turn = caller.cp.roleplay_turn(caller.principal, session_id, body.text)
        return {"session_id": session_id, "buyer": turn.text, "ended": session.ended, "outcome": turn.outcome}

    return await run_service(request, run)


@router.post("/sessions/{session_id}/finish", summary="End the session and score it")
async def finish(session_id: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        score = caller.cp.roleplay_finish(caller.principal, session_id)
        return {"session_id": session_id, **score.model_dump(mode="json")}

    return await run_service(request, run)
