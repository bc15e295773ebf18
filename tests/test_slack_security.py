"""Request signatures: Bolt's check stays on, through the project's FastAPI mount (create_app)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_fake import FakeSlack, event_body, signed_headers
from slack_world import make_world

from copilot.core.errors import ConfigError
from integrations.slack.app import build_app, http_handler


def test_bad_signature_and_stale_timestamp_are_rejected_on_the_api_mount(copilot) -> None:
    from integrations.api.app import create_app

    with FakeSlack() as fake:
        world = make_world(copilot, fake)
        api = TestClient(create_app(copilot, slack_handler=SlackRequestHandler(world.bolt)))
        body = event_body({"type": "app_mention", "user": "UANN", "text": "<@UBOT> hi", "channel": "DANN",
                           "ts": "1.1", "channel_type": "im"}, "EvS1")
        bad = signed_headers(body, secret="not-the-secret")
        assert api.post("/slack/events", content=body, headers=bad).status_code == 401
        stale = signed_headers(body, timestamp=int(time.time()) - 10 * 60)
        assert api.post("/slack/events", content=body, headers=stale).status_code == 401
        unsigned = {"Content-Type": "application/json"}
        assert api.post("/slack/events", content=body, headers=unsigned).status_code == 401
        tampered = signed_headers(body)
        assert api.post("/slack/events", content=body.replace("hi", "ho"), headers=tampered).status_code == 401
        time.sleep(0.3)
        assert [m for m in fake.methods() if m.startswith("chat.")] == []
        # url_verification with a good signature is answered by Bolt
        challenge = '{"type": "url_verification", "challenge": "abc", "token": "x"}'
        r = api.post("/slack/events", content=challenge, headers=signed_headers(challenge))
        assert r.status_code == 200 and r.json() == {"challenge": "abc"}


def test_missing_settings_name_the_variable(copilot) -> None:
    assert http_handler(copilot, copilot.settings) is None  # not configured: no Slack mount
    try:
        build_app(copilot, copilot.settings)
    except ConfigError as exc:
        assert "COPILOT_SLACK_SIGNING_SECRET" in str(exc)
    else:
        raise AssertionError("expected ConfigError")
    configured = copilot.settings.model_copy(update={"slack_signing_secret": "s", "slack_bot_token": "xoxb-1",
                                                     "slack_api_url": "http://127.0.0.1:9/api"})
    assert isinstance(http_handler(copilot, configured), SlackRequestHandler)
