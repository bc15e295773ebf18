"""Requests to act become ledger proposals (never executed); call questions quote transcripts with times."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import make_settings
from sqlalchemy import select

from copilot.app import Copilot
from demo.build import build_demo
from knowledge.crm.models import Deal


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo company of this module's own: these tests add proposals to its ledger."""
    cp = Copilot(make_settings(tmp_path_factory.mktemp("requests") / "home", embeddings="hash"))
    build_demo(cp, today=date(2026, 11, 20))
    yield cp
    cp.close()


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


def test_draft_a_note_to_a_contact_proposes_an_email(demo):
    cp = demo
    a = ask(cp, "u-sam-okafor", "Draft a note to Dana about the security review package")
    assert a.intent == "request" and len(a.actions) == 1
    act = cp.services.actions.get(a.actions[0].id, cp.principal("u-sam-okafor"))
    assert act.kind == "send_email" and act.state.value == "proposed"
    assert act.payload["to"] == ["dana.whitfield@brightwellhealth.com"]
    assert "security review package" in act.payload["body"]
    assert "waiting for your approval" in a.text


def test_the_subject_speaks_to_the_recipient(demo):
    cp = demo
    a = ask(cp, "u-sam-okafor", "Draft an email to Dana Whitfield about the agenda for the demo with her data team")
    act = cp.services.actions.get(a.actions[0].id, cp.principal("u-sam-okafor"))
    assert act.payload["subject"] == "The agenda for the demo with your data team"


def test_task_meeting_and_deal_update_are_proposals(demo):
    cp = demo
    t = ask(cp, "u-sam-okafor", "remind me to send the SOC 2 report to Brightwell on 2026-12-04")
    task = cp.services.actions.get(t.actions[0].id, cp.principal("u-sam-okafor"))
    assert task.kind == "create_task" and task.payload["due_on"] == "2026-12-04"
    assert task.payload["title"] == "send the SOC 2 report to Brightwell"
    m = ask(cp, "u-sam-okafor", "schedule a call with Dana on 2026-12-02 at 3pm")
    meeting = cp.services.actions.get(m.actions[0].id, cp.principal("u-sam-okafor"))
    assert meeting.kind == "schedule_meeting" and meeting.payload["start"].startswith("2026-12-02T15:00")
    u = ask(cp, "u-sam-okafor", "move the Brightwell deal to proposal")
    update = cp.services.actions.get(u.actions[0].id, cp.principal("u-sam-okafor"))
    assert update.kind == "update_deal" and update.payload["fields"] == {"stage": "proposal"}
    with cp.services.crm.session() as s:  # nothing executed
        assert s.scalar(select(Deal.stage).where(Deal.id == update.payload["deal_id"])) == "discovery"


def test_request_naming_nobody_gets_one_clarifying_question(demo):
    a = ask(demo, "u-sam-okafor", "draft an email about pricing")
    assert a.actions == [] and a.text.startswith("Who should this go to?")


def test_request_for_another_teams_contact_proposes_nothing(demo):
    a = ask(demo, "u-sam-okafor", "email Marco Ruiz about the discount")  # Kestrel is West's
    assert a.actions == [] and "marco" not in a.text.lower().split("who should")[0]


def test_call_question_quotes_the_customer_with_a_timestamp(demo):
    a = ask(demo, "u-sam-okafor", "what did Dana say about security on the call?")
    assert a.intent == "call_quotes"
    assert "HIPAA security review" in a.text and "00:24" in a.text
    assert a.citations[0].kind == "call" and a.citations[0].timestamp == 24.0 or a.citations[0].timestamp > 20
    assert "Sam Okafor" not in a.text.split("\n")[1]  # Dana's words, not the rep's


def test_call_question_stays_in_scope(demo):
    a = ask(demo, "u-sam-okafor", "what did Marco say about the discount on the call?")
    assert "fifteen percent" not in a.text
