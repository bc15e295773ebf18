"""Wiring: ``build_app(copilot, settings)`` returns the Bolt ``App`` with every listener registered.

- Requests are signature-checked by Bolt (kept on); the token is not verified at start-up (auth.test
  runs on the first request instead), so the app builds offline.
- A global middleware drops replays: a delivery whose key (event id, button press, view submission,
  slash trigger) was already taken on is acknowledged with 200 and nothing else. Slack's retries
  (``X-Slack-Retry-Num``, e.g. reason ``http_timeout``) carry the same event id, so they are dropped too.
- Listeners ``ack()`` at once and do the slow work in Bolt lazy listeners (the app's thread pool); shared
  call recordings go further, to the job queue (``integrations.slack.audio``).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from copilot.app import Copilot
from copilot.core.errors import ConfigError
from copilot.core.settings import Settings
from integrations.slack.audio import register_jobs
from integrations.slack.dedupe import delivery_key
from integrations.slack.listeners import actions, commands, events, home, views
from integrations.slack.runtime import SlackRuntime

log = logging.getLogger("copilot.slack")


def build_app(copilot: Copilot, settings: Settings, client: WebClient | None = None, *,
              workers: int = 8) -> App:
    if not settings.slack_signing_secret:
        raise ConfigError("COPILOT_SLACK_SIGNING_SECRET is not set",
                          hint="copy it from your Slack app's Basic Information page")
    if client is None:
        if not settings.slack_bot_token:
            raise ConfigError("COPILOT_SLACK_BOT_TOKEN is not set",
                              hint="install the app to your workspace and copy the xoxb- token (OAuth & Permissions)")
        kwargs: dict[str, Any] = {"token": settings.slack_bot_token}
        if settings.slack_api_url:
            kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
        client = WebClient(**kwargs)
    app = App(client=client, signing_secret=settings.slack_signing_secret, token_verification_enabled=False,
              listener_executor=ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack"))
    rt = SlackRuntime(copilot, bot_token=client.token)
    app.runtime = rt  # type: ignore[attr-defined]  # for tests and the CLI
    register_jobs(rt, client)  # shared recordings go to the job queue

    @app.middleware
    def drop_replays(req: Any, resp: Any, next: Any) -> Any:  # noqa: A002 - Bolt's name
        if req.context.get("lazy_only") or getattr(req, "lazy_only", False):
            return next()
        key = delivery_key(req.body if isinstance(req.body, dict) else {})
        if key is not None and not rt.cp.chat_claim(key):
            retry = req.headers.get("x-slack-retry-num", [None])[0]
            reason = req.headers.get("x-slack-retry-reason", [None])[0]
            log.info("dropping replayed delivery %s (retry %s, reason %s)", key, retry, reason)
            return BoltResponse(status=200, body="")
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled Slack error for %s payload", body.get("type"), exc_info=error)

    for module in (events, commands, actions, views, home):
        module.register(app, rt)
    return app


def worker_jobs(copilot: Copilot, settings: Settings) -> bool:
    """In a queue worker (``copilot worker``): register the Slack jobs when the bot token is set."""
    if not settings.slack_bot_token:
        return False
    kwargs: dict[str, Any] = {"token": settings.slack_bot_token}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    client = WebClient(**kwargs)
    register_jobs(SlackRuntime(copilot, bot_token=client.token), client)
    return True


def http_handler(copilot: Copilot, settings: Settings) -> Any | None:
    """The FastAPI handler for ``POST /slack/events`` when the bot token and signing secret are set."""
    if not (settings.slack_bot_token and settings.slack_signing_secret):
        return None
    from slack_bolt.adapter.fastapi import SlackRequestHandler

    return SlackRequestHandler(build_app(copilot, settings))


def run_socket_mode(copilot: Copilot, settings: Settings) -> None:
    """Socket Mode: no public URL needed; requires the app-level token (xapp-...)."""
    if not settings.slack_app_token:
        raise ConfigError("COPILOT_SLACK_APP_TOKEN is not set",
                          hint="create an app-level token with connections:write (Basic Information > App-Level Tokens)")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings_for_socket = settings.model_copy(update={"slack_signing_secret": settings.slack_signing_secret or "socket-mode"})
    SocketModeHandler(build_app(copilot, settings_for_socket), settings.slack_app_token).start()
