"""A small OIDC provider for tests, served in-process (no internet): discovery, authorize (consents at once for
the configured email), token (checks the client secret, answers an RS256 ID token) and the published keys.
``mode`` makes it misbehave: ``wrong_aud`` (a token for another client), ``bad_sig`` (signed with a key it does
not publish), ``no_email``."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse


@dataclass
class FakeProvider:
    client_id: str = "copilot-web"
    client_secret: str = "s3cret"
    email: str = "ann@skylarkdata.com"
    mode: str = "ok"
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    rogue: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    codes: dict[str, str] = field(default_factory=dict)  # code -> nonce
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        def issuer(request: Request) -> str:
            return str(request.base_url).rstrip("/")

        @app.get("/.well-known/openid-configuration")
        async def discovery(request: Request) -> dict[str, Any]:
            base = issuer(request)
            return {"issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
                    "jwks_uri": base + "/jwks", "id_token_signing_alg_values_supported": ["RS256"]}

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        async def authorize(response_type: str, client_id: str, redirect_uri: str, state: str, nonce: str,
                            scope: str = "") -> RedirectResponse:
            assert response_type == "code" and client_id == self.client_id and "openid" in scope.split()
            code = secrets.token_urlsafe(16)
            self.codes[code] = nonce
            return RedirectResponse(redirect_uri + "?" + urlencode({"code": code, "state": state}), status_code=303)

        @app.post("/token", response_model=None)
        async def token(request: Request, code: str = Form(""), client_id: str = Form(""),
                        client_secret: str = Form(""), grant_type: str = Form("")) -> Any:
            self.token_requests.append({"code": code, "client_id": client_id, "grant_type": grant_type})
            nonce = self.codes.pop(code, None)
            if nonce is None or client_secret != self.client_secret or grant_type != "authorization_code":
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            now = int(time.time())
            claims: dict[str, Any] = {"iss": issuer(request), "sub": "user-1", "aud": self.client_id, "iat": now,
                                      "exp": now + 300, "nonce": nonce, "email": self.email, "email_verified": True}
            if self.mode == "wrong_aud":
                claims["aud"] = "someone-else"
            if self.mode == "no_email":
                claims.pop("email")
            signer = self.rogue if self.mode == "bad_sig" else self.key
            id_token = jwt.encode(claims, signer, algorithm="RS256", headers={"kid": "k1"})
            return {"access_token": "at", "token_type": "Bearer", "id_token": id_token}

        return app
