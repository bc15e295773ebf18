"""The kinds of CRM questions people ask, as composition families with per-role weights."""

from __future__ import annotations

import random
from typing import Any

from evals.crm_questions.compose import (
    RECENT_WHEN,
    Comp,
    closed_extra,
    group_dims,
    merge,
    open_filter,
    past_when,
    some_open_filters,
    who,
)
from evals.crm_questions.vocab import Person, Vocab


def _with(comp: Comp, tag: str | None) -> Comp:
    if tag:
        comp["tag"] = tag
    return comp


def open_metric(rng: random.Random, v: Vocab, a: Person) -> Comp:
    """'how many / how much of my open deals ... ' with 1-2 filters."""
    scope, tag = who(rng, v, a)
    filters, _ = some_open_filters(rng, v, 1 if rng.random() < 0.55 else 2)
    metric = rng.choices(["count", "sum", "pipeline", "avg"], [40, 20, 25, 15])[0]
    extra = {"status": "open"} if metric in ("count", "sum", "avg") and rng.random() < 0.6 else {}
    return _with({"object": "deals", "metric": metric, "filters": merge(scope, extra, filters)}, tag)


def open_list(rng: random.Random, v: Vocab, a: Person) -> Comp:
    """'which of my deals in negotiation have had no activity in 3 weeks?'"""
    scope, tag = who(rng, v, a)
    filters, _ = some_open_filters(rng, v, 1 if rng.random() < 0.4 else 2)
    extra = {"status": "open"} if rng.random() < 0.4 else {}
    return _with({"object": "deals", "metric": "list", "filters": merge(scope, extra, filters)}, tag)


def top_deals(rng: random.Random, v: Vocab, a: Person) -> Comp:
    """'my 5 biggest open deals closing this quarter'"""
    scope, tag = who(rng, v, a)
    filters, _ = some_open_filters(rng, v, 1) if rng.random() < 0.6 else ({}, [])
    order = "desc" if rng.random() < 0.85 else "asc"
    return _with({"object": "deals", "metric": "list", "filters": merge(scope, filters), "order": order,
                  "limit": rng.choice([3, 5, 5, 10])}, tag)


def won_revenue(rng: random.Random, v: Vocab, a: Person) -> Comp:
    """'how much did we close last quarter', 'bookings YTD for Observe'"""
    scope, tag = who(rng, v, a)
    parts = [scope, {"status": "won", "windows": [{"field": "closed", "expr": past_when(rng, v)}]}]
    if rng.random() < 0.4:
        parts.append(closed_extra(rng, v))
    return _with({"object": "deals", "metric": "sum", "filters": merge(*parts)}, tag)


def win_rate(rng: random.Random, v: Vocab, a: Person) -> Comp:
    scope, tag = who(rng, v, a)
    parts = [scope]
    if rng.random() < 0.75:
        parts.append({"windows": [{"field": "closed", "expr": past_when(rng, v)}]})
    if rng.random() < 0.5:
        parts.append(closed_extra(rng, v))
    return _with({"object": "deals", "metric": "win_rate", "filters": merge(*parts)}, tag)


def lost_deals(rng: random.Random, v: Vocab, a: Person) -> Comp:
    scope, tag = who(rng, v, a)
    parts = [scope, {"status": "lost", "windows": [{"field": "closed", "expr": past_when(rng, v)}]}]
    if rng.random() < 0.6:
        parts.append(closed_extra(rng, v))
    return _with({"object": "deals", "metric": rng.choice(["count", "count", "sum"]), "filters": merge(*parts)}, tag)


def cycle_or_avg(rng: random.Random, v: Vocab, a: Person) -> Comp:
    scope, tag = who(rng, v, a)
    parts = [scope, {"windows": [{"field": "closed", "expr": past_when(rng, v)}]}] if rng.random() < 0.7 else [scope]
    if rng.random() < 0.35:
        parts.append(open_filter(rng, v, "product"))
    if rng.random() < 0.5:
        return _with({"object": "deals", "metric": "cycle_length", "filters": merge(*parts)}, tag)
    return _with({"object": "deals", "metric": "avg", "filters": merge({"status": "won"}, *parts)}, tag)


GROUP_METRICS: list[tuple[str, dict[str, Any]]] = [
    ("pipeline", {}), ("sum", {"status": "won"}), ("win_rate", {}), ("count", {"status": "open"}),
    ("avg", {"status": "won"}), ("count", {"status": "won"})]


def grouped(rng: random.Random, v: Vocab, a: Person) -> Comp | None:
    """'pipeline by stage', 'win rate by team last quarter', 'bookings by month this year'"""
    scope, tag = who(rng, v, a, probe=0.0)
    metric, status = rng.choice(GROUP_METRICS)
    dims = group_dims(v, a)
    closed = metric in ("win_rate",) or status.get("status") == "won"
    if closed:  # every closed deal sits in closed_won / closed_lost: a stage split says nothing
        dims = [d for d in dims if d != "stage"] + ["quarter", "month"]
    elif "forecast" in v.features:
        dims += ["month", "forecast_category"]
    by = rng.choice(dims)
    if by in ("rep", "team", "manager"):
        scope = {}
    parts = [scope, status]
    if closed and by not in ("month", "quarter") and rng.random() < 0.7:
        parts.append({"windows": [{"field": "closed", "expr": past_when(rng, v)}]})
    elif closed and by in ("month", "quarter"):
        parts.append({"windows": [{"field": "closed", "expr": rng.choice(
            [{"kind": "this_year"}, {"kind": "ytd"}, {"kind": "last_year"}] if by == "quarter" else
            [{"kind": "this_year"}, {"kind": "ytd"}, {"kind": "this_quarter"}, {"kind": "last_quarter"}])}]})
    elif not closed and rng.random() < 0.3:
        parts.append(some_open_filters(rng, v, 1)[0])
    if by == "month" and not closed and "open_close_dates" not in v.features:
        return None
    return _with({"object": "deals", "metric": metric, "filters": merge(*parts), "group_by": by}, tag)


def top_n(rng: random.Random, v: Vocab, a: Person) -> Comp | None:
    """'top 3 reps by won revenue this year', 'which rep leads in pipeline', 'worst product by win rate'"""
    metric, status = rng.choice(GROUP_METRICS[:3] + [("count", {"status": "won"})])
    by = rng.choice([d for d in group_dims(v, a, for_top=True) if d != "competitor"])
    desc = rng.random() < 0.75
    parts: list[dict[str, Any]] = [status]
    if (metric == "win_rate" or status) and rng.random() < 0.75:
        parts.append({"windows": [{"field": "closed", "expr": past_when(rng, v)}]})
    if by not in ("rep", "team") and a.role == "rep":
        parts.append({"owner": "me"})
    limit = rng.choice([1, 1, 2, 3, 3, 5]) if by in ("rep", "product") else rng.choice([1, 2])
    return {"object": "deals", "metric": metric, "filters": merge(*parts), "group_by": by,
            "order": "desc" if desc else "asc", "limit": limit}


def compare(rng: random.Random, v: Vocab, a: Person) -> Comp | None:
    """'East vs West pipeline', 'compare Sam and Lucia on win rate', 'me vs the rest of the team'"""
    metric, status = rng.choice(GROUP_METRICS[:4])
    parts: list[dict[str, Any]] = [status]
    if (metric == "win_rate" or status.get("status") == "won") and rng.random() < 0.6:
        parts.append({"windows": [{"field": "closed", "expr": past_when(rng, v)}]})
    if a.role == "rep":
        return {"object": "deals", "metric": metric, "filters": merge(*parts), "compare": ["me_vs_rest"]}
    if a.role == "manager":
        pool, by = [p.name for p in v.reps_of(a.team_id)], "rep"
    elif rng.random() < 0.75 and len(v.teams) > 1:  # two named reps: refused for execs (names_person)
        pool, by = sorted(v.teams.values()), "team"
    else:
        team = rng.choice(sorted(v.teams))
        pool, by = [p.name for p in v.reps_of(team)], "rep"
    if len(pool) < 2:
        return None
    return {"object": "deals", "metric": metric, "filters": merge(*parts), "group_by": by,
            "compare": rng.sample(pool, 2)}


def accounts(rng: random.Random, v: Vocab, a: Person) -> Comp:
    """'accounts I haven't touched in 30 days', 'when did we last talk to Acme'"""
    scope, tag = who(rng, v, a, probe=0.0)
    scope = {k: val for k, val in scope.items() if k in ("owner", "team")}
    r = rng.random()
    if r < 0.55:
        return _with({"object": "accounts", "metric": rng.choice(["count", "list"]),
                      "filters": merge(scope, {"inactive_days": rng.choice([14, 21, 30, 45, 60, 90])})}, tag)
    if r < 0.8:
        return {"object": "accounts", "metric": "last_touch", "filters": {"account": rng.choice(v.accounts_of(a))}}
    return {"object": "deals", "metric": "activity_count",
            "filters": merge(scope, {"windows": [{"field": "last_activity", "expr": rng.choice(RECENT_WHEN)}]}
                             if rng.random() < 0.3 else open_filter(rng, v, "stage"))}


def contacts_or_activities(rng: random.Random, v: Vocab, a: Person) -> Comp:
    scope, tag = who(rng, v, a, probe=0.0)
    scope = {k: val for k, val in scope.items() if k in ("owner", "team")}
    if "contacts" in v.features and rng.random() < 0.5:
        return {"object": "contacts", "metric": rng.choice(["count", "list"]),
                "filters": {"account": rng.choice(v.accounts_of(a))}}
    return _with({"object": "activities", "metric": "count",
                  "filters": merge(scope, {"windows": [{"field": "created", "expr": rng.choice(
                      RECENT_WHEN + [{"kind": "last_month"}, {"kind": "last_week"}])}]})}, tag)


def narrow(rng: random.Random, v: Vocab, a: Person) -> Comp:
    """Questions about one account or a thin slice (execs must be refused when under 3 deals)."""
    if rng.random() < 0.5:
        metric = rng.choice(["sum", "count", "pipeline"])
        status = {} if metric == "pipeline" else {"status": rng.choice(["open", "any"])}
        return {"object": "deals", "metric": metric, "filters": {"account": rng.choice(v.accounts), **status}}
    rep = rng.choice(v.role("rep"))
    filters, _ = some_open_filters(rng, v, 2)
    return {"object": "deals", "metric": rng.choice(["count", "pipeline"]), "filters": merge({"owner": rep.name}, filters)}


FAMILIES = {
    "open_metric": open_metric, "open_list": open_list, "top_deals": top_deals, "won_revenue": won_revenue,
    "win_rate": win_rate, "lost_deals": lost_deals, "cycle_or_avg": cycle_or_avg, "grouped": grouped,
    "top_n": top_n, "compare": compare, "accounts": accounts, "contacts_or_activities": contacts_or_activities,
    "narrow": narrow,
}
WEIGHTS = {  # per role: how often each family is drawn
    "rep": {"open_metric": 22, "open_list": 22, "top_deals": 7, "won_revenue": 8, "win_rate": 8, "lost_deals": 4,
            "cycle_or_avg": 4, "grouped": 8, "top_n": 3, "compare": 6, "accounts": 10, "contacts_or_activities": 5},
    "manager": {"open_metric": 18, "open_list": 16, "top_deals": 6, "won_revenue": 8, "win_rate": 8, "lost_deals": 4,
                "cycle_or_avg": 4, "grouped": 12, "top_n": 8, "compare": 8, "accounts": 6,
                "contacts_or_activities": 3},
    "exec": {"open_metric": 12, "open_list": 10, "top_deals": 5, "won_revenue": 10, "win_rate": 10, "lost_deals": 4,
             "cycle_or_avg": 5, "grouped": 16, "top_n": 10, "compare": 10, "accounts": 3, "narrow": 10},
    "admin": {"open_metric": 14, "open_list": 8, "top_deals": 4, "won_revenue": 12, "win_rate": 12, "lost_deals": 5,
              "cycle_or_avg": 6, "grouped": 16, "top_n": 12, "compare": 12},
}
