"""``copilot serve``: run the HTTP API with uvicorn (JSON logs on stderr, docs at /docs)."""

from __future__ import annotations

import logging
import sys

import typer

from integrations.cli.common import cli_errors, err_console


def register(app: typer.Typer) -> None:
    app.command("serve", help="Run the HTTP API (FastAPI + uvicorn); OpenAPI docs at /docs.")(serve)


def configure_logging(level: str = "info") -> None:
    from integrations.api.middleware import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("copilot.api", "uvicorn", "uvicorn.error"):
        lg = logging.getLogger(name)
        lg.handlers[:] = [handler]
        lg.setLevel(level.upper())
        lg.propagate = False


def app_factory():  # type: ignore[no-untyped-def]
    """Each uvicorn worker process builds its own Copilot and app from the environment."""
    from copilot.app import Copilot
    from copilot.core.settings import load_settings
    from integrations.api.app import create_app
    from integrations.slack.app import http_handler

    configure_logging()
    settings = load_settings()
    copilot = Copilot(settings)
    return create_app(copilot, slack_handler=http_handler(copilot, settings))  # Slack when its tokens are set


@cli_errors
def serve(host: str = typer.Option("127.0.0.1", "--host", help="interface to bind (0.0.0.0 for all)"),
          port: int = typer.Option(8000, "--port", help="TCP port"),
          workers: int = typer.Option(1, "--workers", min=1, max=64, help="worker processes"),
          log_level: str = typer.Option("info", "--log-level", help="debug, info, warning, error")) -> None:
    import uvicorn

    from copilot.app import Copilot
    from copilot.core.settings import load_settings
    from integrations.api.config import ApiConfig

    settings, config = load_settings(), ApiConfig()  # fail fast on bad settings, before binding
    checker = Copilot(settings)
    try:
        checker.db_check()  # a schema behind this version: one line naming 'copilot db upgrade', no workers
    finally:
        checker.close()
    base = f"http://{host if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}"
    err_console.print(f"Sales Copilot API on {base} (data: {settings.resolved_home}, llm: {settings.llm}, "
                      f"workers: {workers}, rate: {config.rate_per_second:g}/s per key)")
    err_console.print(f"API docs: {base}/docs (OpenAPI JSON: {base}/openapi.json); health: {base}/healthz; "
                      f"metrics: {base}/metrics")
    err_console.print("Create a key with 'copilot keys create --user USER' and send 'Authorization: Bearer <key>'.")
    configure_logging(log_level)
    uvicorn.run("integrations.cli.serve:app_factory", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, log_config=None)
