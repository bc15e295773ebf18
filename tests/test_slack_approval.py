"""Approval cards end to end: card in the owner's DM, Approve / Edit (modal) / Reject, execution once,
refusals for people who may not decide, replays; App Home; /copilot commands."""

from __future__ import annotations

import json
import logging
import time

import pytest
from slack_fake import FakeSlack
from slack_world import make_world

from copilot.core.domain import Citation


@pytest.fixture
def world(copilot):
    with FakeSlack() as fake:
        yield make_world(copilot, fake)


def propose_email(world, subject: str = "Revised proposal for Acme Robotics"):
    return world.cp.services.actions.propose(
        "send_email", {"to": ["dana@acmerobotics.com"], "subject": subject, "body": "Hi Dana,\n\nAttached.\n\nAnn"},
        owner_id="r-ann", rationale="Dana asked for the revised proposal", tool="propose_email", confidence=0.7,
        deal_id="D-1", citations=[Citation(source_id="crm:activity:E-1", title="Security questionnaire", kind="crm",
                                           record="activity:E-1")])


def card_of(world, action_id: str) -> dict:
    for post in world.fake.of("chat.postMessage"):
        if any(b.get("block_id") == f"decide:{action_id}" for b in post.get("blocks") or []):
            return post
    raise AssertionError("no card posted")


def press(world, user: str, action_id: str, value: str, *, channel: str = "DANN", ts: str = "500.1",
          action_ts: str | None = None) -> None:
    world.interact({"type": "block_actions", "user": {"id": user}, "trigger_id": f"trig-{action_ts or time.monotonic_ns()}",
                    "container": {"type": "message", "channel_id": channel, "message_ts": ts},
                    "channel": {"id": channel},
                    "actions": [{"action_id": action_id, "value": value, "action_ts": action_ts or str(time.monotonic())}]})


def outbox(world) -> list:
    d = world.cp.settings.outbox_dir
    return sorted(p for p in d.rglob("*") if p.is_file()) if d.exists() else []


def test_edit_in_a_modal_then_execute_once(world) -> None:
    action = propose_email(world)
    assert world.bolt.runtime.deliver_cards(world.bolt.client, [action.to_ref()]) == 1
    assert world.bolt.runtime.deliver_cards(world.bolt.client, [action.to_ref()]) == 0  # one card per action
    assert world.fake.of("conversations.open")[0]["users"] == "UANN"
    card = card_of(world, action.id)
    assert card["channel"] == "DANN"
    buttons = next(b for b in card["blocks"] if b.get("block_id") == f"decide:{action.id}")["elements"]
    assert buttons[0]["value"] == f"{action.id}|{action.payload_hash}"
    assert "dana@acmerobotics.com" in json.dumps(card["blocks"]) and "Why:" in json.dumps(card["blocks"])

    press(world, "UANN", "action_edit", buttons[1]["value"], ts="900.1")
    view = world.fake.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == "copilot_edit"
    ids = [b["block_id"] for b in view["blocks"]]
    assert ids == ["to", "cc", "subject", "body"]
    values = {b["block_id"]: {"v": {"type": "plain_text_input", "value": b["element"].get("initial_value")}}
              for b in view["blocks"]}
    values["subject"]["v"]["value"] = "Revised proposal (with training)"
    submission = {"type": "view_submission", "user": {"id": "UANN"},
                  "view": {**view, "id": "V1", "hash": "h1", "state": {"values": values}}}
    r = world.interact(submission)
    assert r.status_code == 200
    update = world.fake.wait_for("chat.update")[0]
    assert update["channel"] == "DANN" and update["ts"] == "900.1"
    assert "*Edited* by Ann Lee" in json.dumps(update["blocks"]) and "executed" in json.dumps(update["blocks"])
    world.interact(submission)  # a replayed submission
    time.sleep(0.8)
    assert len(world.fake.of("chat.update")) == 1
    mails = outbox(world)
    assert len(mails) == 1 and "Revised proposal (with training)" in mails[0].read_text()
    done = world.cp.services.actions.get(action.id, world.cp.principal("r-ann"))
    assert done.state.value == "executed" and done.decision.value == "edited" and done.decided_by == "r-ann"


def test_invalid_edit_is_returned_to_the_modal(world) -> None:
    action = propose_email(world)
    from integrations.slack.modals import edit_modal

    view = edit_modal(action, channel="DANN", message_ts="1.1")
    values = {b["block_id"]: {"v": {"type": "plain_text_input", "value": b["element"].get("initial_value")}}
              for b in view["blocks"]}
    values["to"]["v"]["value"] = "not-an-address"
    r = world.interact({"type": "view_submission", "user": {"id": "UANN"},
                        "view": {**view, "id": "V2", "hash": "h2", "state": {"values": values}}})
    assert r.status_code == 200 and r.json()["response_action"] == "errors"
    assert "not an email address" in json.dumps(r.json()["errors"])
    assert world.cp.services.actions.get(action.id, world.cp.principal("r-ann")).state.value == "proposed"


def test_approve_executes_once_and_refuses_others(world, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="copilot.slack")
    action = propose_email(world)
    value = f"{action.id}|{action.payload_hash}"
    press(world, "UCARA", "action_approve", value, action_ts="1.1")  # another team's rep
    eph = world.fake.wait_for("chat.postEphemeral")[0]
    assert eph["user"] == "UCARA" and action.id in eph["text"]
    assert any("refused" in r.message and action.id in r.message for r in caplog.records)
    press(world, "USTRANGER", "action_approve", value, action_ts="1.2")  # unmapped
    assert "not mapped" in world.fake.wait_for("chat.postEphemeral", 2)[1]["text"]
    assert world.cp.services.actions.get(action.id, world.cp.principal("r-ann")).state.value == "proposed"

    press(world, "UANN", "action_approve", value, action_ts="2.1")
    press(world, "UANN", "action_approve", value, action_ts="2.1")  # the same press replayed
    update = world.fake.wait_for("chat.update")[0]
    assert "*Approved* by Ann Lee" in json.dumps(update["blocks"]) and "actions" not in [b["type"] for b in update["blocks"]]
    press(world, "UANN", "action_approve", value, action_ts="2.2")  # a second, later press
    assert "already decided" in world.fake.wait_for("chat.postMessage")[0]["text"]  # told in the DM
    assert len(world.fake.of("chat.update")) == 1 and len(outbox(world)) == 1

    other = propose_email(world, subject="Another")
    press(world, "UMARIA", "action_reject", f"{other.id}|{other.payload_hash}", action_ts="3.1")  # the manager may
    assert "*Rejected* by Maria East" in json.dumps(world.fake.wait_for("chat.update", 2)[1]["blocks"])
    assert len(outbox(world)) == 1


def test_app_home_and_commands(world) -> None:
    a1 = propose_email(world)
    world.cp.services.actions.reject(propose_email(world, "Old").id, world.cp.principal("r-ann"), reason="no")
    world.event({"type": "app_home_opened", "user": "UANN", "tab": "home", "channel": "DANN"}, "EvH1")
    view = world.fake.wait_for("views.publish")[0]
    assert view["user_id"] == "UANN"
    text = json.dumps(view["view"])
    assert a1.id in text and "Recent decisions" in text and "Rejected" in text.replace("rejected", "Rejected")
    assert "Your adoption" in text and "Your team" not in text
    world.event({"type": "app_home_opened", "user": "UMARIA", "tab": "home", "channel": "DM"}, "EvH2")
    assert "Your team's adoption" in json.dumps(world.fake.wait_for("views.publish", 2)[1]["view"])

    r = world.command("UANN", "help")
    assert r.status_code == 200 and "/copilot ask" in json.dumps(r.json())
    r = world.command("UANN", "actions")
    assert r.status_code == 200
    world.fake.wait_for("cmd")
    assert card_of(world, a1.id)["channel"] == "DANN"
    world.command("UANN", "ask what's going on with Acme Robotics?")
    answers = world.fake.wait_for("cmd", 2)
    assert "Acme Robotics" in answers[1]["text"] and answers[1]["blocks"][-1]["type"] == "actions"
    world.command("UNOBODY", "ask anything")
    assert "copilot slack map UNOBODY" in world.fake.wait_for("cmd", 3)[2]["text"]
    r = world.command("UANN", "frobnicate")
    assert "Unknown subcommand" in r.text
