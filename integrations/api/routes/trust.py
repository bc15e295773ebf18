"""AI trust over HTTP: your newest answers and the pending suggestions you may see, each with confidence,
sources, freshness and bias hints; helpful / not-helpful votes on your own answers (stored with Slack's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS

router = APIRouter(prefix="/v1/trust", tags=["ask"], responses=ERRORS)


class Vote(BaseModel):
    helpful: bool


def _hints(hints: list[Any]) -> list[dict[str, str]]:
    return [{"code": h.code, "text": h.text} for h in hints]


@router.get("/answers", summary="Your newest answers with bias hints and votes")
async def answers(request: Request, caller: Caller = Depends(get_caller),
                  limit: int = Query(default=25, ge=1, le=200)) -> list[dict[str, Any]]:
    found = await run_service(request, caller.cp.trust_answers, caller.principal, limit=limit)
    return [{"ref": r.ref, "question": r.question, "at": r.at.isoformat(), "answer": r.answer.model_dump(mode="json"),
             "hints": _hints(r.hints), "votes": r.votes, "my_vote": r.my_vote} for r in found]


@router.get("/suggestions", summary="Pending proposals you may see, with bias hints")
async def suggestions(request: Request, caller: Caller = Depends(get_caller),
                      limit: int = Query(default=50, ge=1, le=200)) -> list[dict[str, Any]]:
    found = await run_service(request, caller.cp.trust_suggestions, caller.principal, limit=limit)
    return [{"action": s.action.model_dump(mode="json"), "hints": _hints(s.hints)} for s in found]


@router.post("/answers/{ref}/vote", summary="Vote on one of your answers (again: changes your vote)")
async def vote(ref: str, body: Vote, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, int]:
    return await run_service(request, caller.cp.answer_vote, caller.principal, ref, helpful=body.helpful)
