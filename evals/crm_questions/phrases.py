"""Several ways to say each slot: people, teams, products, money, dates, stages, inactivity, pushes.

Every phrase here means exactly its slot's value under the rules of evals/crm_gold/dates.py; word order,
abbreviations and chat style vary, the meaning does not.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from evals.crm_questions.vocab import MONTHS, Vocab


def pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def person(rng: random.Random, v: Vocab, name: str) -> str:
    first = name.split()[0]
    if first.lower() in v.unique_first and rng.random() < 0.55:
        return first
    return name


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def team(rng: random.Random, name: str, *, bare: bool = True) -> str:
    return pick(rng, name, f"the {name} team", f"{name} team") if bare else pick(rng, f"the {name} team", f"team {name}")


def product(rng: random.Random, v: Vocab, name: str) -> str:
    short = v.product_short(name)
    return pick(rng, short, short, name) if short != name else name


def account(rng: random.Random, v: Vocab, name: str) -> str:
    short = v.account_short.get(name)
    return short if short and rng.random() < 0.4 else name


def money(rng: random.Random, amount: float) -> str:
    a = int(amount)
    if a >= 1000 and a % 1000 == 0:
        k = a // 1000
        if k >= 1000 and k % 1000 == 0:
            return pick(rng, f"${k // 1000}M", f"{k // 1000}m", f"${k // 1000} million", f"${a:,}")
        return pick(rng, f"${k}k", f"{k}k", f"{k}K", f"${k}K", f"${a:,}", f"{a}")
    return pick(rng, f"${a:,}", f"{a}", f"${a}")


def amount(rng: random.Random, f: dict[str, Any]) -> str:
    lo, hi = f.get("amount_min"), f.get("amount_max")
    if lo is not None and hi is not None:
        a, b = money(rng, lo), money(rng, hi)
        return pick(rng, f"between {a} and {b}", f"from {a} to {b}", f"in the {a}-{b} range")
    if lo is not None:
        a = money(rng, lo)
        return pick(rng, f"over {a}", f"above {a}", f"bigger than {a}", f"more than {a}", f"> {a}", f"worth over {a}")
    b = money(rng, float(hi or 0))
    return pick(rng, f"under {b}", f"below {b}", f"smaller than {b}", f"less than {b}", f"< {b}")


STAGE_WORDS = {
    "prospecting": ["in prospecting", "at the prospecting stage", "still prospecting"],
    "qualification": ["in qualification", "in qual", "at the qualification stage", "being qualified"],
    "discovery": ["in discovery", "at discovery", "in the discovery stage"],
    "demo": ["in the demo stage", "at demo stage", "in demo"],
    "proposal": ["in proposal", "at proposal stage", "in the proposal stage", "with a proposal out"],
    "negotiation": ["in negotiation", "in nego", "in negotiations", "at the negotiation stage", "negotiating"],
}
STAGE_NAMES = {"prospecting": "prospecting", "qualification": "qualification", "discovery": "discovery",
               "demo": "demo", "proposal": "proposal", "negotiation": "negotiation"}


def stages(rng: random.Random, names: list[str]) -> str:
    if len(names) == 1:
        return rng.choice(STAGE_WORDS[names[0]])
    words = [STAGE_NAMES[s] for s in names]
    return pick(rng, f"in {' or '.join(words)}", f"in {'/'.join(words)}", f"at {' or '.join(words)} stage")


FORECAST = {"commit": ["in commit", "committed", "in the commit category", "forecast as commit"],
            "best_case": ["in best case", "best-case", "in the best case category", "marked best case",
                          "in upside (best case)"],
            "pipeline": ["in the pipeline category", "forecast category pipeline", "categorized as pipeline"],
            "omitted": ["omitted from the forecast", "in the omitted category"]}

DEAL_TYPE = {"new": (["new business", "new-logo", "new logo"], ["that are new business", "for new logos"]),
             "expansion": (["expansion", "upsell"], ["that are expansions", "that are upsells"]),
             "renewal": (["renewal"], ["that are renewals", "up for renewal"])}


def competitor(rng: random.Random, name: str) -> str:
    n = name if rng.random() < 0.6 else name.lower()
    return pick(rng, f"against {n}", f"vs {n}", f"where we're up against {n}", f"competing with {n}",
                f"with {n} in the deal", f"where {n} is the competitor")


# -- dates ------------------------------------------------------------------------------------------
def _q(y: int | None, q: int, rng: random.Random) -> str:
    """A named quarter; without a year it is this year's (evals/crm_gold/dates.py)."""
    if y is None:
        return pick(rng, f"Q{q}", f"in Q{q}", f"Q{q} this year")
    return pick(rng, f"Q{q} {y}", f"in Q{q} {y}", f"{y} Q{q}", f"Q{q}'{str(y)[2:]}")


def _m(y: int | None, m: int, rng: random.Random) -> str:
    name = MONTHS[m - 1]
    short = name[:3]
    if y is None:
        return pick(rng, f"in {name}", f"in {short}", f"{name} this year")
    return pick(rng, f"in {name} {y}", f"{short} {y}", f"{name} {y}")


def when(rng: random.Random, expr: dict[str, Any], today: date) -> str:
    """Words for a date expression; relative kinds stay relative, so the text means the same on any day."""
    k, n = expr["kind"], expr.get("n")
    if k == "this_week":
        return pick(rng, "this week", "this wk")
    if k == "last_week":
        return pick(rng, "last week", "last wk")
    if k == "next_week":
        return pick(rng, "next week", "next wk")
    if k == "this_month":
        return pick(rng, "this month", "this mo", "in the current month")
    if k == "last_month":
        return pick(rng, "last month", "last mo", "in the previous month")
    if k == "next_month":
        return pick(rng, "next month", "next mo")
    if k == "this_quarter":
        return pick(rng, "this quarter", "this qtr", "this q", "in the current quarter")
    if k == "last_quarter":
        return pick(rng, "last quarter", "last qtr", "previous quarter", "last q")
    if k == "next_quarter":
        return pick(rng, "next quarter", "next qtr", "next q")
    if k == "this_year":
        return pick(rng, "this year", "this yr", "for the year")
    if k == "last_year":
        return pick(rng, "last year", "last yr", "the previous year")
    if k == "ytd":
        return pick(rng, "YTD", "ytd", "year to date", "so far this year", "this year so far")
    if k == "qtd":
        return pick(rng, "QTD", "qtd", "quarter to date", "so far this quarter")
    if k == "quarter":
        return _q(expr.get("year"), int(expr["q"]), rng)
    if k == "month":
        return _m(expr.get("year"), int(expr["month"]), rng)
    if k == "year":
        return pick(rng, f"in {expr['year']}", f"for {expr['year']}")
    if k == "since_month":
        name = MONTHS[int(expr["month"]) - 1]
        return pick(rng, f"since {name}", f"since {name[:3]}", f"from {name} on", f"since the start of {name}")
    if k == "last_n_days":
        return pick(rng, f"in the last {n} days", f"past {n} days", f"last {n}d", f"over the last {n} days")
    if k == "last_n_weeks":
        return pick(rng, f"in the last {n} weeks", f"past {n} wks", f"last {n} weeks", f"over the past {n} weeks")
    if k == "next_n_days":
        return pick(rng, f"in the next {n} days", f"next {n} days", f"within the next {n} days", f"next {n}d")
    if k == "next_n_weeks":
        return pick(rng, f"in the next {n} weeks", f"next {n} wks", f"over the next {n} weeks")
    if k == "before_year_end":
        return pick(rng, "before year end", "by end of year", "before EOY", "by year-end", "before the end of the year")
    if k == "before_quarter_end":
        return pick(rng, "before quarter end", "by end of quarter", "before EOQ", "by the end of the quarter")
    raise ValueError(k)


def window(rng: random.Random, w: dict[str, Any], today: date, status: str | None) -> str:
    t = when(rng, w["expr"], today)
    f = w["field"]
    if f == "close":
        return pick(rng, f"closing {t}", f"with close date {t}", f"expected to close {t}", f"slated to close {t}")
    if f == "closed":
        verb = {"won": ["won", "closed", "closed-won"], "lost": ["lost", "closed-lost"]}.get(status or "", ["closed"])
        return f"{rng.choice(verb)} {t}"
    if f == "created":
        return pick(rng, f"created {t}", f"opened {t}", f"that came in {t}", f"added {t}")
    if f == "last_activity":
        return pick(rng, f"with activity {t}", f"touched {t}", f"that had activity {t}", f"worked {t}")
    if f == "next_step":
        return pick(rng, f"with a next step due {t}", f"with next steps due {t}", f"next step scheduled {t}")
    raise ValueError(f)


def inactive(rng: random.Random, n: int, *, mine: bool) -> str:
    span = [f"{n} days", f"{n}d"] + ([f"{n // 7} weeks" if n > 7 else "a week", f"{n // 7} wks" if n > 7 else "1 wk"]
                                     if n % 7 == 0 else [])
    s = rng.choice(span)
    opts = [f"with no activity in {s}", f"that haven't been touched in {s}", f"gone quiet for {s}",
            f"with no touches in {s}", f"stale for {s}", f"with nothing logged in {s}", f"untouched for {s}"]
    if mine:
        opts += [f"i haven't touched in {s}", f"i haven't worked in {s}"]
    return rng.choice(opts)


def pushes(rng: random.Random, n: int) -> str:
    if n == 1:
        return pick(rng, "that got pushed", "with a pushed close date", "that slipped", "whose close date moved out",
                    "pushed at least once")
    return pick(rng, f"pushed {n}+ times", f"pushed at least {n} times", f"that slipped {n} or more times",
                f"with {n}+ close date pushes", f"pushed {n}x or more")


def next_step(rng: random.Random, has: bool) -> str:
    if has:
        return pick(rng, "with a next step", "that have next steps", "with a next step set")
    return pick(rng, "with no next step", "missing a next step", "w/o next steps", "without a next step",
                "with no next step set", "that have no next steps")
