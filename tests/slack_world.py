"""A Slack world for tests: small CRM with Slack ids, the fake Slack API, the real Bolt app behind FastAPI."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from crm_seed import seed_small_crm
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_fake import SECRET, FakeSlack, event_body, signed_headers
from slack_sdk import WebClient

from copilot.app import Copilot
from integrations.slack.app import build_app
from knowledge.crm.models import User

SLACK_IDS = {"r-ann": "UANN", "r-bob": "UBOB", "r-cara": "UCARA", "m-east": "UMARIA", "admin": "UADMIN"}


@dataclass
class World:
    cp: Copilot
    fake: FakeSlack
    http: TestClient
    bolt: Any

    def post(self, body: str, *, content_type: str = "application/json", **headers: str) -> Any:
        return self.http.post("/slack/events", content=body,
                              headers=signed_headers(body, content_type=content_type, **headers))

    def event(self, event: dict[str, Any], event_id: str, **headers: str) -> Any:
        return self.post(event_body(event, event_id), **headers)

    def command(self, user: str, text: str, channel: str = "C1") -> Any:
        body = urlencode({"command": "/copilot", "text": text, "user_id": user, "channel_id": channel,
                          "channel_name": "sales", "team_id": "T1", "trigger_id": f"trig-{time.monotonic_ns()}",
                          "response_url": self.fake.url + "/response/cmd", "api_app_id": "A1", "token": "x"})
        return self.post(body, content_type="application/x-www-form-urlencoded")

    def interact(self, payload: dict[str, Any]) -> Any:
        payload = {"team": {"id": "T1"}, "api_app_id": "A1", "token": "x", **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, content_type="application/x-www-form-urlencoded")


def make_world(cp: Copilot, fake: FakeSlack) -> World:
    seed_small_crm(cp.services.crm)
    with cp.services.crm.session() as s:
        for uid, sid in SLACK_IDS.items():
            s.get(User, uid).slack_id = sid  # type: ignore[union-attr]
    settings = cp.settings.model_copy(update={"slack_signing_secret": SECRET, "slack_bot_token": "xoxb-test"})
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    bolt = build_app(cp, settings, client=client)
    handler = SlackRequestHandler(bolt)
    api = FastAPI()

    @api.post("/slack/events")
    async def slack_events(request: Request) -> Any:
        return await handler.handle(request)

    return World(cp=cp, fake=fake, http=TestClient(api), bolt=bolt)
