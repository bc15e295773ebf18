"""Snapshots of the Block Kit payloads people see (tests/snapshots/slack_*.json; written on the first run,
then compared; delete a file to accept a deliberate change)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.actions.schemas import Action, payload_hash
from copilot.core.domain import ActionRef, Answer, Citation, Freshness
from integrations.slack import blocks as bk
from integrations.slack.modals import edit_modal, parse_edit

SNAPSHOTS = Path(__file__).parent / "snapshots"


def snapshot(name: str, value: object) -> None:
    path = SNAPSHOTS / f"slack_{name}.json"
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{path.name} changed; delete it to accept the new payload"


def answer() -> Answer:
    return Answer(
        text="**Brightwell Health** is in discovery; the open risk is the HIPAA security review [1][2].",
        citations=[
            Citation(source_id="crm:deal:D-7", title="Brightwell Health - Observe", kind="crm", record="deal:D-7",
                     field="stage"),
            Citation(source_id="call:c-1", title="Brightwell discovery call", kind="call", timestamp=754.0),
            Citation(source_id="copilot/demo/library/faq-security.md", title="Security FAQ", kind="document",
                     section="HIPAA"),
        ],
        actions=[ActionRef(id="A-1", kind="create_task", summary="Task due 2026-11-24: Send the HIPAA package")],
        confidence=0.82, mode="offline",
        freshness=Freshness(newest=datetime(2026, 11, 20, 9, 0), age_hours=5.0),
        notes=["Answered by the offline engine."])


def action(**update: object) -> Action:
    payload = {"to": ["dana.whitfield@brightwellhealth.com"], "cc": [], "subject": "Next steps after our call",
               "body": "Hi Dana,\n\nThanks for your time today.\n\nBest,\nAnn"}
    base = dict(id="A-abc123", kind="send_email", payload=payload, payload_hash=payload_hash(payload),
                proposed_payload=payload, rationale="recap of the agreed next steps after the call",
                citations=[Citation(source_id="call:c-1", title="Brightwell discovery call", kind="call", timestamp=61.0)],
                confidence=0.64, tool_confidence=0.6, tool="calls.followup", owner_id="r-ann", state="proposed",
                created_at=datetime(2026, 11, 20, 10, 0), expires_at=datetime(2026, 12, 4, 10, 0))
    base.update(update)
    return Action.model_validate(base)


def test_answer_blocks_snapshot() -> None:
    blocks = bk.answer_blocks(answer(), "ans-0001")
    snapshot("answer", blocks)
    sources = blocks[1]["elements"][0]["text"]
    assert "1. :card_index: Brightwell Health - Observe [deal:D-7.stage]" in sources
    assert "2. :telephone_receiver: Brightwell discovery call @ 12:34" in sources
    assert "3. :page_facing_up: Security FAQ > HIPAA" in sources


def test_approval_card_snapshots() -> None:
    snapshot("card_proposed", bk.approval_card(action()))
    decided = action(state="executed", decision="approved", decided_by="r-ann", decided_at=datetime(2026, 11, 20, 11))
    snapshot("card_decided", bk.approval_card(decided, decided_by="Ann Lee"))
    snapshot("edit_modal", edit_modal(action(), channel="DANN", message_ts="900.1"))


def test_edit_modal_round_trip_for_a_deal_update() -> None:
    payload = {"deal_id": "D-7", "fields": {"stage": "demo", "next_step": "Technical demo"}}
    a = action(kind="update_deal", payload=payload, payload_hash=payload_hash(payload), proposed_payload=payload)
    view = edit_modal(a, channel=None, message_ts=None)
    values = {b["block_id"]: {"v": {"value": b["element"].get("initial_value")}} for b in view["blocks"]
              if b["type"] == "input"}
    values["fields.amount"]["v"]["value"] = "$45,000"
    assert parse_edit(a, values) == {"deal_id": "D-7", "fields": {"stage": "demo", "next_step": "Technical demo",
                                                                   "amount": 45000.0}}


def test_home_and_call_summary_snapshots() -> None:
    stats = {"proposed": 4, "decided": 3, "approved": 2, "edited": 0, "rejected": 1, "executed": 2,
             "adoption_rate": 0.6667, "median_decision_seconds": 600.0}
    decided = action(id="A-old", state="rejected", decision="rejected", decided_by="r-ann",
                     decided_at=datetime(2026, 11, 19, 9))
    snapshot("home_manager", bk.home_view("Maria East", [action()], [decided], stats, stats))
    snapshot("home_unmapped", bk.home_view(None, [], [], None, None, slack_user="U999"))
    summary = {"titles": {"objections": "Objections", "next_steps": "Next steps"},
               "sections": {"objections": [{"text": "Security review (HIPAA) before signing", "citations": [
                   {"source_id": "call:c-1", "title": "call", "kind": "call", "timestamp": 75.0}]}],
                            "next_steps": []}}
    snapshot("call_summary", bk.call_summary_blocks("Brightwell discovery call", summary, [
        ActionRef(id="A-1", kind="send_email", summary="Email to dana@x.com: Next steps")]))


def test_cli_map_sets_the_slack_id(copilot) -> None:
    from crm_seed import seed_small_crm

    from integrations.cli import common
    from integrations.cli.main import app
    from knowledge.crm.models import User

    seed_small_crm(copilot.services.crm)
    common.set_copilot(copilot)
    try:
        runner = CliRunner()
        r = runner.invoke(app, ["slack", "map", "U0BOB", "bob@skylarkdata.com", "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout) == {"slack_id": "U0BOB", "user_id": "r-bob", "name": "Bob Stone"}
        r = runner.invoke(app, ["slack", "map", "U0BOB", "Ann Lee"])  # moves the id to Ann
        assert r.exit_code == 0
        with copilot.services.crm.session() as s:
            assert s.get(User, "r-ann").slack_id == "U0BOB" and s.get(User, "r-bob").slack_id is None
        r = runner.invoke(app, ["slack", "map", "U0X", "Nobody Known"])
        assert r.exit_code == 1 and "no user" in r.output
        r = runner.invoke(app, ["slack", "--socket"])
        assert r.exit_code == 1 and "COPILOT_SLACK_APP_TOKEN" in r.output
    finally:
        common.set_copilot(None)


@pytest.mark.parametrize("scope_pair,expected", [(("m-east", "r-ann"), True), (("r-bob", "r-ann"), False),
                                                 (("r-cara", "r-ann"), False), (("admin", "m-east"), True),
                                                 (("m-east", "admin"), False)])
def test_covers(copilot, scope_pair, expected) -> None:
    from crm_seed import seed_small_crm

    from copilot.chat_people import covers

    seed_small_crm(copilot.services.crm)
    viewer, asker = (copilot.scope(copilot.principal(u)) for u in scope_pair)
    assert covers(viewer, asker) is expected
