"""The customers' facts on the demo company, from a second blind set (45 questions by role, gold from the
helper's own SQL; first run 38 of 45): 'pipe by region' where accounts carry regions (EMEA, US West), 'everything
but healthcare' and 'outside EMEA' as exclusions, 'by tier (ent / mid-market / commercial)' listing the groups,
'QoQ: this quarter vs last', and an exec's total that is honestly zero. Expected values come from plain SQL."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from knowledge.crm.models import Account, Deal, User

CLOSED = ("closed_won", "closed_lost")


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


def _deals(cp):
    with cp.services.crm.session() as s:
        accounts = {a.id: a for a in s.scalars(select(Account))}
        team = {u.id: u.team_id for u in s.scalars(select(User))}
        return [(d, accounts.get(d.account_id or ""), team.get(d.owner_id or "")) for d in s.scalars(select(Deal))]


def test_pipe_by_region_groups_by_the_accounts_region(demo_copilot):
    want: dict[str, float] = defaultdict(float)
    for d, acc, _ in _deals(demo_copilot):
        if d.stage not in CLOSED and acc is not None:
            want[acc.region] += d.amount or 0
    a = ask(demo_copilot, "u-rachel-adeyemi", "open pipe by region")
    assert a.data["crm"]["query"]["group_by"] == "region"
    assert {g["group"]: g["value"] for g in a.data["crm"]["rows"]} == pytest.approx(dict(want))
    b = ask(demo_copilot, "u-rachel-adeyemi", "open pipe by team")  # the sales org's own grouping stays
    assert b.data["crm"]["query"]["group_by"] == "team"


def test_exclusions_of_an_industry_and_a_region(demo_copilot):
    west = sum(d.amount or 0 for d, acc, t in _deals(demo_copilot)
               if t == "demo:team:west" and d.stage not in CLOSED and acc is not None and acc.sector != "healthcare")
    a = ask(demo_copilot, "u-daniel-park", "whats our open pipeline for everthing but healthcare")
    assert a.data["crm"]["value"] == pytest.approx(west) and "excluding industry healthcare" in a.text
    everyone = sum(d.amount or 0 for d, acc, _ in _deals(demo_copilot)
                   if d.stage not in CLOSED and acc is not None and acc.region != "EMEA")
    b = ask(demo_copilot, "u-rachel-adeyemi", "how much open pipeline do we have outside EMEA")
    assert b.intent == "crm_query" and b.data["crm"]["value"] == pytest.approx(everyone)


def test_groups_listed_after_by_are_not_a_filter(demo_copilot):
    today = demo_copilot.settings.current_date()
    want: dict[str, float] = defaultdict(float)
    for d, acc, t in _deals(demo_copilot):
        if t == "demo:team:west" and d.stage == "closed_won" and d.closed_on and d.closed_on.year == today.year:
            want[acc.tier] += d.amount or 0
    a = ask(demo_copilot, "u-daniel-park", "won revenue by tier this year (ent / mid-market / commercial)")
    assert {g["group"]: g["value"] for g in a.data["crm"]["rows"]} == pytest.approx(dict(want)) and len(want) == 3


def test_quarter_over_quarter_this_quarter_vs_last(demo_copilot):
    today = demo_copilot.settings.current_date()
    q = (today.month - 1) // 3
    this_q, last_q = (today.year, q + 1), (today.year, q) if q else (today.year - 1, 4)
    want: dict[str, float] = defaultdict(float)
    for d, _, _ in _deals(demo_copilot):
        if d.stage == "closed_won" and d.closed_on:
            key = (d.closed_on.year, (d.closed_on.month - 1) // 3 + 1)
            if key in (this_q, last_q):
                want[f"{key[0]} Q{key[1]}"] += d.amount or 0
    a = ask(demo_copilot, "u-rachel-adeyemi", "won rev QoQ - this quarter vs last")
    assert {g["group"]: g["value"] for g in a.data["crm"]["rows"]} == pytest.approx(dict(want)) and len(want) == 2


def test_an_execs_total_that_is_zero_is_said_not_refused(demo_copilot):
    a = ask(demo_copilot, "u-rachel-adeyemi", "how much have we won from insurance accounts in 2019")
    assert a.data["crm"]["value"] == 0 and "I can't show that" not in a.text
    year = demo_copilot.settings.current_date().year
    won: dict[str, int] = defaultdict(int)
    for d, acc, _ in _deals(demo_copilot):
        if d.stage == "closed_won" and d.closed_on and d.closed_on.year == year and acc is not None:
            won[acc.name] += 1
    few = next(name for name, k in sorted(won.items()) if 0 < k < 3)  # one or two deals: still individual figures
    b = ask(demo_copilot, "u-rachel-adeyemi", f"how much did we win from {few} this year")
    assert "I can't show that" in b.text and "fewer than 3 records" in b.text


def test_chinese_each_group_is_a_grouping(demo_copilot):
    n: dict[str, int] = defaultdict(int)
    for d, _, t in _deals(demo_copilot):
        if t == "demo:team:west" and d.stage not in CLOSED:
            n[d.stage] += 1
    a = ask(demo_copilot, "u-daniel-park", "每个阶段进行中商机的数量")
    assert {g["group"]: g["value"] for g in a.data["crm"]["rows"]} == dict(n)
