"""``mount_web(app, copilot)``: the web workspace on the API's own FastAPI app, under the same principals.

Sign-in and sign-out, the stylesheet, the error page, and the pages' routers. Everything a page shows comes
from the facade with the viewer's principal, exactly as the JSON API would give it.
"""

from __future__ import annotations

from urllib.parse import quote

import anyio
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from copilot.app import Copilot
from integrations.web.common import WebError
from integrations.web.config import WebConfig
from integrations.web.oidc import OidcClient
from integrations.web.oidc import router as oidc_router
from integrations.web.pages import actions, chat, coaching, customers, deals, forecast, trust
from integrations.web.pages import config as config_page
from integrations.web.render import HERE, page
from integrations.web.session import (
    COOKIE,
    SignInRequired,
    Viewer,
    check_csrf,
    choose_lang,
    get_viewer,
    load_secret,
    make_cookie,
)
from integrations.web.words import word


def _safe_next(target: str) -> str:
    """Only a path on this site (no ``//host`` or scheme), so sign-in cannot redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/chat"


def mount_web(app: FastAPI, copilot: Copilot, config: WebConfig | None = None) -> None:
    config = config or WebConfig()
    app.state.web_secret = load_secret(copilot.settings.resolved_home, config.secret)
    app.state.web_oidc = oidc = OidcClient.from_config(config)  # None unless an issuer and client id are set
    provider = oidc.provider if oidc else ""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="web-static")

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)

    async def web_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebError)
        lang = choose_lang(request, copilot.settings.language)
        message = word(exc.key, lang) if exc.key != "error" else exc.message
        detail = exc.message if exc.key != "not_found" else ""  # a 404 never says whose record it was
        return page(request, None, "error.html.j2", title_key="error", status=exc.status, lang=lang,
                    message=message + (f" ({detail})" if detail and detail != message else ""))

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(WebError, web_error)

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> RedirectResponse:
        """Managers, execs and admins start on the forecast; reps on chat."""
        try:
            viewer = await get_viewer(request)
        except SignInRequired:
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse("/chat" if viewer.principal.role.value == "rep" else "/forecast", status_code=303)

    @app.get("/login", include_in_schema=False, response_class=HTMLResponse)
    async def login_form(request: Request) -> HTMLResponse:
        lang = choose_lang(request, copilot.settings.language)
        return page(request, None, "login.html.j2", title_key="sign_in", lang=lang, error="", oidc=provider,
                    next=_safe_next(request.query_params.get("next", "/chat")))

    @app.post("/login", include_in_schema=False, response_model=None)
    async def login(request: Request, key: str = Form(""), next: str = Form("/chat")) -> Response:
        info = await anyio.to_thread.run_sync(copilot.keys_verify, key.strip()) if key.strip() else None
        if info is None:
            lang = choose_lang(request, copilot.settings.language)
            return page(request, None, "login.html.j2", title_key="sign_in", lang=lang, status=401,
                        error=word("bad_key", lang), next=_safe_next(next), oidc=provider)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(COOKIE, make_cookie(app.state.web_secret, info.id, info.user_id, config.session_hours),
                            max_age=int(config.session_hours * 3600), httponly=True, samesite="lax",
                            secure=config.secure_cookie)
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, csrf: str = Form("")) -> RedirectResponse:
        try:
            viewer: Viewer | None = await get_viewer(request)
        except SignInRequired:
            viewer = None
        if viewer is not None and not check_csrf(viewer, csrf):
            raise WebError(400, "the form's token does not match this session; reload the page", key="bad_form")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    if oidc is not None:
        app.include_router(oidc_router(oidc, config, _safe_next))
    for module in (chat, actions, forecast, deals, customers, trust, coaching, config_page):
        app.include_router(module.router, include_in_schema=False)
