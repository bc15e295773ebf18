"""Chat: ask with citations, confidence and freshness, in a conversation thread the form carries.

With JavaScript on, the form posts to ``/chat/stream`` and the answer appears word by word (server-sent
events over fetch, as ``POST /v1/chat`` streams it), then the cited answer block replaces it; with
JavaScript off the same form posts to ``/chat`` and the page comes back with the answer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from integrations.web.common import call, require_csrf
from integrations.web.render import fragment, page
from integrations.web.session import Viewer, get_viewer

router = APIRouter()


@router.get("/chat", response_class=HTMLResponse)
async def chat(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    return page(request, viewer, "chat.html.j2", title_key="chat", thread=viewer.cp.new_thread(), question="",
                answer=None)


@router.post("/chat", response_class=HTMLResponse)
async def ask(request: Request, viewer: Viewer = Depends(get_viewer), question: str = Form(...),
              thread: str = Form(""), csrf: str = Form("")) -> HTMLResponse:
    require_csrf(viewer, csrf)
    thread_id = _thread(viewer, thread)
    answer = await call(viewer.cp.ask, viewer.principal, question.strip()[:4000], thread_id=thread_id)
    return page(request, viewer, "chat.html.j2", title_key="chat", thread=thread_id, question="", answer=answer)


_PIECE = re.compile(r"\S+\s*|\s+")


def _thread(viewer: Viewer, given: str) -> str:
    return given if given.startswith("t-") and len(given) <= 64 else viewer.cp.new_thread()


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/chat/stream")
async def ask_streamed(request: Request, viewer: Viewer = Depends(get_viewer), question: str = Form(...),
                       thread: str = Form(""), csrf: str = Form("")) -> StreamingResponse:
    """Events: ``token`` ({text}) per word of the answer, then ``done`` ({html}: the cited answer block)."""
    require_csrf(viewer, csrf)
    thread_id = _thread(viewer, thread)
    answer = await call(viewer.cp.ask, viewer.principal, question.strip()[:4000], thread_id=thread_id)
    block = fragment(viewer, "_answer.html.j2", answer=answer)

    def events() -> Iterator[str]:
        for piece in _PIECE.findall(answer.text):
            yield _sse("token", {"text": piece})
        yield _sse("done", {"html": block, "thread": thread_id})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
