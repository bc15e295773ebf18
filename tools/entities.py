"""Entity matching for the offline engine: accounts and people (fuzzy, within scope), competitors,
deal stages, amounts and close windows ("this month", "next quarter", "Q3 2026", "by March 31")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from rapidfuzz import fuzz

from copilot.core.domain import Stage
from tools.forecast.periods import month_bounds, quarter_bounds

PRONOUNS = re.compile(r"\b(it|its|they|them|their|theirs|that account|this account|that deal|this deal|the deal|"
                      r"the account|he|she|him|her)\b", re.I)
STOP = {"the", "and", "inc", "corp", "group", "company", "co", "llc", "ltd", "health", "data", "systems", "global",
        "financial", "retail", "manufacturing", "labs", "technologies", "solutions", "partners", "holdings"}


@dataclass
class Entities:
    account_id: str | None = None
    account_name: str | None = None
    unknown_account: str | None = None  # a name the asker used that matches nothing they can see
    # an account the asker does not own but holds deals on (imports often give an account one owner): only
    # those deals are theirs to see, not the account's card
    dealt_account: tuple[str, str] | None = None
    people: list[tuple[str, str]] = field(default_factory=list)  # (user id, name)
    competitor: str | None = None
    stage: str | None = None
    window: tuple[date, date, str] | None = None
    min_amount: float | None = None
    max_amount: float | None = None
    deal_ref: str | None = None
    pronoun: bool = False
    mine: bool = False


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9&'-]*", text.lower())


def match_account(question: str, accounts: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Best (id, name) whose full name, or distinctive first word, appears (allowing small typos)."""
    low = question.lower()
    words = set(_words(question))
    best: tuple[float, tuple[str, str]] | None = None
    for aid, name in accounts:
        lname = name.lower()
        if lname in low or aid.lower() in words:
            score = 200.0 + len(lname)
        else:
            toks = [t for t in _words(name) if t not in STOP and len(t) >= 4]
            if not toks:
                continue
            head = toks[0]
            if head in words:
                score = 100.0 + len(head)
            else:
                near = max((fuzz.ratio(head, w) for w in words if abs(len(w) - len(head)) <= 2), default=0)
                if near < 88:
                    continue
                score = near
        if best is None or score > best[0]:
            best = (score, (aid, name))
    return best[1] if best else None


def named_after_preposition(question: str) -> str | None:
    """A capitalized name after 'with/at/on/about/for', e.g. 'going on with Foo Corp?' -> 'Foo Corp'."""
    m = re.search(r"\b(?:with|at|on|about|for)\s+((?:[A-Z][\w&'-]*\s?){1,4})", question)
    return m.group(1).strip(" ?.!,") if m else None


def match_competitor(question: str, competitors: list[str]) -> str | None:
    low = question.lower()
    for comp in sorted(competitors, key=len, reverse=True):
        if comp.lower() in low or comp.lower().replace(" ", "") in low.replace(" ", ""):
            return comp
    words = _words(question)
    for comp in competitors:
        c = comp.lower().replace(" ", "")
        if any(fuzz.ratio(c, w) >= 85 for w in words):
            return comp
    return None


def match_stage(question: str) -> str | None:
    low = question.lower()
    for st in Stage:
        label = st.value.replace("_", " ")
        if re.search(rf"\b{label}\b", low) or (st is Stage.NEGOTIATION and "negotiat" in low):
            return st.value
    return None


def parse_window(question: str, today: date) -> tuple[date, date, str] | None:
    """A date window named in the question, relative to ``today``."""
    low = question.lower()
    q_now = (today.month - 1) // 3 + 1
    if re.search(r"\bthis (calendar )?month\b|\bin \w+ month\b", low):
        s, e = month_bounds(today.year, today.month)
        return s, e, "this month"
    if "next month" in low:
        y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        s, e = month_bounds(y, m)
        return s, e, "next month"
    if "last month" in low:
        y, m = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
        s, e = month_bounds(y, m)
        return s, e, "last month"
    if re.search(r"\bthis quarter\b|\bcurrent quarter\b|\bthe quarter\b", low):
        s, e = quarter_bounds(today.year, q_now)
        return s, e, f"this quarter (Q{q_now} {today.year})"
    if "next quarter" in low:
        y, q = (today.year + 1, 1) if q_now == 4 else (today.year, q_now + 1)
        s, e = quarter_bounds(y, q)
        return s, e, f"next quarter (Q{q} {y})"
    if "last quarter" in low:
        y, q = (today.year - 1, 4) if q_now == 1 else (today.year, q_now - 1)
        s, e = quarter_bounds(y, q)
        return s, e, f"last quarter (Q{q} {y})"
    qm = re.search(r"\bq([1-4])\s*(?:of\s*)?(\d{4})\b|\b(\d{4})\s*q([1-4])\b", low)
    if qm:
        q = int(qm.group(1) or qm.group(4))
        y = int(qm.group(2) or qm.group(3))
        s, e = quarter_bounds(y, q)
        return s, e, f"Q{q} {y}"
    if "this week" in low:
        s = today - timedelta(days=today.weekday())
        return s, s + timedelta(days=6), "this week"
    dm = re.search(r"\bnext (\d{1,3}) days\b", low)
    if dm:
        return today, today + timedelta(days=int(dm.group(1))), f"next {dm.group(1)} days"
    if "this year" in low:
        return date(today.year, 1, 1), date(today.year, 12, 31), f"{today.year}"
    return None


def parse_amounts(question: str) -> tuple[float | None, float | None]:
    low = question.lower().replace(",", "")
    def val(num: str, unit: str | None) -> float:
        mult = {"k": 1e3, "m": 1e6}.get((unit or "").lower(), 1.0)
        return float(num) * mult
    lo = re.search(r"\b(?:over|above|more than|at least|>)\s*\$?(\d+(?:\.\d+)?)\s*([km])?\b", low)
    hi = re.search(r"\b(?:under|below|less than|at most|<)\s*\$?(\d+(?:\.\d+)?)\s*([km])?\b", low)
    return (val(*lo.groups()) if lo else None, val(*hi.groups()) if hi else None)
