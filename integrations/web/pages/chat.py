"""Chat: ask with citations, confidence and freshness, in a conversation thread the form carries."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from integrations.web.common import call, require_csrf
from integrations.web.render import page
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
    thread_id = thread if thread.startswith("t-") and len(thread) <= 64 else viewer.cp.new_thread()
    answer = await call(viewer.cp.ask, viewer.principal, question.strip()[:4000], thread_id=thread_id)
    return page(request, viewer, "chat.html.j2", title_key="chat", thread=thread_id, question="", answer=answer)
