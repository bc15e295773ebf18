"""Chinese questions of blind batch 6 (written without the engine): '谁…平均成交周期最短' (the rep with the shortest
cycle) kept '最短' unread and gave the team's average; '我丢的单按产品分一下，每个产品各丢了几单' went to the case
library. Expected values from the demo CRM's records."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from knowledge.crm.models import Deal, Product, User


def ask(cp, who, q):
    return cp.ask(cp.principal(who), q)


def test_the_rep_with_the_shortest_cycle(demo_copilot):
    cp = demo_copilot
    year = cp.settings.current_date().year
    days: dict[str, list[int]] = defaultdict(list)
    with cp.services.crm.session() as s:
        east = {u.id: u.name for u in s.scalars(select(User).where(User.team_id == "demo:team:east"))}
        for d in s.scalars(select(Deal).where(Deal.stage == "closed_won", Deal.owner_id.in_(east))):
            if d.closed_on and d.created_on and d.closed_on.year == year:
                days[east[d.owner_id]].append((d.closed_on - d.created_on).days)
    means = {n: sum(v) / len(v) for n, v in days.items()}
    fastest = min(means, key=lambda n: means[n])
    a = ask(cp, "u-maya-chen", "我团队里谁今年赢单的平均成交周期最短？")
    rows = a.data["crm"]["rows"]
    assert [r["group"] for r in rows] == [fastest] and abs(rows[0]["value"] - means[fastest]) < 0.05
    assert "没能" not in a.text  # no word left unread


def test_lost_deals_split_by_product_in_chinese(demo_copilot):
    cp = demo_copilot
    today = cp.settings.current_date()
    q_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_start = date(q_start.year - (q_start.month == 1), (q_start.month - 4) % 12 + 1, 1)
    counts: dict[str, int] = defaultdict(int)
    with cp.services.crm.session() as s:
        products = {p.id: p.name for p in s.scalars(select(Product))}
        for d in s.scalars(select(Deal).where(Deal.stage == "closed_lost", Deal.owner_id == "u-sam-okafor")):
            if d.closed_on and last_start <= d.closed_on < q_start:
                counts[products.get(d.product_id, "none")] += 1
    a = ask(cp, "u-sam-okafor", "上个季度我丢的单按产品分一下，每个产品各丢了几单？")
    assert a.intent == "crm_query" and counts
    assert {r["group"]: r["value"] for r in a.data["crm"]["rows"]} == counts
    assert "没能" not in a.text
