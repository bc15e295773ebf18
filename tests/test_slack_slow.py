"""SLOW (about 21 s, by design): with a 20 s language model the HTTP ack still comes back in under 3 s
and the answer is posted in the thread afterwards."""

from __future__ import annotations

import time

from slack_fake import FakeSlack
from slack_world import make_world

from copilot.testing import ScriptedChatModel


def test_ack_in_under_3_seconds_with_a_20_second_model(copilot) -> None:
    model = ScriptedChatModel(script=["Acme Robotics is in proposal; send the revised proposal this week."], delay=20)
    copilot.services.__dict__["chat_model"] = model
    with FakeSlack() as fake:
        world = make_world(copilot, fake)
        started = time.monotonic()
        r = world.event({"type": "message", "user": "UANN", "text": "what's next with Acme Robotics?",
                         "channel": "DANN", "ts": "400.1", "channel_type": "im"}, "EvSlow")
        acked = time.monotonic() - started
        assert r.status_code == 200 and acked < 3.0, acked
        assert fake.of("chat.postMessage") == []
        post = fake.wait_for("chat.postMessage", timeout=45)[0]
        answered = time.monotonic() - started
        assert answered >= 20.0
        assert post["thread_ts"] == "400.1" and "revised proposal" in post["text"]
        assert len(model.calls) == 1
