"""Who is looking at the page: a signed session cookie that names an API key's id, and the interface language.

Sign-in takes an API key (``copilot keys create --user X``); the key is checked once and never stored in the
cookie. The cookie holds ``key id . user id . expiry``, signed with HMAC-SHA256 under the server's secret,
and every request checks that the key is still active, so revoking the key ends the web session too. The
principal comes from the facade exactly as for the API (``cp.principal``), so the pages see what the API sees.
OIDC sign-in (``integrations/web/oidc.py``, when configured) issues the same cookie for the CRM user its
verified email names, with ``oidc`` in place of a key id; such a session lasts while OIDC stays configured.

Forms carry a CSRF token derived from the session (HMAC of the cookie), and the cookie is ``SameSite=Lax``
and ``HttpOnly``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from fastapi import Request

from copilot.app import Copilot
from copilot.core.domain import Principal
from copilot.core.errors import UserError

COOKIE = "copilot_session"
OIDC_KEY = "oidc"  # the key-id slot of a session signed in through OIDC (no API key behind it)
LANG_COOKIE = "copilot_lang"
LANGS = ("en", "zh")


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""


@dataclass
class Viewer:
    principal: Principal
    key_id: str
    lang: str
    csrf: str
    cp: Copilot = field(repr=False)


def load_secret(home: Path, given: str = "") -> bytes:
    """``COPILOT_WEB_SECRET`` when set; otherwise a random secret kept in the data home (mode 0600), so
    every worker over the same home signs alike and sessions survive restarts."""
    if given:
        return given.encode()
    path = home / "web_secret"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two workers starting together keep the first one's secret
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _sign(secret: bytes, body: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, body.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def sign(secret: bytes, body: str) -> str:
    return _sign(secret, body)


def verify(secret: bytes, body: str, sig: str) -> bool:
    return hmac.compare_digest(sig, _sign(secret, body))


def make_cookie(secret: bytes, key_id: str, user_id: str, hours: float) -> str:
    body = f"{key_id}.{user_id}.{int(time.time() + hours * 3600)}"
    return f"{body}.{_sign(secret, body)}"


def read_cookie(secret: bytes, value: str) -> tuple[str, str] | None:
    """(key id, user id) of a well-signed, unexpired cookie, else None."""
    body, _, sig = value.rpartition(".")
    parts = body.split(".")
    if len(parts) < 3 or not hmac.compare_digest(sig, _sign(secret, body)):
        return None
    key_id, expires = parts[0], parts[-1]
    user_id = ".".join(parts[1:-1])  # user ids may hold dots
    if not expires.isdigit() or int(expires) < time.time():
        return None
    return key_id, user_id


def csrf_for(secret: bytes, cookie: str) -> str:
    return _sign(secret, "csrf:" + cookie)[:32]


def choose_lang(request: Request, default: str) -> str:
    """``?lang=`` (the switch), then the language cookie, then Accept-Language, then COPILOT_LANGUAGE."""
    for cand in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if cand in LANGS:
            return cand
    accept = request.headers.get("accept-language", "").lower()
    if accept:
        first = accept.split(",")[0].strip()
        if first.startswith("zh"):
            return "zh"
        if first.startswith("en"):
            return "en"
    return default if default in LANGS else "en"


async def get_viewer(request: Request) -> Viewer:
    """FastAPI dependency for every page: the signed-in principal, or ``SignInRequired``."""
    state = request.app.state
    cp: Copilot = state.copilot
    raw = request.cookies.get(COOKIE, "")
    found = read_cookie(state.web_secret, raw) if raw else None
    if found is None:
        raise SignInRequired()
    key_id, user_id = found
    if key_id == OIDC_KEY:  # no key behind it: valid while OIDC is configured and the user is active
        if getattr(state, "web_oidc", None) is None:
            raise SignInRequired()
    elif await anyio.to_thread.run_sync(cp.keys_active, key_id, user_id) is None:
        raise SignInRequired()
    try:
        principal = await anyio.to_thread.run_sync(cp.principal, user_id)
    except UserError:  # gone or deactivated
        raise SignInRequired() from None
    scope = request.scope.setdefault("state", {})
    scope["user_id"], scope["key_id"] = principal.user_id, key_id
    return Viewer(principal=principal, key_id=key_id, lang=choose_lang(request, cp.settings.language),
                  csrf=csrf_for(state.web_secret, raw), cp=cp)


def check_csrf(viewer: Viewer, token: str) -> bool:
    return hmac.compare_digest(viewer.csrf, token or "")
