"""API limits and knobs, read once at the edge from ``COPILOT_API_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPILOT_API_", env_file=".env", extra="ignore")

    max_body_bytes: int = Field(default=1_000_000, ge=1, description="largest JSON request body")
    max_upload_bytes: int = Field(default=200_000_000, ge=1, description="largest upload (audio, documents)")
    rate_per_second: float = Field(default=10.0, ge=0, description="token refill per API key; 0 disables")
    rate_burst: int = Field(default=60, ge=1, description="bucket size per API key")
    service_timeout: float = Field(default=120.0, gt=0, description="seconds a service call may take (504 past it)")
    call_inline_max_bytes: int = Field(default=2_000_000, ge=0, description="larger call uploads become jobs")
    call_inline_max_seconds: float = Field(default=30.0, ge=0, description="longer call audio becomes a job")
    job_workers: int = Field(default=1, ge=0, le=16, description="threads of each API process consuming the job "
                             "queue; 0: none, run 'copilot worker' processes instead")
    auth_cache_seconds: float = Field(default=0.5, ge=0, le=1.0, description="how long a verified key is "
                                      "remembered per process: a revoked key stops working everywhere within it")
