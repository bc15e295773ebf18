"""/copilot roleplay: list scenarios, start one in a DM thread, buyer turns in the thread, 'done' scores it."""

from __future__ import annotations

import json

from slack_fake import FakeSlack
from slack_world import make_world


def test_roleplay_in_a_dm_thread(copilot) -> None:
    with FakeSlack() as fake:
        world = make_world(copilot, fake)
        world.command("UANN", "roleplay")
        listing = fake.wait_for("cmd")[0]["text"]
        assert "`kestrel-pricing`" in listing
        world.command("UANN", "roleplay kestrel-pricing")
        opening = fake.wait_for("chat.postMessage")[0]
        assert opening["channel"] == "DANN" and "Role-play" in json.dumps(opening["blocks"])
        ts = "1001.000100"  # the fake's first ts
        world.event({"type": "message", "user": "UANN", "channel": "DANN", "channel_type": "im", "ts": "1100.1",
                     "thread_ts": ts, "text": "Thanks Marco. What would make this discount worth it for you?"}, "EvRP1")
        buyer = fake.wait_for("chat.postMessage", 2)[1]
        assert buyer["thread_ts"] == ts and buyer["text"]
        world.event({"type": "message", "user": "UANN", "channel": "DANN", "channel_type": "im", "ts": "1100.2",
                     "thread_ts": ts, "text": "done"}, "EvRP2")
        score = fake.wait_for("chat.postMessage", 3)[2]
        assert score["thread_ts"] == ts and "Score" in score["text"]
