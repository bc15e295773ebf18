"""What the web workspace's pages show, for any client: the customer-needs heat map, an account's needs and
pre-sales tags, a deal's timeline, and assigned role-play scenarios. Scoped like everything else: a record
outside the key's scope is 404, execs get segments (needs) or 403 (records)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS)


class TagIn(BaseModel):
    theme: str = Field(min_length=1, max_length=60, description="a theme id from GET /v1/needs/themes")
    note: str = Field(default="", max_length=500, description="what pre-sales saw, for sales")


class AssignIn(BaseModel):
    trainee: str = Field(min_length=1, description="user id, email or full name of someone in your team")
    scenario_id: str = Field(min_length=1, description="a scenario id from GET /v1/roleplay/scenarios")
    due_on: date | None = None
    note: str = Field(default="", max_length=500)


@router.get("/needs/themes", tags=["health"], summary="The technical need themes of the heat map and tags")
async def themes(request: Request, caller: Caller = Depends(get_caller)) -> list[dict[str, str]]:
    return await run_service(request, caller.cp.needs_themes)


@router.get("/needs", tags=["health"], summary="Customer-needs heat map: accounts by need theme (execs: segments)")
async def needs(request: Request, caller: Caller = Depends(get_caller), days: int = Query(default=180, ge=1, le=3650),
                limit: int = Query(default=20, ge=1, le=200)) -> dict[str, Any]:
    view = await run_service(request, caller.cp.needs_map, caller.principal, days=days, limit=limit)
    out: dict[str, Any] = view.model_dump(mode="json")
    return out


@router.get("/accounts/{account}/needs", tags=["health"], summary="One account's needs, evidence and tags")
async def account_needs(account: str, request: Request, caller: Caller = Depends(get_caller),
                        days: int = Query(default=365, ge=1, le=3650)) -> dict[str, Any]:
    view = await run_service(request, caller.cp.account_needs, caller.principal, account, days=days)
    out: dict[str, Any] = view.model_dump(mode="json")
    return out


@router.post("/accounts/{account}/tags", tags=["health"], status_code=201,
             summary="Tag a technical pain on an account you can see (pre-sales)")
async def tag(account: str, body: TagIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    view = await run_service(request, caller.cp.tag_account, caller.principal, account, body.theme, body.note)
    out: dict[str, Any] = view.model_dump(mode="json")
    return out


@router.delete("/tags/{tag_id}", tags=["health"], status_code=204, summary="Remove a tag (the row is kept)")
async def untag(tag_id: str, request: Request, caller: Caller = Depends(get_caller)) -> Response:
    await run_service(request, caller.cp.untag_account, caller.principal, tag_id)
    return Response(status_code=204)


@router.get("/deals/{deal}/timeline", tags=["forecast"], summary="A deal's history, activities and calls, in date order")
async def timeline(deal: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    view = await run_service(request, caller.cp.deal_timeline, caller.principal, deal)
    out: dict[str, Any] = view.model_dump(mode="json")
    return out


@router.get("/deals/{deal}/odds", tags=["forecast"], summary="An open deal's win probability with its factors")
async def odds(deal: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    score = await run_service(request, caller.cp.win_probability, caller.principal, deal)
    out: dict[str, Any] = score.model_dump(mode="json")
    return out


@router.get("/roleplay/assignments", tags=["roleplay"], summary="Assigned scenarios you may see, with their status")
async def assignments(request: Request, caller: Caller = Depends(get_caller),
                      trainee: str | None = Query(default=None)) -> list[dict[str, Any]]:
    rows = await run_service(request, caller.cp.roleplay_assignments, caller.principal, trainee=trainee)
    return [r.model_dump(mode="json") for r in rows]


@router.post("/roleplay/assignments", tags=["roleplay"], status_code=201,
             summary="Assign a scenario to someone in your team (managers, admins)")
async def assign(body: AssignIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    made = await run_service(request, caller.cp.roleplay_assign, caller.principal, body.trainee, body.scenario_id,
                             due_on=body.due_on, note=body.note)
    out: dict[str, Any] = made.model_dump(mode="json")
    return out


@router.delete("/roleplay/assignments/{assignment_id}", tags=["roleplay"], status_code=204,
               summary="Withdraw an assignment (managers, admins)")
async def unassign(assignment_id: str, request: Request, caller: Caller = Depends(get_caller)) -> Response:
    await run_service(request, caller.cp.roleplay_unassign, caller.principal, assignment_id)
    return Response(status_code=204)


@router.get("/roleplay/trainees/sessions", tags=["roleplay"], summary="A trainee's sessions (yours, or your person's)")
async def sessions(request: Request, caller: Caller = Depends(get_caller),
                   trainee: str | None = Query(default=None)) -> list[dict[str, Any]]:
    rows = await run_service(request, caller.cp.roleplay_sessions, caller.principal, trainee=trainee)
    return [r.model_dump(mode="json") for r in rows]


@router.get("/roleplay/sessions/{session_id}/review", tags=["roleplay"],
            summary="A session's transcript with the rubric's checks and their turns (trainee or their manager)")
async def review(session_id: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    session, score = await run_service(request, caller.cp.roleplay_review, caller.principal, session_id)
    return {"session_id": session.id, "trainee_id": session.trainee_id, "scenario_id": session.persona.id,
            "status": session.status, "turns": [t.model_dump(mode="json") for t in session.turns],
            "score": score.model_dump(mode="json") if score else None}
