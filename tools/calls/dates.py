"""Deadlines said on a call ("next Tuesday", "by Friday", "March 3rd", "in two weeks"), relative to the call date."""

from __future__ import annotations

import re
from datetime import date, timedelta

_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "a": 1, "a couple of": 2, "couple of": 2, "few": 3}
_MON_RE = "|".join(m[:3] + r"(?:" + m[3:] + ")?" for m in _MONTHS)


def _month_day(month: int, day: int, today: date) -> date | None:
    try:
        d = date(today.year, month, day)
    except ValueError:
        return None
    return d if d >= today else date(today.year + 1, month, day)


def parse_due(text: str, call_date: date) -> tuple[date, str] | None:
    """The first deadline in ``text`` as (date, the words that said it), or None."""
    t = text.lower()
    m = re.search(rf"\b({_MON_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", t)
    if m:
        d = _month_day(_MONTHS.index(next(x for x in _MONTHS if x.startswith(m.group(1)[:3]))) + 1,
                       int(m.group(2)), call_date)
        if d:
            return d, m.group(0)
    m = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MON_RE})\b", t)
    if m:
        d = _month_day(_MONTHS.index(next(x for x in _MONTHS if x.startswith(m.group(2)[:3]))) + 1,
                       int(m.group(1)), call_date)
        if d:
            return d, m.group(0)
    m = re.search(r"\b(next|this|by|on|until|before)?\s*(" + "|".join(_DAYS) + r")\b", t)
    if m:
        target = _DAYS.index(m.group(2))
        ahead = (target - call_date.weekday()) % 7 or 7
        if m.group(1) == "next":  # "next Tuesday" = the Tuesday of next (Monday-start) week
            ahead = 7 - call_date.weekday() + target
        return call_date + timedelta(days=ahead), m.group(0).strip()
    if m := re.search(r"\btomorrow\b", t):
        return call_date + timedelta(days=1), m.group(0)
    if m := re.search(r"\bin\s+(\d+|one|two|three|four|a couple of|a few|a)\s+(day|week|month)s?\b", t):
        n = int(m.group(1)) if m.group(1).isdigit() else _NUM.get(m.group(1).replace("a few", "few"), 1)
        days = {"day": 1, "week": 7, "month": 30}[m.group(2)] * n
        return call_date + timedelta(days=days), m.group(0)
    if m := re.search(r"\bnext week\b", t):
        return call_date + timedelta(days=7 - call_date.weekday()), m.group(0)
    if m := re.search(r"\b(end of (the )?week)\b", t):
        return call_date + timedelta(days=(4 - call_date.weekday()) % 7), m.group(0)
    if m := re.search(r"\b(end of (the )?month)\b", t):
        nxt = (call_date.replace(day=28) + timedelta(days=4)).replace(day=1)
        return nxt - timedelta(days=1), m.group(0)
    return None
