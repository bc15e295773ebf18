"""A composition as a chat message: frames per metric, slot phrases from phrases.py, varied word order.

``render`` says what the composition means and nothing else; noise.py then adds chat style and typos.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from evals.crm_questions import phrases as ph
from evals.crm_questions.vocab import Person, Vocab

DIM_ONE = {"rep": ["rep", "rep", "owner", "AE", "salesperson"], "team": ["team", "team", "region"],
           "manager": ["manager", "manager's team"], "product": ["product"], "stage": ["stage"],
           "competitor": ["competitor"], "account": ["account"], "deal_type": ["deal type", "type of deal"],
           "forecast_category": ["forecast category", "fcst category"], "month": ["month"], "quarter": ["quarter"]}
DIM_MANY = {"rep": ["reps", "AEs", "sellers", "reps"], "team": ["teams", "regions"], "manager": ["managers"],
            "product": ["products"], "stage": ["stages"], "competitor": ["competitors"], "account": ["accounts"],
            "deal_type": ["deal types"], "forecast_category": ["forecast categories"]}


@dataclass
class Ctx:
    rng: random.Random
    v: Vocab
    asker: Person

    @property
    def today(self) -> date:
        return self.v.today


def deal_word(c: Ctx) -> str:
    return c.rng.choice(["deals", "deals", "deals", "opps", "opportunities"])


def owner_parts(c: Ctx, f: dict[str, Any]) -> tuple[str | None, str | None]:
    """(possessive before the noun, phrase after it) for owner / team / manager; one of them is used."""
    rng, v = c.rng, c.v
    if f.get("owner") == "me":
        return ("my", None) if rng.random() < 0.8 else (None, ph.pick(rng, "that i own", "owned by me", "of mine"))
    if f.get("owner"):
        p = ph.person(rng, v, f["owner"])
        return (ph.possessive(p), None) if rng.random() < 0.5 else (
            None, ph.pick(rng, f"owned by {p}", f"for {p}", f"that {p} owns", f"on {ph.possessive(p)} book"))
    if f.get("team") == "mine":
        return (ph.pick(rng, "my team's", "our team's", "the team's"), None) if rng.random() < 0.6 else (
            None, ph.pick(rng, "on my team", "across my team", "in my team"))
    if f.get("team"):
        t = f["team"]
        return (ph.pick(rng, ph.possessive(t), f"{t} team's", t), None) if rng.random() < 0.5 else (
            None, ph.pick(rng, f"in {t}", f"for the {t} team", f"on the {t} team", f"in the {t} region"))
    if f.get("manager"):
        m = ph.person(rng, v, f["manager"])
        return None, ph.pick(rng, f"under {m}", f"reporting to {m}", f"in {ph.possessive(m)} org")
    return None, None


def status_pre(c: Ctx, status: str | None) -> list[str]:
    if status == "open":
        return [c.rng.choice(["open", "open", "active"])]
    if status in ("won", "lost", "closed"):
        return [c.rng.choice({"won": ["won", "closed-won", "closed won"], "lost": ["lost", "closed-lost"],
                              "closed": ["closed"]}[status])]
    if status == "any":
        return ["all"]
    return []


def filter_parts(c: Ctx, f: dict[str, Any], *, bare_closed: bool = False,
                 with_status: bool = True) -> tuple[list[str], list[str]]:
    """Pre-modifiers and post-modifiers of a deal noun for every filter except owner/team/manager."""
    rng, v = c.rng, c.v
    status = f.get("status")
    pre: list[str] = status_pre(c, status) if with_status else []
    post: list[str] = []
    if with_status and status == "any":
        post.append(ph.pick(rng, "open or closed", "incl. closed ones", "of any status, open or closed"))
    for cat in f.get("forecast_categories") or []:
        words = ph.FORECAST[cat]
        if cat in ("commit", "best_case") and rng.random() < 0.4:
            pre.append({"commit": "commit", "best_case": "best-case"}[cat])
        else:
            post.append(rng.choice(words))
    if f.get("deal_type"):
        before, after = ph.DEAL_TYPE[f["deal_type"]]
        (pre.append(rng.choice(before)) if rng.random() < 0.6 else post.append(rng.choice(after)))
    if f.get("product"):
        p = ph.product(rng, v, f["product"])
        (pre.append(p) if rng.random() < 0.5 else post.append(ph.pick(rng, f"for {p}", f"on {p}", f"for the {p} product")))
    if f.get("stages"):
        post.append(ph.stages(rng, f["stages"]))
    if f.get("competitor"):
        post.append(ph.competitor(rng, f["competitor"]))
    if f.get("amount_min") is not None or f.get("amount_max") is not None:
        post.append(ph.amount(rng, f))
    if f.get("account"):
        a = ph.account(rng, v, f["account"])
        post.append(ph.pick(rng, f"at {a}", f"with {a}", f"on the {a} account", f"for {a}"))
    for w in f.get("windows") or []:
        if bare_closed and w["field"] == "closed":
            post.append(ph.when(rng, w["expr"], c.today))
        else:
            post.append(ph.window(rng, w, c.today, status))
    if f.get("inactive_days"):
        post.append(ph.inactive(rng, int(f["inactive_days"]), mine=f.get("owner") == "me"))
    if f.get("min_pushes"):
        post.append(ph.pushes(rng, int(f["min_pushes"])))
    if f.get("has_next_step") is not None:
        post.append(ph.next_step(rng, bool(f["has_next_step"])))
    rng.shuffle(post)
    return pre, post


def noun_phrase(c: Ctx, f: dict[str, Any], noun: str | None = None, **kw: Any) -> str:
    poss, owner_post = owner_parts(c, f)
    pre, post = filter_parts(c, f, **kw)
    if owner_post:
        post.insert(c.rng.randrange(len(post) + 1), owner_post)
    return " ".join([w for w in [poss, *pre, noun or deal_word(c), *post] if w])


def subject(c: Ctx, f: dict[str, Any]) -> str:
    """Who did it: 'i', 'sam', 'the east team', 'we'."""
    if f.get("owner") == "me":
        return "i"
    if f.get("owner"):
        return ph.person(c.rng, c.v, f["owner"])
    if f.get("team") == "mine":
        return ph.pick(c.rng, "my team", "the team")
    if f.get("team"):
        return ph.team(c.rng, f["team"])
    return "i" if c.asker.role == "rep" else "we"


def strip_owner(f: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in f.items() if k not in ("owner", "team", "manager")}


def metric_noun(c: Ctx, comp: dict[str, Any]) -> str:
    """The figure itself ('won revenue', 'win rate', 'pipeline'); counts are built by ``metric_phrase``."""
    m, status = comp["metric"], (comp.get("filters") or {}).get("status")
    rng = c.rng
    if m == "pipeline":
        return ph.pick(rng, "pipeline", "pipe", "open pipeline", "pipeline $")
    if m == "win_rate":
        return ph.pick(rng, "win rate", "win %", "close rate", "win-rate")
    if m == "cycle_length":
        return ph.pick(rng, "sales cycle", "avg sales cycle", "avg days to close")
    if m == "sum" and status == "won":
        return ph.pick(rng, "won revenue", "bookings", "closed-won $", "revenue won", "won $")
    if m == "sum" and status == "lost":
        return ph.pick(rng, "lost $", "lost deal value")
    if m == "sum":
        return ph.pick(rng, "open deal value", "total open deal value")
    if m == "avg":
        return ph.pick(rng, "avg won deal size", "average won deal size") if status == "won" else ph.pick(
            rng, "avg open deal size", "average open deal size")
    if m == "activity_count":
        return ph.pick(rng, "activity count", "# of activities")
    raise ValueError(m)


def metric_phrase(c: Ctx, comp: dict[str, Any]) -> str:
    """The metric with its filters, for group / top-N / compare frames ('my Observe win rate last quarter')."""
    f = dict(comp.get("filters") or {})
    if comp["metric"] == "count":
        return f"{ph.pick(c.rng, '# of', 'number of', 'count of')} {noun_phrase(c, f, bare_closed=True)}"
    f.pop("status", None)
    poss, owner_post = owner_parts(c, f)
    pre, post = filter_parts(c, f, bare_closed=True, with_status=False)
    if owner_post:
        post.insert(c.rng.randrange(len(post) + 1), owner_post)
    return " ".join(w for w in [poss, *pre, metric_noun(c, comp), *post] if w)
