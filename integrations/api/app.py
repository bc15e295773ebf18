"""``create_app(copilot)``: the FastAPI app over one ``Copilot`` (the composition root stays in copilot.app).

Routes live in ``integrations/api/routes/`` one module per area; what every request shares (request id,
size limit, metrics, logs) is one ASGI middleware; errors become JSON with stable codes (errors.py).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from copilot.app import Copilot
from integrations.api.config import ApiConfig
from integrations.api.errors import ApiError, install_handlers
from integrations.api.metrics import Metrics
from integrations.api.middleware import ApiMiddleware, TokenBucket
from integrations.api.routes import (
    actions,
    ask,
    calls,
    forecast,
    health,
    ingest,
    openai_compat,
    ops,
    roleplay,
    trust,
    users,
    workspace,
)
from integrations.api.routes import config as config_routes
from integrations.web import mount_web

DESCRIPTION = """The sales copilot over HTTP: cited answers, chat (SSE), call uploads, the action
confirmation loop, forecasts, role-play coaching, ingestion, and an OpenAI-compatible chat endpoint.

**Auth**: every `/v1` route needs an API key (`Authorization: Bearer sk-cop_...`), created with
`copilot keys create --user USER`. The key's user decides what you see, exactly as `--as USER` does
in the CLI. Errors are `{"error": {"code": ..., "message": ...}}` with stable codes.
"""

TAGS = [
    {"name": "ask", "description": "Questions and chat with citations"},
    {"name": "openai", "description": "OpenAI-compatible chat completions (model `sales-copilot`)"},
    {"name": "calls", "description": "Call uploads: transcript, summary, proposed follow-up"},
    {"name": "actions", "description": "Proposed actions: approve (by payload hash), edit, reject, stats"},
    {"name": "forecast", "description": "Forecast and pipeline numbers"},
    {"name": "health", "description": "Customer health, the daily scan, renewal risk and value reports"},
    {"name": "roleplay", "description": "Role-play coaching sessions"},
    {"name": "config", "description": "Sales ops' rules and templates: validate, preview, install, history (admins)"},
    {"name": "ingest", "description": "Documents and CRM imports"},
    {"name": "users", "description": "Who the key acts as"},
    {"name": "operations", "description": "Health, readiness, metrics"},
]


def create_app(copilot: Copilot, *, slack_handler: Any | None = None, config: ApiConfig | None = None) -> FastAPI:
    """Build the app. ``slack_handler`` (anything with ``handle(request)``, sync or async) answers
    ``POST /slack/events``; it does its own Slack signature check, so no API key is needed there."""
    config = config or ApiConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        copilot.jobs_start()  # this worker's queue consumer (none with COPILOT_API_JOB_WORKERS=0)
        yield
        copilot.jobs_shutdown()

    app = FastAPI(title="Sales Copilot API", version="1.0", description=DESCRIPTION, openapi_tags=TAGS,
                  lifespan=lifespan)
    app.state.copilot = copilot
    app.state.config = config
    app.state.metrics = Metrics()
    app.state.limiter = TokenBucket(config.rate_per_second, config.rate_burst)
    copilot.configure_api(key_cache_seconds=config.auth_cache_seconds, job_workers=config.job_workers)
    app.state.principals = {}
    install_handlers(app)
    for module in (ops, ask, users, openai_compat, actions, calls, forecast, health, roleplay, ingest, workspace,
                   config_routes, trust):
        app.include_router(module.router)

    @app.post("/slack/events", tags=["operations"], summary="Slack Events API (HTTP mode)", include_in_schema=bool(slack_handler))
    async def slack_events(request: Request) -> Any:
        if slack_handler is None:
            raise ApiError(404, "not_found", "Slack is not configured on this server; run it with the Slack app")
        result = slack_handler.handle(request)
        return await result if inspect.isawaitable(result) else result

    mount_web(app, copilot)  # the web workspace at / (integrations/web), same principals and scopes

    app.add_middleware(ApiMiddleware, metrics=app.state.metrics, max_body=config.max_body_bytes,
                       max_upload=config.max_upload_bytes)
    return app
