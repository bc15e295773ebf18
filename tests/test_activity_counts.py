"""Bounds on logged activity: 'which of my open deals have more than 30 activities' was every open deal (the bound
was not read), and 'which reps logged more than 20 activities this month' counted open deals and went to the library.
Expected values come from the records here, not from the engine."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from knowledge.crm.models import Activity, Deal, User

CLOSED = ("closed_won", "closed_lost")


def test_deals_with_more_than_n_activities(demo_copilot):
    cp = demo_copilot
    with cp.services.crm.session() as s:
        deals = {d.id: d.name for d in s.scalars(select(Deal).where(Deal.owner_id == "u-sam-okafor", Deal.stage.not_in(CLOSED)))}
        per = Counter(a.deal_id for a in s.scalars(select(Activity).where(Activity.deal_id.in_(list(deals)))))
    n = sorted(per.values())[len(per) // 2]  # the median: some above, some not
    want = {deals[d] for d, c in per.items() if c > n}
    assert want and len(want) < len(deals)
    a = cp.ask(cp.principal("u-sam-okafor"), f"which of my open deals have more than {n} activities")
    assert a.data["crm"]["query"]["filters"]["activities_min"] == n + 1
    assert {r["name"] for r in a.data["crm"]["records"]} == want


def test_reps_who_logged_more_than_n_activities_in_a_month(demo_copilot):
    cp = demo_copilot
    with cp.services.crm.session() as s:
        east = {u.id: u.name for u in s.scalars(select(User).where(User.team_id == "demo:team:east", User.role == "rep"))}
        per = Counter(east[a.owner_id] for a in s.scalars(select(Activity).where(Activity.owner_id.in_(list(east))))
                      if date(2026, 10, 1) <= a.occurred_at.date() <= date(2026, 10, 31))
    n = sorted(per.values())[len(per) // 2]
    a = cp.ask(cp.principal("u-maya-chen"), f"which reps logged more than {n} activities in october?")
    assert a.data["crm"]["query"]["object"] == "activities"
    assert {r["group"]: r["value"] for r in a.data["crm"]["rows"]} == {k: v for k, v in per.items() if v > n}
