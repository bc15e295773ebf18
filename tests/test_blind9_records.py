"""Record look-ups blind batch 9 found missing on the demo company (36 questions written without the engine, gold
from the helper's own SQL; first run 28 of 36, the 8 scope probes all held). Each failed before its fix; expected
values are read from the records here, not from the engine."""

from __future__ import annotations

from sqlalchemy import select

from knowledge.crm.models import Account, Activity, Contact, Deal, StageChange, User

CLOSED = ("closed_won", "closed_lost")


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


def _open_deals(cp, account):
    with cp.services.crm.session() as s:
        acc = s.scalar(select(Account).where(Account.name == account))
        return [d for d in s.scalars(select(Deal).where(Deal.account_id == acc.id)) if d.stage not in CLOSED]


def test_a_pushed_deal_shows_its_first_close_date(demo_copilot):
    """'did the pinecrest power renewal slip? what was the close date originally vs now': the line said 'pushed 1x'
    but not from when, and 'originally' was reported as not applied."""
    cp = demo_copilot
    (deal,) = [d for d in _open_deals(cp, "Pinecrest Power") if d.deal_type == "renewal"]
    with cp.services.crm.session() as s:
        history = [c.close_date for c in s.scalars(select(StageChange).where(StageChange.deal_id == deal.id)
                                                   .order_by(StageChange.changed_on, StageChange.id)) if c.close_date]
    assert history and history[0] != deal.close_date
    a = ask(cp, "u-daniel-park", "did the pinecrest power renewal slip? what was the close date originally vs now")
    assert f"(first {history[0].isoformat()})" in a.text and str(deal.close_date) in a.text
    assert "couldn't apply" not in a.text


def test_a_deal_line_names_its_competitor(demo_copilot):
    cp = demo_copilot
    (deal,) = _open_deals(cp, "Pembrook Studios")
    assert deal.competitor
    a = ask(cp, "u-aisha-rahman", "who are we up against on the pembrook studios deal?")
    assert f"competitor {deal.competitor}" in a.text
    assert any(deal.competitor in (c.snippet or "") for c in a.citations)


def test_who_owns_an_account_names_its_owner(demo_copilot):
    """It gave the account's champion and other contacts."""
    cp = demo_copilot
    with cp.services.crm.session() as s:
        acc = s.scalar(select(Account).where(Account.name == "Halcyon Markets"))
        owner = s.get(User, acc.owner_id).name
    a = ask(cp, "u-maya-chen", "who owns halcyon markets?")
    assert a.intent == "crm_query" and f"owner {owner}" in a.text
    assert a.data["crm"]["query"]["object"] == "accounts"
    # the budget holder is still a contact, and a ranking is still a ranking
    eb = ask(cp, "u-maya-chen", "who owns the budget at halcyon markets?")
    assert eb.data["crm"]["query"]["filters"]["buying_role"] == "economic_buyer"
    most = ask(cp, "u-maya-chen", "who owns the most open deals")
    assert most.data["crm"]["query"]["group_by"] == "rep"


def test_list_them_with_stage_and_amount_lists_them(demo_copilot):
    """'list them w/ stage + amount' gave the sum of the amounts."""
    cp = demo_copilot
    deals = [d for d in _open_deals(cp, "Granite Media") if d.deal_type == "expansion"]
    assert len(deals) == 3
    a = ask(cp, "u-maya-chen", "granite media has like 3 pipelines expansion deals open?? list them w/ stage + amount")
    assert a.data["crm"]["query"]["metric"] == "list"
    for d in deals:
        assert f"{d.stage}, ${d.amount:,.0f}" in a.text


def test_what_stage_is_a_named_deal_in_is_its_line(demo_copilot):
    """'what stage is the bayview assurance govern expansion in and hows big is it' ranked stages by count."""
    cp = demo_copilot
    (deal,) = [d for d in _open_deals(cp, "Bayview Assurance") if d.deal_type == "expansion" and "Govern" in d.name]
    a = ask(cp, "u-tom-keller", "what stage is the bayview assurance govern expansion in and hows big is it")
    q = a.data["crm"]["query"]
    assert q["metric"] == "list" and q["group_by"] is None
    assert f"{deal.stage}, ${deal.amount:,.0f}" in a.text and "couldn't apply" not in a.text
    # a ranking of stages is still one
    by_stage = ask(cp, "u-tom-keller", "which stage has the most open deals")
    assert by_stage.data["crm"]["query"]["group_by"] == "stage"


def test_when_does_it_close_and_what_do_i_do_next_is_the_deal(demo_copilot):
    """'what do i need to do' read as a process question and went to the library."""
    cp = demo_copilot
    (deal,) = [d for d in _open_deals(cp, "Glenhaven Power") if d.deal_type == "renewal"]
    a = ask(cp, "u-aisha-rahman", "glenhaven power renewal - when does it close and what do i need to do next?")
    assert a.intent == "crm_query" and str(deal.close_date) in a.text and deal.next_step in a.text
    assert "couldn't apply" not in a.text
    policy = ask(cp, "u-aisha-rahman", "what do i need to do to get a discount approved?")
    assert policy.intent not in ("crm_query", "deal")


def test_chinese_technical_buyer_is_not_the_economic_buyer(demo_copilot):
    """'技术决策人' was read as '决策人' (the economic buyer), and '是哪位' as a ranking of reps."""
    cp = demo_copilot
    with cp.services.crm.session() as s:
        acc = s.scalar(select(Account).where(Account.name == "Brookfield Labs"))
        (tb,) = [c.name for c in s.scalars(select(Contact).where(Contact.account_id == acc.id))
                 if c.buying_role == "technical_buyer"]
    a = ask(cp, "u-nora-lindqvist", "Brookfield Labs 的技术决策人（technical buyer）是哪位？")
    q = a.data["crm"]["query"]
    assert q["object"] == "contacts" and q["filters"]["buying_role"] == "technical_buyer" and q["group_by"] is None
    assert tb in a.text
    b = ask(cp, "u-sam-okafor", "Keystone Industries 那边的 champion 是谁？")
    assert "没能" not in b.text and b.data["crm"]["query"]["filters"]["buying_role"] == "champion"


def test_no_recording_quotes_the_logged_meeting_notes(demo_copilot):
    """'what came up on my last call w/ stonegate medical? any objections?': no recorded call, so 'nothing found',
    while the logged meeting's notes hold the objections."""
    cp = demo_copilot
    with cp.services.crm.session() as s:
        acc = s.scalar(select(Account).where(Account.name == "Stonegate Medical"))
        last = s.scalars(select(Activity).where(Activity.account_id == acc.id, Activity.kind == "meeting")
                         .order_by(Activity.occurred_at.desc())).first()
    objection = next(line for line in last.body.splitlines() if line.startswith("Objections:"))
    a = ask(cp, "u-lucia-romero", "what came up on my last call w/ stonegate medical? any objections?")
    assert a.intent == "call_quotes" and objection in a.text
    assert f"crm:activity:{last.id}" in {c.source_id for c in a.citations}
    # the exec may not read records: the same question is declined, nothing quoted
    e = ask(cp, "u-rachel-adeyemi", "what came up on the last call w/ stonegate medical? any objections?")
    assert objection not in e.text


def test_chinese_send_me_the_email_is_a_contact_question(demo_copilot):
    """'把 … champion 的邮箱发我一下' left '邮箱发' unread and went to a playbook passage; now the champion, refused in
    Chinese to the exec, shown to the manager whose team holds the account."""
    cp = demo_copilot
    with cp.services.crm.session() as s:
        acc = s.scalar(select(Account).where(Account.name == "Summit Networks"))
        (champ,) = [c for c in s.scalars(select(Contact).where(Contact.account_id == acc.id)) if c.buying_role == "champion"]
    q = "把 Summit Networks 那边 champion 的邮箱发我一下"
    e = ask(cp, "u-rachel-adeyemi", q)
    assert champ.email not in e.text and champ.name not in e.text and "只能查看汇总数据" in e.text
    m = ask(cp, "u-daniel-park", q)
    assert champ.email in m.text and m.text.startswith("Summit Networks 的内部支持者")
