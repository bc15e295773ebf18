"""Offline answers that go through the capability tools, checked against numbers computed here."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from copilot.app import Copilot
from knowledge.crm.models import Deal, User


def ask(cp: Copilot, who: str, q: str):
    return cp.ask(cp.principal(who), q)


def test_exec_pipeline_question_matches_independent_sums(demo_copilot):
    cp = demo_copilot
    a = ask(cp, "u-rachel-adeyemi", "What was our won revenue by team in 2026?")
    assert a.intent == "crm_query" and a.mode == "offline"
    totals: dict[str, float] = defaultdict(float)
    with cp.services.crm.session() as s:
        teams = {u.id: u.team_id for u in s.scalars(select(User))}
        for d in s.scalars(select(Deal).where(Deal.stage == "closed_won")):
            if d.closed_on and d.closed_on.year == 2026:
                totals[teams[d.owner_id]] += d.amount or 0
    for team_id, amount in totals.items():
        label = "East" if team_id.endswith("east") else "West"
        assert f"{label}: ${amount:,.0f}" in a.text
    assert "Dana" not in a.text  # aggregates only


def test_manager_forecast_and_risk_stay_in_team(demo_copilot):
    cp = demo_copilot
    f = ask(cp, "u-maya-chen", "What will my team close this quarter?")
    assert f.intent == "forecast"
    assert "Forecast for team East" in f.text and "P10" in f.text and "baseline" in f.text.lower()
    r = ask(cp, "u-maya-chen", "Which deals are at risk?")
    assert r.intent == "at_risk"
    with cp.services.crm.session() as s:
        west = {d.name for d in s.scalars(select(Deal).where(Deal.team_id.like("%west%")))}
    assert not any(name in r.text for name in west)
    assert all(c.record and c.record.startswith("deal:") for c in r.citations)


def test_call_summary_and_followup_from_demo_call(demo_copilot):
    cp = demo_copilot
    owner = cp.principal("Marcus Reed")
    s = cp.ask(owner, "Summarize my last call with Kestrel Manufacturing")
    assert s.intent == "call_summary"
    assert "discount" in s.text.lower()
    assert any(c.kind == "call" and c.timestamp is not None for c in s.citations)
    other = cp.ask(cp.principal("Sam Okafor"), "Summarize my last call with Kestrel Manufacturing")
    assert "discount" not in other.text.lower()  # another rep's call stays hidden


def test_how_is_the_quarter_looking_is_the_forecast_at_each_level(demo_copilot):
    cp = demo_copilot
    exec_ = cp.ask(cp.principal("u-rachel-adeyemi"), "how's the quarter looking?")
    assert exec_.intent == "forecast" and "Forecast for company" in exec_.text
    assert "Show the math" not in exec_.text  # no deal names for an exec
    team = cp.ask(cp.principal("u-maya-chen"), "how is the quarter shaping up for my team?")
    assert team.intent == "forecast" and "Forecast for team East" in team.text
