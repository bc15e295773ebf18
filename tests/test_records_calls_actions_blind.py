"""Record, call and action questions from a blind set on the demo company (36 questions; a helper wrote them with
gold from its own SQL; first run 26 of 36, the 8 scope probes all held). Each failed before: a follow-up email to a
named contact went to the call follow-up drafter and asked which account; 'log a call with X: ...' was declined;
'set up a meeting ... re the proposal' asked which deal to update; 'what objections came up on the call' and
'what did they say about pricing' found nothing (the words on the call are 'HIPAA', 'cheaper', 'discount');
'on sam's call' read Sam as the speaker; 'the demo follow up call' was a follow-up draft; a contact's email was
a deal card; a meeting with the contact among its attendees was not their last touch."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import make_settings
from sqlalchemy import select

from copilot.app import Copilot
from demo.build import build_demo
from knowledge.crm.models import Activity, Contact


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo company of this module's own: these tests add proposals and approve one."""
    cp = Copilot(make_settings(tmp_path_factory.mktemp("rec") / "home", embeddings="hash", today="2026-11-20"))
    build_demo(cp, today=date(2026, 11, 20))
    yield cp
    cp.close()


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


def _contact(cp, name):
    with cp.services.crm.session() as s:
        return s.scalar(select(Contact).where(Contact.name == name))


def test_a_follow_up_email_to_a_named_contact_is_a_proposal(demo):
    a = ask(demo, "u-sam-okafor", "draft a follow-up email to imani brooks about the renewal proposal")
    act = demo.services.actions.get(a.actions[0].id, demo.principal("u-sam-okafor"))
    assert a.intent == "request" and act.kind == "send_email" and act.payload["to"] == [_contact(demo, "Imani Brooks").email]


def test_log_a_call_is_proposed_then_written_on_approval(demo):
    rep = demo.principal("u-aisha-rahman")
    a = ask(demo, "u-aisha-rahman", "log a call with pembrook studios: spoke w carlos, legal ok with MSA, want net 45 and "
                                    "signature by dec 15")
    act = demo.services.actions.get(a.actions[0].id, rep)
    assert a.intent == "request" and act.kind == "log_activity" and act.state.value == "proposed"
    assert act.payload["kind"] == "call" and act.payload["occurred_on"] == "2026-11-20"  # not dec 15, a date in the notes
    assert "legal ok with MSA" in act.payload["body"]
    with demo.services.crm.session() as s:
        assert s.get(Activity, f"log:{act.id}") is None  # nothing written before approval
    done = demo.services.actions.approve(act.id, rep, shown_hash=act.payload_hash)
    assert done.state.value == "executed"
    with demo.services.crm.session() as s:
        row = s.get(Activity, f"log:{act.id}")
        assert row.kind == "call" and row.account_id == act.payload["account_id"] and row.owner_id == "u-aisha-rahman"


def test_a_meeting_about_a_proposal_is_a_meeting_not_a_deal_update(demo):
    a = ask(demo, "u-daniel-park", "set up a meeting w oscar tanaka next tues re the pipelines proposal")
    act = demo.services.actions.get(a.actions[0].id, demo.principal("u-daniel-park"))
    assert act.kind == "schedule_meeting" and act.payload["start"].startswith("2026-11-24")
    assert _contact(demo, "Oscar Tanaka").email in act.payload["attendees"]


@pytest.mark.parametrize(("who", "question", "said"), [
    ("u-sam-okafor", "what objections came up on the last call with brightwell?", ["HIPAA", "Vantage IQ"]),
    ("u-marcus-reed", "what did kestrel say about pricing on the call", ["discount", "OpsHawk"]),
    ("u-maya-chen", "what did brightwell say about pricing on sam's call", ["cheaper"]),
    ("u-nora-lindqvist", "what objections did nimbus raise on the demo follow up call?", ["integration"]),
])
def test_topic_words_find_what_was_said_on_the_call(demo, who, question, said):
    a = ask(demo, who, question)
    assert a.intent == "call_quotes" and all(w.lower() in a.text.lower() for w in said), a.text
    assert any(c.kind == "call" and c.timestamp is not None for c in a.citations)


def test_a_contacts_email_within_scope_only(demo):
    beatriz = _contact(demo, "Beatriz Delaney")
    a = ask(demo, "u-daniel-park", "whats beatriz delaney's email? the cobalt shipping one")
    assert a.intent == "contact_card" and beatriz.email in a.text
    b = ask(demo, "u-sam-okafor", "whats beatriz delaney's email?")  # another team's contact
    assert beatriz.email not in b.text and "Cobalt" not in b.text
    c = ask(demo, "u-rachel-adeyemi", "whats beatriz delaney's email?")  # execs see aggregates only
    assert beatriz.email not in c.text


def test_a_meeting_they_attended_is_their_last_touch(demo):
    omar = _contact(demo, "Omar Castillo")
    with demo.services.crm.session() as s:
        rows = [x for x in s.scalars(select(Activity).where(Activity.account_id == omar.account_id,
                                                            Activity.kind.in_(("email", "meeting", "call"))))
                if x.contact_id == omar.id or omar.email in str(x.attendees or "")]
    newest = max(x.occurred_at for x in rows)
    a = ask(demo, "u-daniel-park", "when did we last talk to omar castillo at linden industries?")
    assert a.intent == "last_contact" and f"{newest:%Y-%m-%d}" in a.text.split("\n")[0]
