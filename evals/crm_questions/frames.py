"""Question frames per kind of composition: scalar, list, top deals, group, top-N, compare, accounts, ..."""

from __future__ import annotations

import random
import re
from typing import Any

from evals.crm_questions import phrases as ph
from evals.crm_questions.render import (
    DIM_MANY,
    DIM_ONE,
    Ctx,
    deal_word,
    filter_parts,
    metric_noun,
    metric_phrase,
    noun_phrase,
    owner_parts,
    strip_owner,
    subject,
)
from evals.crm_questions.vocab import Person, Vocab


def _np(c: Ctx, f: dict[str, Any], **kw: Any) -> str:
    return noun_phrase(c, f, **kw)


def count(c: Ctx, f: dict[str, Any]) -> str:
    rng = c.rng
    if f.get("owner") == "me" and rng.random() < 0.35:
        return f"how many {_np(c, strip_owner(f))} do i have"
    return ph.pick(rng, f"how many {_np(c, f)}", f"how many {_np(c, f)} are there", f"number of {_np(c, f)}",
                   f"# of {_np(c, f)}", f"count of {_np(c, f)}", f"{_np(c, f)} - how many?")


def total(c: Ctx, f: dict[str, Any]) -> str:
    rng = c.rng
    if f.get("status") == "won" and rng.random() < 0.6:
        g = strip_owner(f)
        g.pop("status")
        pre, post = filter_parts(c, g, bare_closed=True, with_status=False)
        poss, owner_post = owner_parts(c, f)
        rest = " ".join([*pre, *post])
        if rng.random() < 0.5 and not pre and not f.get("manager"):
            return f"how much did {subject(c, f)} close {' '.join(post)}"
        noun = ph.pick(rng, "won revenue", "bookings", "closed-won $", "revenue closed")
        return " ".join(w for w in [poss, noun, rest, owner_post] if w)
    return ph.pick(rng, f"total value of {_np(c, f)}", f"sum of {_np(c, f)}", f"how much are {_np(c, f)} worth",
                   f"total $ of {_np(c, f)}", f"total amount on {_np(c, f)}")


def pipeline(c: Ctx, f: dict[str, Any]) -> str:
    noun = ph.pick(c.rng, "pipeline", "pipe", "open pipeline", "pipeline value")
    body = noun_phrase(c, f, noun=noun)
    return ph.pick(c.rng, body, f"what's {body}", f"what's the {body}" if not body.startswith(("my", "our")) else body,
                   f"total {body}", f"how much {body} is there" if body.split()[0] in ("pipeline", "pipe") else body)


def average(c: Ctx, f: dict[str, Any]) -> str:
    body = _np(c, f)
    return ph.pick(c.rng, f"avg deal size for {body}", f"average size of {body}", f"mean amount of {body}",
                   f"what's the avg deal size on {body}", f"average amount of {body}")


def win_rate(c: Ctx, f: dict[str, Any]) -> str:
    rng = c.rng
    g = dict(f)
    g.pop("status", None)
    poss, owner_post = owner_parts(c, g)
    pre, post = filter_parts(c, strip_owner(g), bare_closed=True, with_status=False)
    if rng.random() < 0.3 and set(g) <= {"owner", "team", "windows", "competitor"}:
        who_ = subject(c, f)
        return f"how often do{'' if who_ in ('i', 'we') else 'es'} {who_} win {' '.join(post)}".strip()
    if owner_post:
        post.insert(0, owner_post)
    noun = ph.pick(rng, "win rate", "win rate", "win %", "close rate", "win-rate")
    body = " ".join(w for w in [poss, *pre, noun, *post] if w)
    return ph.pick(rng, body, f"what's {body}" if poss else f"what's the {body}", f"{body}?")


def cycle(c: Ctx, f: dict[str, Any]) -> str:
    g = dict(f, status="won")
    poss, owner_post = owner_parts(c, g)
    pre, post = filter_parts(c, strip_owner(g), with_status=False)
    deals = " ".join(w for w in [poss, *pre, "deals", *post, owner_post] if w)
    return ph.pick(c.rng, f"avg sales cycle on {deals}", f"avg days to close for {deals}",
                   f"how long do {deals} take to close on average", f"average cycle length for {deals}")


def activity_count(c: Ctx, f: dict[str, Any]) -> str:
    body = _np(c, f)
    return ph.pick(c.rng, f"how many activities on {body}", f"# of activities logged on {body}",
                   f"activity count for {body}", f"how many touches have been logged on {body}")


def listing(c: Ctx, comp: dict[str, Any]) -> str:
    rng, f = c.rng, comp.get("filters") or {}
    if comp.get("limit"):
        n = comp["limit"]
        g = dict(f)
        poss, owner_post = owner_parts(c, g)
        pre, post = filter_parts(c, strip_owner(g))
        if owner_post:
            post.insert(0, owner_post)
        word = deal_word(c)
        big = ph.pick(rng, "biggest", "largest", "top") if comp.get("order") != "asc" else ph.pick(rng, "smallest", "bottom")
        tail = " by amount" if big in ("top", "bottom") else ""
        return " ".join(w for w in [ph.pick(rng, "", "show me", "list", "what are"), poss or "the", str(n), big,
                                    *pre, word + tail, *post] if w)
    if f.get("owner") == "me" and rng.random() < 0.4:
        g = strip_owner(f)
        pre, post = filter_parts(c, g)
        return f"which of my {' '.join([*pre, deal_word(c)])} {' '.join(post)}".strip()
    body = _np(c, f)
    return ph.pick(rng, f"show me {body}", f"list {body}", f"which {body}?", f"pull up {body}", f"any {body}?",
                   f"{body}?", f"give me {body}", f"what {body} are there")


def group_phrase(c: Ctx, by: str) -> str:
    rng = c.rng
    if by == "month":
        return ph.pick(rng, "by month", "per month", "month by month", "monthly breakdown")
    if by == "quarter":
        return ph.pick(rng, "by quarter", "per quarter", "QoQ", "quarter by quarter")
    d = rng.choice(DIM_ONE[by])
    return ph.pick(rng, f"by {d}", f"per {d}", f"broken down by {d}", f"split by {d}", f"for each {d}")


def grouped(c: Ctx, comp: dict[str, Any]) -> str:
    m, g = metric_phrase(c, comp), group_phrase(c, comp["group_by"])
    return ph.pick(c.rng, f"{m} {g}", f"{m} {g}", f"show me {m} {g}", f"can i get {m} {g}", f"{g}: {m}")


def top(c: Ctx, comp: dict[str, Any]) -> str:
    rng = c.rng
    n, desc, by = comp["limit"], comp.get("order") != "asc", comp["group_by"]
    m = metric_phrase(c, comp)
    one, many = rng.choice(DIM_ONE[by]), rng.choice(DIM_MANY[by])
    rate = comp["metric"] == "win_rate"
    if n == 1 and desc:
        opts = [f"which {one} leads in {m}", f"top {one} by {m}", f"#1 {one} on {m}",
                f"which {one} has the {'highest' if rate else 'most'} {m}"]
        opts += [f"who has the {'best' if rate else 'most'} {m}"] if by == "rep" else []
    elif n == 1:
        opts = [f"worst {one} by {m}", f"which {one} has the lowest {m}", f"bottom {one} on {m}"]
        opts += [f"who's last on {m}"] if by == "rep" else []
    elif desc:
        opts = [f"top {n} {many} by {m}", f"who are the top {n} {many} on {m}", f"best {n} {many} by {m}",
                f"{n} {many} with the highest {m}"]
    else:
        opts = [f"bottom {n} {many} by {m}", f"{n} {many} with the lowest {m}", f"worst {n} {many} on {m}"]
    return rng.choice(opts)


def compare(c: Ctx, comp: dict[str, Any]) -> str:
    rng = c.rng
    m = metric_phrase(c, comp)
    if comp["compare"] == ["me_vs_rest"]:
        return ph.pick(rng, f"how does my {m} compare to the rest of the team",
                       f"me vs the rest of my team on {m}", f"my {m} vs everyone else on the team",
                       f"how do i stack up against the rest of the team on {m}", f"{m}: me vs rest of team")
    names = [ph.person(rng, c.v, x) if comp["group_by"] == "rep" else x for x in comp["compare"]]
    a, b = names
    return ph.pick(rng, f"{a} vs {b} {m}", f"{m}: {a} vs {b}", f"compare {a} and {b} on {m}",
                   f"how does {a} stack up against {b} on {m}", f"{a} versus {b} - {m}", f"{m} {a} v {b}")


def accounts(c: Ctx, comp: dict[str, Any]) -> str:
    rng, f, m = c.rng, comp.get("filters") or {}, comp["metric"]
    if m == "last_touch":
        a = ph.account(rng, c.v, f["account"])
        i = "i" if c.asker.role == "rep" else "we"
        return ph.pick(rng, f"when did {i} last touch {a}", f"last activity on {a}?", f"when was {a} last touched",
                       f"{a} last touch date", f"last time anyone talked to {a}?", f"when did we last hear from {a}")
    body = noun_phrase(c, f, noun=ph.pick(rng, "accounts", "accounts", "customers/accounts"))
    if m == "count":
        return ph.pick(rng, f"how many {body}", f"# of {body}", f"count of {body}")
    return ph.pick(rng, f"which {body}?", f"list {body}", f"{body}?", f"show me {body}")


def contacts(c: Ctx, comp: dict[str, Any]) -> str:
    rng = c.rng
    a = ph.account(rng, c.v, comp["filters"]["account"])
    if comp["metric"] == "count":
        return ph.pick(rng, f"how many contacts at {a}", f"# of contacts we have at {a}",
                       f"how many people do we know at {a}")
    return ph.pick(rng, f"who are our contacts at {a}", f"list contacts at {a}", f"contacts at {a}?",
                   f"who do we know at {a}")


def activities(c: Ctx, comp: dict[str, Any]) -> str:
    rng, f = c.rng, comp.get("filters") or {}
    t = ph.when(rng, f["windows"][0]["expr"], c.today)
    if f.get("owner") or f.get("team"):
        who_ = subject(c, f)
        return ph.pick(rng, f"how many activities did {who_} log {t}",
                       f"# of activities {t} {owner_parts(c, f)[1] or 'for ' + ('me' if who_ == 'i' else who_)}")
    return ph.pick(rng, f"how many activities were logged {t}", f"activity count {t}", f"# of activities {t}")


def _render(comp: dict[str, Any], v: Vocab, asker: Person, rng: random.Random) -> str:
    c = Ctx(rng, v, asker)
    obj, m, f = comp.get("object", "deals"), comp["metric"], comp.get("filters") or {}
    if obj == "accounts":
        return accounts(c, comp)
    if obj == "contacts":
        return contacts(c, comp)
    if obj == "activities":
        return activities(c, comp)
    if comp.get("compare"):
        return compare(c, comp)
    if comp.get("group_by") and comp.get("limit"):
        return top(c, comp)
    if comp.get("group_by"):
        return grouped(c, comp)
    if m == "list":
        return listing(c, comp)
    return {"count": count, "sum": total, "pipeline": pipeline, "avg": average, "win_rate": win_rate,
            "cycle_length": cycle, "activity_count": activity_count}[m](c, f)


def render(comp: dict[str, Any], v: Vocab, asker: Person, rng: random.Random) -> str:
    """The question a person in ``asker``'s role would type for this composition (before noise)."""
    text = _render(comp, v, asker, rng)
    return re.sub(r"\b(which|any) (my|our) ", r"\1 of \2 ", re.sub(r"\s+", " ", text)).strip()


__all__ = ["metric_noun", "render"]
