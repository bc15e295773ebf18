"""Mentions and DMs through signed HTTP requests to the real Bolt app, Slack API faked locally."""

from __future__ import annotations

import logging
import time

import pytest
from slack_fake import FakeSlack
from slack_world import make_world

from copilot.conversations import ConversationStore
from knowledge.crm.models import User


@pytest.fixture
def world(copilot):
    with FakeSlack() as fake:
        yield make_world(copilot, fake)


def until(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    return check()


def mention(user: str, text: str, channel: str = "C1", ts: str = "100.1", thread_ts: str | None = None) -> dict:
    ev = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel, "ts": ts,
          "channel_type": "channel"}
    if thread_ts:
        ev["thread_ts"] = thread_ts
    return ev


def test_mention_answers_in_thread_and_follow_up_keeps_context(world) -> None:
    world.fake.members["C1"] = ["UANN", "UBOT"]
    r = world.event(mention("UANN", "what's going on with Acme Robotics?"), "Ev1")
    assert r.status_code == 200
    post = world.fake.wait_for("chat.postMessage")[0]
    assert post["channel"] == "C1" and post["thread_ts"] == "100.1"
    blocks = post["blocks"]
    assert "*Acme Robotics*" in blocks[0]["text"]["text"]  # markdown bold became mrkdwn
    sources = next(b for b in blocks if b["type"] == "context" and "Sources" in b["elements"][0]["text"])
    assert "1. :card_index: Acme Robotics [account:A-1]" in sources["elements"][0]["text"]
    line = [b for b in blocks if b["type"] == "context"][-1]["elements"][0]["text"]
    assert "confidence" in line and "CRM data" in line
    buttons = blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["feedback_helpful", "feedback_not_helpful"]
    answer_id = buttons[0]["value"]
    assert until(lambda: world.cp.chat_answer(answer_id)["message_ts"])

    world.event(mention("UANN", "and who is the champion there?", ts="100.5", thread_ts="100.1"), "Ev2")
    posts = world.fake.wait_for("chat.postMessage", 2)
    assert posts[1]["thread_ts"] == "100.1"
    history, _ = ConversationStore(world.cp.services.crm).history("slack:C1:100.1", "r-ann")
    assert [t.role for t in history] == ["user", "assistant", "user", "assistant"]
    assert history[2].content == "and who is the champion there?"

    # feedback pressed on the answer is logged against it
    world.interact({"type": "block_actions", "user": {"id": "UANN"}, "trigger_id": "t1",
                    "container": {"type": "message", "channel_id": "C1", "message_ts": posts[0].get("ts", "1")},
                    "channel": {"id": "C1"},
                    "actions": [{"action_id": "feedback_not_helpful", "value": answer_id, "action_ts": "5.1"}]})
    world.fake.wait_for("chat.postEphemeral")
    assert world.cp.chat_votes(answer_id) == {"helpful": 0, "not_helpful": 1}


def test_channel_with_someone_outside_the_scope_gets_an_ephemeral_reply(world) -> None:
    world.fake.members["C2"] = ["UANN", "UCARA", "UBOT"]  # Cara is on the West team
    world.event(mention("UANN", "what's going on with Acme Robotics?", channel="C2"), "Ev10")
    eph = world.fake.wait_for("chat.postEphemeral")[0]
    assert eph["user"] == "UANN" and eph["channel"] == "C2" and "Acme" in eph["blocks"][0]["text"]["text"]
    assert world.fake.of("chat.postMessage") == []
    # Ann's manager covers Ann's scope: the same question is posted in that channel
    world.fake.members["C3"] = ["UANN", "UMARIA", "UBOT"]
    world.event(mention("UANN", "what's going on with Acme Robotics?", channel="C3"), "Ev11")
    assert world.fake.wait_for("chat.postMessage")[0]["channel"] == "C3"
    # an unmapped member in the channel makes it private again
    world.fake.members["C4"] = ["UANN", "USTRANGER", "UBOT"]
    world.event(mention("UANN", "what's going on with Acme Robotics?", channel="C4"), "Ev12")
    assert world.fake.wait_for("chat.postEphemeral", 2)[1]["channel"] == "C4"


def test_unmapped_user_is_told_how_to_get_mapped_and_sees_no_crm(world) -> None:
    world.fake.users["UNEW"] = {"id": "UNEW", "profile": {"email": "someone@elsewhere.com"}}
    world.event(mention("UNEW", "what's going on with Acme Robotics?"), "Ev20")
    eph = world.fake.wait_for("chat.postEphemeral")[0]
    text = eph["blocks"][0]["text"]["text"]
    assert "copilot slack map UNEW" in text and "Acme" not in text
    assert "conversations.members" not in world.fake.methods()


def test_user_mapped_by_email_through_users_info_is_cached(world) -> None:
    with world.cp.services.crm.session() as s:
        s.get(User, "r-bob").slack_id = None
    world.fake.users["UB2"] = {"id": "UB2", "profile": {"email": "Bob@skylarkdata.com"}}
    ev = {"type": "message", "user": "UB2", "text": "what's going on with Initech Foods?", "channel": "DB2",
          "ts": "200.1", "channel_type": "im"}
    world.event(ev, "Ev30")
    post = world.fake.wait_for("chat.postMessage")[0]
    assert post["channel"] == "DB2" and post["thread_ts"] == "200.1" and "Initech" in post["text"]
    world.event({**ev, "ts": "200.2", "text": "and Acme Robotics?"}, "Ev31")
    world.fake.wait_for("chat.postMessage", 2)
    assert world.fake.methods().count("users.info") == 1
    assert "conversations.members" not in world.fake.methods()  # a DM needs no channel check


def test_retries_and_replays_answer_once(world) -> None:
    world.fake.members["C1"] = ["UANN", "UBOT"]
    ev = mention("UANN", "what's going on with Acme Robotics?")
    assert world.event(ev, "EvR").status_code == 200
    assert world.event(ev, "EvR", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}).status_code == 200
    assert world.event(ev, "EvR").status_code == 200  # a plain replay
    world.fake.wait_for("chat.postMessage")
    time.sleep(1.0)
    assert len(world.fake.of("chat.postMessage")) == 1


def test_a_failure_is_told_to_the_user_and_logged(world, caplog) -> None:
    def boom(*a, **k):
        raise RuntimeError("database on fire")

    world.cp.ask = boom
    caplog.set_level(logging.ERROR, logger="copilot.slack")
    world.event({"type": "message", "user": "UANN", "text": "hello?", "channel": "DANN", "ts": "300.1",
                 "channel_type": "im"}, "Ev40")
    post = world.fake.wait_for("chat.postMessage")[0]
    assert "Something went wrong on my side (ref" in post["text"] and "fire" not in post["text"]
    assert any("slack handler failed" in r.message for r in caplog.records)
    # a user error carries its fix
    world.cp.ask = lambda *a, **k: (_ for _ in ()).throw(__import__("copilot.core.errors", fromlist=["x"])
                                                         .UserError("the question is empty", hint="type a question"))
    world.event({"type": "message", "user": "UANN", "text": "x", "channel": "DANN", "ts": "300.2",
                 "channel_type": "im"}, "Ev41")
    assert "the question is empty (type a question)" in world.fake.wait_for("chat.postMessage", 2)[1]["text"]
