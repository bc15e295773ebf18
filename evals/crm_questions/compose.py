"""Random, realistic compositions: one question's meaning as a dict in the vocabulary of docs/crm-query.md.

A family is a function ``(rng, vocab, asker) -> composition | None`` for the kind of question people ask
("which of my deals have gone quiet", "top 3 reps by won revenue", "East vs West pipeline"). Filters come
from the CRM's own values, 1-3 per question, in combinations that make sense together. Date windows stay
relative (``{"kind": "this_quarter"}``) so the gold answer can resolve them for the day of the run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from evals.crm_questions.vocab import Person, Vocab

Comp = dict[str, Any]

CLOSE_WHEN = [{"kind": "this_month"}, {"kind": "next_month"}, {"kind": "this_quarter"}, {"kind": "next_quarter"},
              {"kind": "next_n_days", "n": 30}, {"kind": "next_n_days", "n": 60}, {"kind": "next_n_days", "n": 90},
              {"kind": "before_year_end"}, {"kind": "before_quarter_end"}, {"kind": "next_n_weeks", "n": 6}]
PAST_WHEN: list[dict[str, Any]] = [{"kind": "last_month"}, {"kind": "this_quarter"}, {"kind": "last_quarter"}, {"kind": "ytd"},
             {"kind": "this_year"}, {"kind": "last_year"}, {"kind": "qtd"}, {"kind": "last_n_days", "n": 90},
             {"kind": "last_n_weeks", "n": 8}, {"kind": "since_month"}, {"kind": "quarter"}, {"kind": "month"}]
RECENT_WHEN = [{"kind": "last_n_days", "n": 7}, {"kind": "last_n_days", "n": 14}, {"kind": "last_n_weeks", "n": 2},
               {"kind": "last_n_weeks", "n": 3}, {"kind": "this_week"}, {"kind": "this_month"}]
NEXT_STEP_WHEN = [{"kind": "this_week"}, {"kind": "next_week"}, {"kind": "next_n_days", "n": 7},
                  {"kind": "next_n_days", "n": 14}]
INACTIVE_DAYS = [7, 10, 14, 21, 28, 30, 45, 60]
THRESHOLDS = {"demo": [20_000, 25_000, 40_000, 50_000, 75_000, 80_000, 100_000, 150_000, 200_000],
              "maven": [500, 1_000, 2_000, 3_000, 4_000, 5_000, 10_000]}


def past_when(rng: random.Random, v: Vocab) -> dict[str, Any]:
    """A past period, with the named-quarter/month forms filled from the data's own history."""
    w: dict[str, Any] = dict(rng.choice(PAST_WHEN))
    t = v.today
    if w["kind"] == "since_month":
        w["month"] = rng.choice([m for m in range(1, 13) if m != t.month])
    elif w["kind"] == "quarter":
        opts = [(y, q) for y in (t.year - 1, t.year) for q in range(1, 5) if (y, q) < (t.year, (t.month - 1) // 3 + 1)]
        w["year"], w["q"] = rng.choice(opts[-5:])
        if w["year"] == t.year and rng.random() < 0.4:
            w["year"] = None  # "Q2": this year's
    elif w["kind"] == "month":
        opts = [(y, m) for y in (t.year - 1, t.year) for m in range(1, 13) if (y, m) < (t.year, t.month)]
        w["year"], w["month"] = rng.choice(opts[-8:])
        if w["year"] == t.year and rng.random() < 0.4:
            w["year"] = None
    return w


def amount_filter(rng: random.Random, v: Vocab) -> dict[str, float]:
    """Bounds no deal sits exactly on, so "over 50k" and "at least 50k" mean the same thing here."""
    ok = [a for a in THRESHOLDS[v.name] if float(a) not in v.amounts]
    lo, hi = sorted(rng.sample(ok, 2))
    pick = rng.random()
    if pick < 0.55:
        return {"amount_min": float(lo)}
    if pick < 0.85:
        return {"amount_max": float(hi)}
    return {"amount_min": float(lo), "amount_max": float(hi)}


def open_filter(rng: random.Random, v: Vocab, kind: str) -> dict[str, Any]:
    """One filter on open deals."""
    if kind == "stage":
        k = 2 if rng.random() < 0.2 and len(v.stages) > 2 else 1
        return {"stages": sorted(rng.sample(v.stages, k), key=v.stages.index)}
    if kind == "forecast":
        return {"forecast_categories": [rng.choice(v.forecast)]}
    if kind == "product":
        return {"product": rng.choice(v.products)}
    if kind == "competitor":
        return {"competitor": rng.choice(v.competitors)}
    if kind == "deal_type":
        return {"deal_type": rng.choice(v.deal_types)}
    if kind == "amount":
        return amount_filter(rng, v)
    if kind == "close":
        return {"windows": [{"field": "close", "expr": rng.choice(CLOSE_WHEN)}]}
    if kind == "created":
        return {"windows": [{"field": "created", "expr": past_when(rng, v)}]}
    if kind == "inactive":
        return {"inactive_days": rng.choice(INACTIVE_DAYS)}
    if kind == "active":
        return {"windows": [{"field": "last_activity", "expr": rng.choice(RECENT_WHEN)}]}
    if kind == "pushes":
        return {"min_pushes": rng.choice([1, 1, 2, 2, 3])}
    if kind == "no_next_step":
        return {"has_next_step": rng.random() < 0.2}
    if kind == "next_step_due":
        return {"windows": [{"field": "next_step", "expr": rng.choice(NEXT_STEP_WHEN)}]}
    raise ValueError(kind)


def open_kinds(v: Vocab) -> list[str]:
    f = v.features
    kinds = ["stage", "product", "amount"]
    kinds += ["forecast"] if "forecast" in f else []
    kinds += ["competitor"] if "competitors" in f else []
    kinds += ["deal_type"] if "deal_types" in f else []
    kinds += ["close", "close"] if "open_close_dates" in f else []
    kinds += ["created"] if v.name == "demo" else []
    kinds += ["inactive", "inactive", "active"] if "activities" in f else []
    kinds += ["pushes"] if "pushes" in f else []
    kinds += ["no_next_step"] if "next_steps" in f else []
    kinds += ["next_step_due"] if "next_step_dates" in f else []
    return kinds


CLASH = [{"inactive", "active"}, {"no_next_step", "next_step_due"}]


def merge(*parts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in parts:
        for k, val in p.items():
            out[k] = out.get(k, []) + val if k == "windows" else val
    return out


def some_open_filters(rng: random.Random, v: Vocab, k: int) -> tuple[dict[str, Any], list[str]]:
    kinds: list[str] = []
    pool = open_kinds(v)
    while len(kinds) < k:
        kind = rng.choice(pool)
        if kind in kinds or any({kind, other} in CLASH for other in kinds):
            continue
        kinds.append(kind)
    return merge(*(open_filter(rng, v, kind) for kind in kinds)), kinds


def closed_extra(rng: random.Random, v: Vocab) -> dict[str, Any]:
    kinds = ["product", "amount"] + (["competitor"] if "competitors" in v.features else []) + (
        ["deal_type"] if "deal_types" in v.features else [])
    return open_filter(rng, v, rng.choice(kinds))


# -- who the question is about ----------------------------------------------------------------------
def who(rng: random.Random, v: Vocab, asker: Person, *, probe: float = 0.04) -> tuple[dict[str, Any], str | None]:
    """Owner/team slots for the asker's role; a small share probes outside the asker's scope."""
    r = rng.random()
    if asker.role == "rep":
        mates = [p for p in v.reps_of(asker.team_id) if p.id != asker.id]
        if r < probe and mates:
            return {"owner": rng.choice(mates).name}, "scope:probe"
        return ({"owner": "me"}, None) if r < 0.75 else ({}, None)
    if asker.role == "manager":
        others = [p for p in v.role("rep") if p.team_id != asker.team_id]
        if r < probe and others:
            return {"owner": rng.choice(others).name}, "scope:probe"
        if r < 0.35:
            return {}, None
        if r < 0.6:
            return {"team": "mine"}, None
        return {"owner": rng.choice(v.reps_of(asker.team_id)).name}, None
    if r < 0.5:
        return {}, None
    if r < 0.75:
        return {"team": rng.choice(sorted(v.teams.values()))}, None
    if r < 0.95:
        return {"owner": rng.choice(v.role("rep")).name}, None
    mgr = [p for p in v.role("manager") if any(q.manager_id == p.id for q in v.people)]
    return ({"manager": rng.choice(mgr).name}, None) if mgr else ({}, None)


def group_dims(v: Vocab, asker: Person, *, for_top: bool = False) -> list[str]:
    dims = ["product", "stage"] if not for_top else ["product"]
    dims += ["competitor"] if "competitors" in v.features else []
    dims += ["deal_type"] if "deal_types" in v.features else []
    if asker.role != "rep":
        dims += ["rep", "rep"]
    if asker.role in ("exec", "admin"):
        dims += ["team", "team"] + (["manager"] if v.name == "maven" else [])
    return dims


Family = Callable[[random.Random, Vocab, Person], Comp | None]
