"""An OpenAI-compatible ``POST /v1/chat/completions`` (streaming or not) and ``GET /v1/models``.

The API key picks the principal. The last user message is the question; the conversation continues in a
thread whose id hashes the key's user and the first user message, so a chat UI resending the whole history
lands in the same copilot thread. Citations are appended to the text as a "Sources:" list and returned in
an extra ``citations`` field (on the response, or on the final stream chunk).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from copilot.core.domain import Answer, Citation
from copilot.core.errors import UserError
from integrations.api.deps import Caller, get_caller
from integrations.api.routes.ask import answer_for, word_chunks
from integrations.api.schemas import ERRORS, ChatCompletionIn, OpenAIMessage

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERRORS)

MODEL_ID = "sales-copilot"


def _text(m: OpenAIMessage) -> str:
    if isinstance(m.content, str):
        return m.content
    if isinstance(m.content, list):
        return " ".join(str(p.get("text", "")) for p in m.content if p.get("type", "text") == "text")
    return ""


def sources_block(citations: list[Citation]) -> str:
    if not citations:
        return ""
    lines = [f"[{i}] {c.location()}" + (f" ({c.source_id})" if c.source_id not in c.location() else "")
             for i, c in enumerate(citations, 1)]
    return "\n\nSources:\n" + "\n".join(lines)


def _hash(user_id: str, first: str) -> str:
    return "oai-" + hashlib.sha256(f"{user_id}\n{first}".encode()).hexdigest()[:20]


def _usage(prompt: str, completion: str) -> dict[str, int]:
    p, c = len(prompt.split()), len(completion.split())
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _extra(answer: Answer) -> dict[str, Any]:
    return {"citations": [c.model_dump(mode="json") for c in answer.citations],
            "copilot": {"mode": answer.mode, "confidence": answer.confidence,
                        "actions": [a.model_dump(mode="json") for a in answer.actions], "notes": answer.notes}}


@router.get("/models", summary="Models (OpenAI-compatible): the one copilot model")
async def models(caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 1767225600,
                                        "owned_by": "sales-copilot"}]}


@router.post("/chat/completions", summary="Chat completions (OpenAI-compatible, streaming or not)",
             description="Point any OpenAI client at `<server>/v1` with the API key as its api_key and model "
                         f"`{MODEL_ID}`. Citations arrive in the text ('Sources:') and in `citations`.")
async def chat_completions(body: ChatCompletionIn, request: Request, caller: Caller = Depends(get_caller)) -> Any:
    users = [m for m in body.messages if m.role == "user"]
    if not users or not _text(users[-1]).strip():
        raise UserError("the last user message is empty", hint="send at least one message with role 'user'")
    question = _text(users[-1]).strip()
    thread_id = _hash(caller.principal.user_id, _text(users[0]).strip())
    answer = await answer_for(request, caller, question, thread_id)
    content = answer.text + sources_block(answer.citations)
    cid, created = "chatcmpl-" + uuid.uuid4().hex[:24], int(time.time())
    if not body.stream:
        return {"id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": _usage(question, content), **_extra(answer)}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        doc = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(doc, default=str)}\n\n"

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        for piece in word_chunks(content):
            yield chunk({"content": piece})
        yield chunk({}, "stop", **_extra(answer))
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
