"""Web workspace knobs, read once at the edge from ``COPILOT_WEB_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPILOT_WEB_", env_file=".env", extra="ignore")

    secret: str = Field(default="", description="signs session cookies; unset: a random secret kept in the data home")
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30, description="how long a sign-in lasts")
    secure_cookie: bool = Field(default=False, description="send the session cookie over HTTPS only (set it "
                                "behind TLS)")
    oidc_issuer: str = Field(default="", description="OIDC provider (https://...); with a client id, turns OIDC sign-in on")
    oidc_client_id: str = Field(default="", description="this app's client id at the provider (the ID token's audience)")
    oidc_client_secret: str = Field(default="", description="this app's client secret at the provider")
    oidc_redirect_url: str = Field(default="", description="the callback URL registered at the provider; default "
                                   "this server's /login/oidc/callback")
    oidc_email_claim: str = Field(default="email", description="the ID token claim holding the CRM user's email")
    oidc_scopes: str = Field(default="openid email", description="scopes asked for")
    oidc_provider: str = Field(default="single sign-on", description="the provider's name on the sign-in button")
