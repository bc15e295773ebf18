"""'Where should we spend our time', 'what's at risk', 'which team needs help' from an exec were refused (execs see no
deal lists) or went to the library; they now get open deals at risk per team, with exposure and why, from the same
flags the managers' deal lists use. 'How is the business doing' was a deal look-up; it is this quarter's figures."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from knowledge.crm.models import Deal
from tools.forecast.tools import AtRiskArgs, deals_at_risk

CLOSED = ("closed_won", "closed_lost")


def test_an_exec_gets_risk_per_team_and_never_a_deal(demo_copilot):
    cp = demo_copilot
    manager_views = {}
    for manager in ("u-maya-chen", "u-daniel-park"):  # each manager's own deal list is the truth for their team
        ctx = cp.services.tool_context(cp.principal(manager))
        risks = deals_at_risk(ctx, AtRiskArgs(limit=50))
        manager_views[cp.principal(manager).team_id] = (len(risks.deals), sum(d.get("amount") or 0 for d in risks.deals))
    with cp.services.crm.session() as s:
        deal_names = {d.name for d in s.scalars(select(Deal).where(Deal.stage.not_in(CLOSED)))}
    for question in ("where should we spend our time this week", "what's at risk this quarter?", "which team needs help?"):
        a = cp.ask(cp.principal("u-rachel-adeyemi"), question)
        assert a.intent == "at_risk", question
        assert not any(n in a.text for n in deal_names), question  # aggregates only
        for team, (n, exposure) in manager_views.items():
            label = "East" if team.endswith("east") else "West"
            assert f"**{label}**: {n} of" in a.text and f"${exposure:,.0f} exposure" in a.text, question


def test_a_manager_asking_which_rep_needs_help_gets_risk_per_rep(demo_copilot):
    cp = demo_copilot
    ctx = cp.services.tool_context(cp.principal("u-maya-chen"))
    per_rep: dict[str, int] = {}
    for d in deals_at_risk(ctx, AtRiskArgs(limit=50)).deals:
        per_rep[d["owner"]] = per_rep.get(d["owner"], 0) + 1
    for question in ("which of my reps needs help", "who on my team is struggling"):
        a = cp.ask(cp.principal("u-maya-chen"), question)
        assert a.intent == "at_risk", question
        for rep, n in per_rep.items():
            assert f"**{rep}**: {n} of" in a.text, question


def test_how_is_the_business_doing_is_this_quarter(demo_copilot):
    cp = demo_copilot
    today = cp.services.tool_context(cp.principal("u-rachel-adeyemi")).today
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = start + relativedelta(months=3) - timedelta(days=1)
    with cp.services.crm.session() as s:
        won = sum(d.amount or 0 for d in s.scalars(select(Deal).where(Deal.stage == "closed_won"))
                  if d.closed_on and start <= d.closed_on <= end)
    a = cp.ask(cp.principal("u-rachel-adeyemi"), "how is the business doing")
    assert a.intent == "crm_query" and a.data["crm"]["value"] == won
    assert "this quarter, since no period was given" in a.text and "win rate" in a.text
