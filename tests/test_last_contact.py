"""'When did I last talk to <person>': the latest email, meeting or recorded call with that contact the asker
may see; tasks and notes are our own records, not a conversation. Expected values from plain SQL."""

from __future__ import annotations

from sqlalchemy import func, select

from knowledge.crm.models import Account, Activity, Call, Contact


def test_last_touch_with_a_contact_is_the_newest_conversation(demo_copilot):
    cp = demo_copilot
    sam = cp.principal("u-sam-okafor")
    a = cp.ask(sam, "when did I last talk to Dana?")
    assert a.intent == "last_contact" and a.citations
    with cp.services.crm.session() as s:
        dana = s.scalar(select(Contact).where(Contact.name == "Dana Whitfield"))
        acts = [x.occurred_at for x in s.scalars(select(Activity).where(  # hers, or a meeting she attended
            Activity.account_id == dana.account_id, Activity.kind.in_(("email", "meeting", "call"))))
            if x.contact_id == dana.id or dana.email in str(x.attendees or "")]
        calls = [c.occurred_at for c in s.scalars(select(Call).where(Call.account_id == dana.account_id))
                 if "dana whitfield" in " ".join(map(str, c.attendees or [])).lower()]
    newest = max(acts + calls)
    assert f"on {newest:%Y-%m-%d}" in a.text.split("\n")[0]
    assert "task" not in a.text.split("\n")[0]


def test_a_contact_outside_the_scope_is_not_found(demo_copilot):
    cp = demo_copilot
    other = cp.ask(cp.principal("u-marcus-reed"), "when did I last talk to Dana Whitfield?")
    assert "no contact named" in other.text and "Brightwell" not in other.text


def test_an_account_name_is_the_accounts_last_touch_not_a_contact(demo_copilot):
    cp = demo_copilot
    a = cp.ask(cp.principal("u-marcus-reed"), "when did i last talk to kestrel")
    assert a.intent == "crm_query" and a.data["crm"]["query"]["metric"] == "last_touch"
    assert "couldn't apply 'talk'" not in a.text  # 'last talk to' is the last-touch metric's own words


def test_a_misspelled_account_is_the_account_not_an_unknown_contact(demo_copilot):
    cp = demo_copilot
    a = cp.ask(cp.principal("u-marcus-reed"), "when did i last talk to kestrl manufacturing")
    assert a.intent == "crm_query" and a.data["crm"]["query"]["metric"] == "last_touch"
    assert "Kestrel Manufacturing" in a.text and "no contact named" not in a.text
    with cp.services.crm.session() as s:
        newest = s.scalar(select(func.max(Activity.occurred_at)).join(Account, Activity.account_id == Account.id)
                          .where(Account.name == "Kestrel Manufacturing"))
    assert f"{newest:%Y-%m-%d}" in a.text.split("\n")[0]


def test_firmographics_are_read_for_an_own_account_only(demo_copilot):
    cp = demo_copilot
    with cp.services.crm.session() as s:
        from knowledge.crm.models import Account as A
        kestrel = s.scalar(select(A).where(A.name == "Kestrel Manufacturing"))
    a = cp.ask(cp.principal("u-marcus-reed"), "what industry is kestrel in")
    assert a.intent == "account_fact" and f"sector {kestrel.sector}" in a.text
    other = cp.ask(cp.principal("u-sam-okafor"), "what industry is kestrel in")  # not his account, no deals there
    assert other.intent != "account_fact" and not any(c.record == f"account:{kestrel.id}" for c in other.citations)
