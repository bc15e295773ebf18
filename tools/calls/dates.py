"""Deadlines said on a call ("next Tuesday", "by Friday", "March 3rd", "in two weeks"; "下周二", "周五之前",
"12月5日", "两周内"), relative to the call date."""

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


_ZH_DAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0}


def _due_zh(t: str, call_date: date) -> tuple[date, str] | None:
    if m := re.search(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", t):
        d = _month_day(int(m.group(1)), int(m.group(2)), call_date)
        if d:
            return d, m.group(0)
    if m := re.search(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天])", t):
        target = _ZH_DAY[m.group(2)]
        ahead = (target - call_date.weekday()) % 7 or 7
        if m.group(1) and m.group(1).startswith("下"):
            ahead = 7 - call_date.weekday() + target + (7 if m.group(1) == "下下" else 0)
        elif m.group(1):  # 'this Friday': this week's
            ahead = target - call_date.weekday() if target >= call_date.weekday() else ahead
        return call_date + timedelta(days=ahead), m.group(0)
    if m := re.search(r"明天", t):
        return call_date + timedelta(days=1), m.group(0)
    if m := re.search(r"后天", t):
        return call_date + timedelta(days=2), m.group(0)
    if m := re.search(r"(\d+|[一两二三四五六七八九十])\s*(?:个)?(天|周|星期|礼拜|月)(?:之内|以内|内|后)", t):
        n = int(m.group(1)) if m.group(1).isdigit() else _ZH_NUM[m.group(1)]
        return call_date + timedelta(days={"天": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30}[m.group(2)] * n), m.group(0)
    if m := re.search(r"下(?:个)?(?:周|星期|礼拜)", t):
        return call_date + timedelta(days=7 - call_date.weekday()), m.group(0)
    if m := re.search(r"(?:这|本)(?:周|星期)(?:末|底)|周末(?:前|之前)", t):
        return call_date + timedelta(days=(4 - call_date.weekday()) % 7), m.group(0)
    if m := re.search(r"月底|月末", t):
        nxt = (call_date.replace(day=28) + timedelta(days=4)).replace(day=1)
        return nxt - timedelta(days=1), m.group(0)
    return None


def parse_due(text: str, call_date: date) -> tuple[date, str] | None:
    """The first deadline in ``text`` as (date, the words that said it), or None."""
    t = text.lower()
    if re.search(r"[\u4e00-\u9fff]", t):
        return _due_zh(t, call_date)
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
