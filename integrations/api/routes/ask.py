"""Questions: ``POST /v1/ask`` (one JSON answer) and ``POST /v1/chat`` (server-sent events)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from copilot.core.domain import Answer
from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS, AnswerOut, AskIn, ChatIn, PrincipalOut

router = APIRouter(prefix="/v1", tags=["ask"], responses=ERRORS)

_CHUNK = re.compile(r"\S+\s*|\s+")


def word_chunks(text: str) -> list[str]:
    """The answer text in word-sized pieces that join back to exactly the text."""
    return _CHUNK.findall(text)


async def answer_for(request: Request, caller: Caller, question: str, thread_id: str | None) -> Answer:
    answer: Answer = await run_service(request, caller.cp.ask, caller.principal, question, thread_id=thread_id)
    request.app.state.metrics.answered(answer.mode)
    return answer


@router.post("/ask", summary="Ask a question; get a cited answer", response_model=AnswerOut)
async def ask(body: AskIn, request: Request, caller: Caller = Depends(get_caller)) -> AnswerOut:
    answer = await answer_for(request, caller, body.question, body.thread_id)
    return AnswerOut(**answer.model_dump(), thread_id=body.thread_id)


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _chat_events(answer: Answer, thread_id: str) -> Iterator[str]:
    for piece in word_chunks(answer.text):
        yield sse("token", {"text": piece})
    yield sse("citations", [c.model_dump(mode="json") for c in answer.citations])
    yield sse("done", {"thread_id": thread_id, "mode": answer.mode, "confidence": answer.confidence,
                       "actions": [a.model_dump(mode="json") for a in answer.actions],
                       "freshness": answer.freshness.model_dump(mode="json"), "notes": answer.notes,
                       "intent": answer.intent})


@router.post("/chat", summary="Chat in a thread; the answer streams as server-sent events",
             description="Events: `token` ({text}) for each piece of the answer, then `citations` (a list), "
                         "then `done` ({thread_id, mode, actions, ...}). Send the thread_id back to continue.",
             response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {"example":
                        'event: token\ndata: {"text": "Dana "}\n\nevent: citations\ndata: []\n\n'
                        'event: done\ndata: {"thread_id": "t-1"}\n\n'}}}})
async def chat(body: ChatIn, request: Request, caller: Caller = Depends(get_caller)) -> StreamingResponse:
    thread_id = body.thread_id or "api-" + uuid.uuid4().hex[:16]
    answer = await answer_for(request, caller, body.message, thread_id)
    return StreamingResponse(_chat_events(answer, thread_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/users/me", summary="Who this API key acts as, and what they may see", tags=["users"],
            response_model=PrincipalOut)
async def me(request: Request, caller: Caller = Depends(get_caller)) -> PrincipalOut:
    p = caller.principal
    sc = await run_service(request, caller.cp.scope, p)
    return PrincipalOut(user_id=p.user_id, name=p.name, email=p.email, role=p.role.value, team_id=p.team_id,
                        key_id=caller.key_id,
                        scope={"all_records": sc.all_records, "aggregates_only": sc.aggregates_only,
                               "team_ids": sorted(sc.team_ids), "owner_ids": sorted(sc.owner_ids)})
