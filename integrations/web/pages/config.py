"""Configuration for sales ops: each rules file or template edited as YAML, checked by the product's own loader,
previewed (health scores before and after, a sample call summarized), saved with a history (who, when, the
diff) and restorable. Admins only: the facade refuses anyone else (403), for reading and for posting alike.
A refused edit comes back in the editor with its one-line reason, and the file in force is untouched."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from integrations.web.common import WebError, back_to, call, require_csrf
from integrations.web.render import page
from integrations.web.session import Viewer, get_viewer
from integrations.web.words import word

router = APIRouter()


@router.get("/config", response_class=HTMLResponse)
async def kinds(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    found = await call(viewer.cp.config_kinds, viewer.principal)
    return page(request, viewer, "config.html.j2", title_key="config", kinds=found)


async def _editor(request: Request, viewer: Viewer, kind: str, *, text: str | None = None, note: str = "",
                  error: str = "", preview: Any = None, status: int = 200) -> HTMLResponse:
    cp, who = viewer.cp, viewer.principal
    known = {k.name: k for k, _custom in await call(cp.config_kinds, who)}
    if kind not in known:
        raise WebError(404, f"no configuration named {kind}", key="not_found")
    history = await call(cp.config_history, who, kind)
    shown: tuple[int, str, str] | None = None
    raw = request.query_params.get("v", "")
    if raw.isdigit():
        version_text, diff = await call(cp.config_version, who, kind, int(raw))
        shown = (int(raw), version_text, diff)
    current = text if text is not None else await call(cp.config_show, who, kind)
    return page(request, viewer, "config_edit.html.j2", title_key="config", kind=known[kind], text=current,
                note=note, error=error, preview=preview, history=history, shown=shown, status=status)


@router.get("/config/{kind}", response_class=HTMLResponse)
async def editor(kind: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    return await _editor(request, viewer, kind)


@router.post("/config/{kind}/preview", response_class=HTMLResponse)
async def preview(kind: str, request: Request, viewer: Viewer = Depends(get_viewer), text: str = Form(""),
                  note: str = Form(""), csrf: str = Form("")) -> HTMLResponse:
    require_csrf(viewer, csrf)
    try:
        found = await call(viewer.cp.config_preview, viewer.principal, kind, text)
    except WebError as exc:
        if exc.status != 400:
            raise
        return await _editor(request, viewer, kind, text=text, note=note, error=exc.message, status=400)
    return await _editor(request, viewer, kind, text=text, note=note, preview=found)


@router.post("/config/{kind}", response_model=None)
async def save(kind: str, request: Request, viewer: Viewer = Depends(get_viewer), text: str = Form(""),
               note: str = Form(""), csrf: str = Form("")) -> Response:
    require_csrf(viewer, csrf)
    try:
        version = await call(viewer.cp.config_save, viewer.principal, kind, text.replace("\r\n", "\n"), note)
    except WebError as exc:
        if exc.status != 400:
            raise
        return await _editor(request, viewer, kind, text=text, note=note, error=exc.message, status=400)
    return back_to(request, f"/config/{kind}", word("saved", viewer.lang, kind=kind, n=version.number))


@router.post("/config/{kind}/restore")
async def restore(kind: str, request: Request, viewer: Viewer = Depends(get_viewer), version: int = Form(...),
                  csrf: str = Form("")) -> RedirectResponse:
    require_csrf(viewer, csrf)
    made = await call(viewer.cp.config_restore, viewer.principal, kind, version)
    return back_to(request, f"/config/{kind}", word("saved", viewer.lang, kind=kind, n=made.number))
