"""OIDC sign-in (authorization code flow), off unless ``COPILOT_WEB_OIDC_ISSUER`` and ``..._CLIENT_ID`` are set.

``GET /login/oidc`` sends the browser to the provider with a fresh ``state`` and ``nonce``, kept in a short-lived
cookie signed with the session secret. ``GET /login/oidc/callback`` checks the state, exchanges the code at
the token endpoint (client secret in the body), and verifies the ID token with PyJWT against the provider's
published keys: signature, issuer, audience (our client id), expiry and nonce. The email claim then names the
CRM user (exactly, by email); anyone else is refused. The result is the same signed session cookie as an API
key's, marked ``oidc`` instead of a key id: no key is involved, and turning OIDC off ends those sessions.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import jwt
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from copilot.core.errors import CopilotError
from integrations.web.config import WebConfig
from integrations.web.render import page
from integrations.web.session import COOKIE, OIDC_KEY, choose_lang, make_cookie, sign, verify
from integrations.web.words import word

STATE_COOKIE = "copilot_oidc"
STATE_SECONDS = 600
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]  # never "none", never HMAC with a public key


class OidcRefused(Exception):
    """The provider's answer cannot sign anyone in; the message says why in one line."""


@dataclass
class OidcClient:
    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str = ""  # default: this server's /login/oidc/callback
    email_claim: str = "email"
    scopes: str = "openid email"
    provider: str = "single sign-on"
    timeout: float = 10.0
    _meta: dict[str, Any] = field(default_factory=dict, repr=False)
    _keys: jwt.PyJWKSet | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: WebConfig) -> OidcClient | None:
        if not (config.oidc_issuer and config.oidc_client_id):
            return None
        return cls(config.oidc_issuer.rstrip("/"), config.oidc_client_id, config.oidc_client_secret,
                   config.oidc_redirect_url, config.oidc_email_claim, config.oidc_scopes, config.oidc_provider)

    async def metadata(self) -> dict[str, Any]:
        if not self._meta:
            url = self.issuer + "/.well-known/openid-configuration"
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                found = (await http.get(url)).raise_for_status().json()
            if found.get("issuer", "").rstrip("/") != self.issuer:
                raise OidcRefused(f"the provider at {url} names another issuer ({found.get('issuer')!r})")
            self._meta = found
        return self._meta

    async def keys(self, refresh: bool = False) -> jwt.PyJWKSet:
        if self._keys is None or refresh:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                data = (await http.get((await self.metadata())["jwks_uri"])).raise_for_status().json()
            self._keys = jwt.PyJWKSet.from_dict(data)
        return self._keys

    async def authorize_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        meta = await self.metadata()
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                 "scope": self.scopes, "state": state, "nonce": nonce}
        return str(meta["authorization_endpoint"]) + "?" + urlencode(query)

    async def exchange(self, code: str, redirect_uri: str) -> str:
        """The ID token for ``code`` (the client secret goes in the form body)."""
        meta = await self.metadata()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": self.client_id, "client_secret": self.client_secret}
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            response = await http.post(meta["token_endpoint"], data=form)
        if response.status_code != 200:
            raise OidcRefused(f"the provider refused the code (HTTP {response.status_code})")
        token = response.json().get("id_token")
        if not isinstance(token, str):
            raise OidcRefused("the provider's token response has no id_token")
        return token

    async def verify(self, id_token: str, nonce: str) -> str:
        """The verified email of the ID token's subject."""
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
        except jwt.PyJWTError as exc:
            raise OidcRefused(f"the ID token is malformed ({exc})") from None
        keys = await self.keys()
        if kid not in {k.key_id for k in keys.keys}:
            keys = await self.keys(refresh=True)  # the provider may have rotated its keys
        key = next((k for k in keys.keys if k.key_id == kid or kid is None), None)
        if key is None:
            raise OidcRefused("the ID token is signed with a key the provider does not publish")
        try:
            claims = jwt.decode(id_token, key.key, algorithms=ALGORITHMS, audience=self.client_id,
                                issuer=self.issuer, options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.InvalidAudienceError:
            raise OidcRefused("the ID token was issued for another application (audience)") from None
        except jwt.InvalidSignatureError:
            raise OidcRefused("the ID token's signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise OidcRefused(f"the ID token is not valid: {exc}") from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OidcRefused("the ID token does not answer this sign-in (nonce)")
        email = claims.get(self.email_claim)
        if not isinstance(email, str) or "@" not in email:
            raise OidcRefused(f"the ID token has no email in its '{self.email_claim}' claim")
        if claims.get("email_verified") is False:
            raise OidcRefused("the provider has not verified this email")
        return email.strip().lower()


def _pack(secret: bytes, data: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return f"{body}.{sign(secret, body)}"


def _unpack(secret: bytes, value: str) -> dict[str, Any] | None:
    body, _, sig = value.rpartition(".")
    if not body or not verify(secret, body, sig):
        return None
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body.encode()))
    return data if data.get("exp", 0) > time.time() else None


def router(client: OidcClient, config: WebConfig, safe_next: Any) -> APIRouter:
    routes = APIRouter()

    def redirect_uri(request: Request) -> str:
        return client.redirect_url or str(request.url_for("oidc_callback"))

    def refused(request: Request, why: str) -> Response:
        lang = choose_lang(request, request.app.state.copilot.settings.language)
        response = page(request, None, "login.html.j2", title_key="sign_in", lang=lang, status=401, next="/chat",
                        error=word("oidc_failed", lang, why=why), oidc=client.provider)
        response.delete_cookie(STATE_COOKIE)
        return response

    @routes.get("/login/oidc", include_in_schema=False, response_model=None)
    async def start(request: Request) -> Response:
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        try:
            url = await client.authorize_url(redirect_uri(request), state, nonce)
        except (httpx.HTTPError, KeyError, ValueError, OidcRefused) as exc:
            return refused(request, f"the provider at {client.issuer} did not answer ({type(exc).__name__})")
        response = RedirectResponse(url, status_code=303)
        packed = _pack(request.app.state.web_secret, {"state": state, "nonce": nonce, "exp": time.time() + STATE_SECONDS,
                                                      "next": safe_next(request.query_params.get("next", "/chat"))})
        response.set_cookie(STATE_COOKIE, packed, max_age=STATE_SECONDS, httponly=True, samesite="lax",
                            secure=config.secure_cookie)
        return response

    @routes.get("/login/oidc/callback", name="oidc_callback", include_in_schema=False, response_model=None)
    async def callback(request: Request) -> Response:
        secret: bytes = request.app.state.web_secret
        held = _unpack(secret, request.cookies.get(STATE_COOKIE, ""))
        given = request.query_params.get("state", "")
        if held is None or not secrets.compare_digest(str(held["state"]), given):
            return refused(request, "the sign-in expired or did not start here; start again")
        if "error" in request.query_params:
            return refused(request, f"the provider said {request.query_params['error'][:80]}")
        try:
            token = await client.exchange(request.query_params.get("code", ""), redirect_uri(request))
            email = await client.verify(token, str(held["nonce"]))
        except OidcRefused as exc:
            return refused(request, str(exc))
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            return refused(request, f"the provider at {client.issuer} did not answer ({type(exc).__name__})")
        cp = request.app.state.copilot
        try:
            principal = await anyio.to_thread.run_sync(cp.principal, email)
        except CopilotError:
            principal = None
        if principal is None or (principal.email or "").lower() != email:
            return refused(request, f"{email} is not a user of this copilot; ask an admin to add you")
        response = RedirectResponse(str(held["next"]), status_code=303)
        response.set_cookie(COOKIE, make_cookie(secret, OIDC_KEY, principal.user_id, config.session_hours),
                            max_age=int(config.session_hours * 3600), httponly=True, samesite="lax",
                            secure=config.secure_cookie)
        response.delete_cookie(STATE_COOKIE)
        return response

    return routes
