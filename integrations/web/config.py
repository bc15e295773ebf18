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
