"""The demo company: counts, determinism, named accounts, stories that match deals, learnable patterns."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from copilot.core.errors import UserError
from demo.build import _check_fresh, build_demo, generate
from demo.catalog import NAMED_ACCOUNTS
from demo.library import DOC_TYPES, LIBRARY_DIR, read_front_matter
from knowledge.crm.models import Account, Activity, Contact, Deal, ProductUsage, StageChange, Team, User

ANCHOR = date(2026, 11, 20)


def _all(cp, model):
    with cp.services.crm.session() as s:
        return list(s.scalars(select(model)))


def test_counts_meet_minimums(demo_copilot):
    summary = demo_copilot.demo_summary
    assert summary["teams"] == 2 and summary["accounts"] == 120
    assert 1000 <= summary["deals"]["total"] <= 1300
    assert 100 <= summary["deals"]["open"] <= 140
    assert summary["deals"]["won"] + summary["deals"]["lost"] >= 900
    assert sum(summary["activities"].values()) >= 3000
    assert set(summary["activities"]) == {"email", "meeting", "note", "task"}
    assert summary["usage_rows"] > 300 and summary["documents"] >= 30
    users = [u for u in _all(demo_copilot, User) if u.source == "demo"]
    roles = defaultdict(list)
    for u in users:
        roles[u.role].append(u)
        assert u.email.endswith("@skylarkdata.com")
    assert len(roles["rep"]) == 8 and len(roles["manager"]) == 2 and len(roles["exec"]) == 1
    assert len({u.name for u in users}) == len(users)
    teams = {t.id: t for t in _all(demo_copilot, Team)}
    assert {t.manager_id for t in teams.values()} == {u.id for u in roles["manager"]}
    assert sorted(sum(1 for r in roles["rep"] if r.team_id == t) for t in teams) == [4, 4]
    per_account = defaultdict(int)
    for c in _all(demo_copilot, Contact):
        per_account[c.account_id] += 1
    assert len(per_account) == 120 and min(per_account.values()) >= 2 and max(per_account.values()) <= 5


def test_deterministic_for_an_anchor():
    first, second = generate(ANCHOR), generate(ANCHOR)
    assert first["deals"] == second["deals"]
    assert first["activities"] == second["activities"]
    assert first["stage_changes"] == second["stage_changes"]
    moved = generate(ANCHOR + timedelta(days=10))
    assert max(d["close_date"] for d in moved["deals"] if d["closed_on"]) > max(
        d["close_date"] for d in first["deals"] if d["closed_on"])


def test_stored_deals_equal_generated_rows(demo_copilot):
    rows = {d["id"]: d for d in generate(ANCHOR)["deals"]}
    stored = _all(demo_copilot, Deal)
    assert len(stored) == len(rows)
    for d in stored:
        assert rows[d.id]["amount"] == d.amount and rows[d.id]["close_date"] == d.close_date
        assert rows[d.id]["stage"] == d.stage and rows[d.id]["owner_id"] == d.owner_id


@pytest.mark.parametrize("named", NAMED_ACCOUNTS, ids=lambda n: n.name)
def test_named_accounts_contacts_and_open_deals(demo_copilot, named):
    with demo_copilot.services.crm.session() as s:
        acc = s.scalars(select(Account).where(Account.name == named.name)).one()
        assert acc.sector == named.sector
        owner = s.get(User, acc.owner_id)
        assert owner.role == "rep" and acc.team_id == owner.team_id
        contact = s.scalars(select(Contact).where(Contact.account_id == acc.id,
                                                  Contact.name == named.contact.name)).one()
        assert (contact.title, contact.buying_role) == (named.contact.title, named.contact.role)
        assert contact.email.endswith("@" + acc.domain)
        deal = s.scalars(select(Deal).where(Deal.name == named.deal_name, Deal.closed_on.is_(None))).one()
        assert deal.account_id == acc.id and deal.stage == named.stage and deal.owner_id == acc.owner_id
        assert deal.competitor == named.competitor and deal.next_step and deal.forecast_category
        assert deal.close_date > ANCHOR
        touched = s.scalars(select(Activity.contact_id).where(Activity.deal_id == deal.id)).all()
        assert contact.id in touched


def test_alder_is_a_declining_customer(demo_copilot):
    with demo_copilot.services.crm.session() as s:
        acc = s.scalars(select(Account).where(Account.name == "Alder Financial")).one()
        usage = s.scalars(select(ProductUsage).where(ProductUsage.account_id == acc.id)
                          .order_by(ProductUsage.month)).all()
        won = s.scalars(select(Deal).where(Deal.account_id == acc.id, Deal.stage == "closed_won")).all()
    assert acc.is_customer and len(won) == 2
    assert usage[-1].health_score < 40 < usage[-7].health_score
    assert usage[-1].active_users < usage[-7].active_users


def _stories():
    for path in sorted(LIBRARY_DIR.glob("*.md")):
        meta, body = read_front_matter(path)
        if meta["type"] in ("win_story", "loss_story"):
            yield path.name, meta, body


def test_library_documents_are_typed_and_substantive():
    docs = sorted(LIBRARY_DIR.glob("*.md"))
    assert len(docs) >= 30
    types = defaultdict(int)
    for path in docs:
        meta, body = read_front_matter(path)
        assert meta["type"] in DOC_TYPES and meta["title"], path.name
        types[meta["type"]] += 1
        assert "## " in body and 150 <= len(body.split()) <= 600, path.name
    assert types["win_story"] >= 6 and types["loss_story"] >= 3 and types["battle_card"] == 3
    assert types["product_one_pager"] == 4 and types["objection_guide"] >= 6 and types["pricing_policy"] == 1


def test_stories_match_deals(demo_copilot):
    stories = list(_stories())
    assert len(stories) >= 9
    with demo_copilot.services.crm.session() as s:
        for name, meta, body in stories:
            acc = s.scalars(select(Account).where(Account.name == meta["account"])).one()
            deals = s.scalars(select(Deal).where(Deal.account_id == acc.id, Deal.deal_type == "new")).all()
            stage = "closed_won" if meta["type"] == "win_story" else "closed_lost"
            match = [d for d in deals if d.stage == stage and d.amount == meta["amount"]
                     and d.competitor == meta.get("competitor") and d.closed_on == ANCHOR - timedelta(
                         days=meta["closed_days_ago"])]
            assert len(match) == 1, name
            assert acc.owner_id == meta["owner"] and f"${meta['amount']:,}" in body, name
            assert s.get(User, acc.owner_id).name in body, name
            assert meta["champion"] in body and s.scalars(select(Contact).where(
                Contact.account_id == acc.id, Contact.name == meta["champion"])).one(), name


def test_stage_histories_are_ordered(demo_copilot):
    history = defaultdict(list)
    for h in sorted(_all(demo_copilot, StageChange), key=lambda h: h.id):
        history[h.deal_id].append(h)
    deals = _all(demo_copilot, Deal)
    pushes = regressions = 0
    for d in deals:
        rows = history[d.id]
        assert rows[0].from_stage is None and rows[0].changed_on == d.created_on
        assert [r.changed_on for r in rows] == sorted(r.changed_on for r in rows)
        for prev, row in zip(rows, rows[1:], strict=False):
            assert row.from_stage == prev.to_stage
            pushes += row.from_stage == row.to_stage
            regressions += row.to_stage not in ("closed_lost",) and _order(row.to_stage) < _order(row.from_stage)
        assert rows[-1].to_stage == d.stage
        assert rows[-1].close_date == d.close_date
        assert d.created_on >= ANCHOR - timedelta(days=1095)
        if d.closed_on:
            assert d.closed_on == d.close_date == rows[-1].changed_on
    assert pushes > 100 and regressions > 5


def _order(stage: str) -> int:
    return ["prospecting", "qualification", "discovery", "demo", "proposal", "negotiation", "closed_won",
            "closed_lost"].index(stage)


def test_activities_are_fresh_and_owned(demo_copilot):
    deals = {d.id: d for d in _all(demo_copilot, Deal)}
    acts = _all(demo_copilot, Activity)
    newest = max(a.occurred_at for a in acts)
    assert datetime.combine(ANCHOR, datetime.min.time()) - timedelta(days=1) <= newest < datetime.combine(
        ANCHOR, datetime.min.time())
    for a in acts:
        assert (a.owner_id, a.team_id) == (deals[a.deal_id].owner_id, deals[a.deal_id].team_id)
    threads = defaultdict(list)
    for a in acts:
        if a.kind == "email":
            threads[a.thread_id].append(a)
    assert all(1 <= len(t) <= 6 for t in threads.values())
    assert sum(len(t) >= 2 for t in threads.values()) > 0.8 * len(threads)
    assert any("$" in (a.body or "") for a in acts if a.kind == "email")


def test_win_rate_follows_engagement(demo_copilot):
    contacts = {c.id: c.buying_role for c in _all(demo_copilot, Contact)}
    engaged = defaultdict(set)
    for a in _all(demo_copilot, Activity):
        if a.contact_id:
            engaged[a.deal_id].add(a.contact_id)
    closed = [d for d in _all(demo_copilot, Deal) if d.closed_on]

    def rate(ds):
        return sum(d.stage == "closed_won" for d in ds) / max(1, len(ds))

    single = [d for d in closed if len(engaged[d.id]) == 1]
    multi = [d for d in closed if len(engaged[d.id]) >= 3]
    assert len(single) > 30 and len(multi) > 30
    assert rate(multi) > rate(single) + 0.1
    champ = [d for d in closed if any(contacts[c] == "champion" for c in engaged[d.id])]
    no_champ = [d for d in closed if d not in champ]
    assert rate(champ) > rate(no_champ)
    clear = [d for d in closed if d.competitor == "ClearSignal"]
    free = [d for d in closed if d.competitor is None]
    assert rate(free) > rate(clear)
    wins = {d.stage for d in closed}
    assert wins == {"closed_won", "closed_lost"} and 0.25 < rate(closed) < 0.5


def test_rebuild_with_another_anchor_is_refused_and_same_anchor_is_known(demo_copilot):
    with pytest.raises(UserError, match="fresh COPILOT_HOME"):
        build_demo(demo_copilot, today=ANCHOR + timedelta(days=1))
    assert _check_fresh(demo_copilot, ANCHOR)["deals"]["total"] == demo_copilot.demo_summary["deals"]["total"]


def test_refuses_a_crm_with_foreign_deals(copilot):
    with copilot.services.crm.session() as s:
        s.add(Account(id="sf:account:1", name="Acme", source="salesforce"))
        s.add(Deal(id="sf:deal:1", name="Acme - big", stage="proposal", account_id="sf:account:1",
                   source="salesforce"))
    with pytest.raises(UserError, match="fresh COPILOT_HOME"):
        build_demo(copilot, today=ANCHOR)
    assert copilot.services.crm.count(Deal) == 1 and copilot.services.crm.count(Account) == 1
