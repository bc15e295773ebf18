"""Call audio shared with the bot in a DM: downloaded from the (fake) Slack with the bot token, transcribed
(scripted transcriber), summarized, stored on the deal named in the message, follow-up cards sent once."""

from __future__ import annotations

import io
import json
import time
import wave

import numpy as np
from slack_fake import FakeSlack
from slack_world import make_world

from copilot.core.speech import ScriptedTranscriber, Segment
from knowledge.crm.models import Call

SCRIPT = [
    Segment(start=0.5, end=4.0, text="Thanks for joining, Dana. How is the security review going?", speaker="Ann Lee",
            role="rep"),
    Segment(start=4.5, end=9.0, text="Our security team needs the SOC 2 report before we can sign, and Vantage IQ is cheaper.",
            speaker="Dana Park", role="customer"),
    Segment(start=9.5, end=14.0, text="I will send the SOC 2 report and a revised proposal by Friday.", speaker="Ann Lee",
            role="rep"),
    Segment(start=14.5, end=18.0, text="Great, then let's schedule the technical demo next week.", speaker="Dana Park",
            role="customer"),
]


def wav_bytes(seconds: float = 20.0, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def test_audio_shared_in_dm_is_summarized_in_thread_with_followup_cards(copilot) -> None:
    copilot.services.calls._transcriber = lambda: ScriptedTranscriber(SCRIPT)
    with FakeSlack() as fake:
        world = make_world(copilot, fake)
        fake.blobs["F1/acme-call.wav"] = wav_bytes()
        fake.files["F1"] = {"id": "F1", "name": "acme-call.wav", "title": "Acme Robotics call", "mimetype": "audio/wav",
                            "size": len(fake.blobs["F1/acme-call.wav"]),
                            "url_private": fake.url + "/files/F1/acme-call.wav",
                            "shares": {"private": {"DANN": [{"ts": "600.1"}]}}}
        msg = {"type": "message", "subtype": "file_share", "user": "UANN", "channel": "DANN", "channel_type": "im",
               "ts": "600.1", "text": "call with Acme Robotics today", "files": [{"id": "F1", "name": "acme-call.wav",
                                                                                 "mimetype": "audio/wav"}]}
        assert world.event(msg, "EvF1").status_code == 200
        world.event({"type": "file_shared", "file_id": "F1", "user_id": "UANN", "channel_id": "DANN",
                     "file": {"id": "F1"}}, "EvF2")  # the same file, announced a second way
        summary_post = fake.wait_for("chat.postMessage", timeout=60)[0]
        assert summary_post["channel"] == "DANN" and summary_post["thread_ts"] == "600.1"
        text = json.dumps(summary_post["blocks"])
        assert "Acme Robotics call" in text and "SOC 2" in text and "Proposed follow-up" in text
        downloads = [c for c in fake.calls if c["method"].startswith("GET /files/F1")]
        assert len(downloads) == 1 and downloads[0]["auth"] == "Bearer xoxb-test"
        with copilot.services.crm.session() as s:
            calls = [c for c in s.query(Call).all()]
        assert len(calls) == 1 and calls[0].deal_id == "D-1" and calls[0].owner_id == "r-ann"
        pending = copilot.services.actions.list(copilot.principal("r-ann"))
        assert {a.kind for a in pending} >= {"send_email", "log_call_summary"}
        cards = fake.wait_for("chat.postMessage", 1 + len(pending))[1:]
        time.sleep(0.8)
        assert len(fake.of("chat.postMessage")) == 1 + len(pending)  # one summary, one card per action
        assert all(c["channel"] == "DANN" for c in cards)
        assert sorted(a.id for a in pending) == sorted(
            next(b["block_id"] for b in c["blocks"] if b.get("block_id", "").startswith("decide:"))[7:] for c in cards)


def test_audio_without_a_deal_is_summarized_without_followup(copilot) -> None:
    copilot.services.calls._transcriber = lambda: ScriptedTranscriber(SCRIPT)
    with FakeSlack() as fake:
        world = make_world(copilot, fake)
        fake.blobs["F2/x.wav"] = wav_bytes(6)
        fake.files["F2"] = {"id": "F2", "name": "x.wav", "mimetype": "audio/wav", "url_private": fake.url + "/files/F2/x.wav"}
        world.event({"type": "message", "subtype": "file_share", "user": "UANN", "channel": "DANN", "channel_type": "im",
                     "ts": "700.1", "text": "", "files": [{"id": "F2", "name": "x.wav"}]}, "EvF3")
        post = fake.wait_for("chat.postMessage", timeout=60)[0]
        assert "could not tie this call to one of your open deals" in json.dumps(post["blocks"])
        assert copilot.services.actions.list(copilot.principal("r-ann")) == []
