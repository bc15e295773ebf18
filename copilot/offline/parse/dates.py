"""Time expressions in a question -> inclusive date windows, relative to ``today``.

Relative periods ("this quarter", "last 3 weeks", "before year end", "YTD", "Q3 2017", "since June")
are computed with ``dateutil.relativedelta``; explicit dates ("by March 31", "before 2026-12-15") are
read by ``dateutil.parser``. dateutil is already a dependency, is maintained, deterministic and fast
to import; dateparser was weighed for its many languages but costs about a second at import.
Each hit reports the character span it consumed, for the parser's coverage check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as du
from dateutil.relativedelta import relativedelta

_TEMPORAL = ("in", "during", "since", "before", "after", "until", "till", "from", "by")  # 'in Mar' is March
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
_MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
       r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "twelve": 12, "couple": 2, "few": 3}
_N = r"(\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|couple(?: of)?|few)"
_UNIT = r"(day|week|wk|month|mo|quarter|year|yr)s?"


@dataclass(frozen=True)
class Span:
    start: date | None
    end: date | None
    label: str
    at: tuple[int, int]  # character span in the question
    kind: str = "period"  # period | before | after
    year_implied: bool = False  # 'Q1' or 'in March' with no year: the caller may move it a year on


def _n(word: str) -> int:
    w = word.replace(" of", "")
    return int(w) if w.isdigit() else _NUM.get(w, 1)


def _delta(n: int, unit: str) -> relativedelta:
    u = unit[0] if unit not in ("mo", "month") else "m"
    if unit.startswith("mo"):
        u = "m"
    return {"d": relativedelta(days=n), "w": relativedelta(weeks=n), "m": relativedelta(months=n),
            "q": relativedelta(months=3 * n), "y": relativedelta(years=n)}[u]


def month_end(d: date) -> date:
    return (d.replace(day=1) + relativedelta(months=1)) - timedelta(days=1)


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _unit_bounds(unit: str, today: date, shift: int) -> tuple[date, date]:
    if unit.startswith("week") or unit == "wk":
        s = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
        return s, s + timedelta(days=6)
    if unit.startswith("month") or unit == "mo":
        s = today.replace(day=1) + relativedelta(months=shift)
        return s, month_end(s)
    if unit.startswith("quarter"):
        s = quarter_start(today) + relativedelta(months=3 * shift)
        return s, month_end(s + relativedelta(months=2))
    s = date(today.year + shift, 1, 1)
    return s, date(s.year, 12, 31)


def _explicit(text: str, today: date) -> date | None:
    try:
        got = du.parse(text, default=datetime(today.year, 1, 1), fuzzy=False)
    except (ValueError, OverflowError):
        return None
    return got.date()


RULES: list[tuple[str, object]] = []


def find_windows(question: str, today: date) -> list[Span]:
    """Every time expression in the question, left to right, without overlaps."""
    low = question.lower()
    out: list[Span] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], start: date | None, end: date | None, label: str, kind: str = "period",
            implied: bool = False) -> None:
        a, b = m.span()
        a += len(m.group(0)) - len(m.group(0).lstrip())  # the words, not the space before them ('10000 october')
        if any(a < y and x < b for x, y in taken):
            return
        taken.append((a, b))
        out.append(Span(start, end, label, (a, b), kind, implied))

    for m in re.finditer(r"\b(this|current|last|previous|prior|past|next|coming|upcoming)\s+(calendar\s+|fiscal\s+)?"
                         r"(week|month|quarter|year|qtr|q)\b", low):
        unit = {"qtr": "quarter", "q": "quarter"}.get(m.group(3), m.group(3))
        shift = {"this": 0, "current": 0, "last": -1, "previous": -1, "prior": -1, "past": -1}.get(m.group(1), 1)
        s, e = _unit_bounds(unit, today, shift)
        add(m, s, e, m.group(0))
    for m in re.finditer(r"\b(?:(?:for|in|over)\s+the|for)\s+(year|quarter|month)\b(?!\s+(?:to|before|ending|ended|of|\d))",
                         low):
        s, e = _unit_bounds(m.group(1), today, 0)  # 'how much did I close for the year': this one
        add(m, s, e, f"this {m.group(1)}")
    for m in re.finditer(rf"\b(?:in\s+the\s+|over\s+the\s+|during\s+the\s+)?(?:last|past|previous|prior)\s+{_N}\s+{_UNIT}\b", low):
        s = today - _delta(_n(m.group(1)), m.group(2))
        add(m, s, today, m.group(0).strip())
    for m in re.finditer(rf"\b(?:in\s+the\s+|over\s+the\s+|within\s+(?:the\s+)?)?(?:next|coming|upcoming)\s+{_N}\s+{_UNIT}\b|"
                         rf"\bwithin\s+{_N}\s+{_UNIT}\b|\bin\s+the\s+next\s+{_N}\s+{_UNIT}\b", low):
        g = [x for x in m.groups() if x]
        add(m, today, today + _delta(_n(g[0]), g[1]), m.group(0).strip())
    for m in re.finditer(r"\b(?:by|before|until|till|ahead of)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?|eo)"
                         r"(year|quarter|month|y|q|m)\b|\b(?:by|before)\s+(?:year|quarter|month)[- ]end\b|"
                         r"\b(?:rest of|remainder of)\s+(?:the\s+)?(year|quarter|month)\b", low):
        word = next((x for x in m.groups() if x), None) or re.search(r"(year|quarter|month)", m.group(0)).group(1)  # type: ignore[union-attr]
        unit = {"y": "year", "q": "quarter", "m": "month"}.get(word, word)
        add(m, today, _unit_bounds(unit, today, 0)[1], m.group(0))
    # 'closing by end of feb', 'by the end of january 2027': everything up to that month's end (the next one to come)
    for m in re.finditer(rf"\b(?:by|before|until|till|through|thru)\s+(?:the\s+)?end\s+of\s+({_MON})\.?"
                         rf"(?:\s+((?:19|20)\d{{2}}))?\b", low):
        month = next(i + 1 for i, name in enumerate(MONTHS) if name.startswith(m.group(1)[:3]))
        yr = int(m.group(2)) if m.group(2) else today.year
        if not m.group(2) and month_end(date(yr, month, 1)) < today:
            yr += 1
        add(m, None, month_end(date(yr, month, 1)), m.group(0).strip(), "before")
    # 'closing EOQ', 'commit by the end of the quarter' without 'by': from today to the period's end
    for m in re.finditer(r"\b(?:at\s+)?(?:eo(q|y|m)|eo(qtr|yr)|(?:the\s+)?end\s+of\s+(?:the\s+)?(year|quarter|qtr|month))\b", low):
        word = next(x for x in m.groups() if x)
        unit = {"y": "year", "yr": "year", "q": "quarter", "qtr": "quarter", "m": "month"}.get(word, word)
        add(m, today, _unit_bounds(unit, today, 0)[1], m.group(0).strip())
    # Half years: 'H1', 'H2 2025', '1H', 'first half (of 2025)'
    for m in re.finditer(r"\b(?:h([12])|([12])h|(first|second|1st|2nd)\s+half(?:\s+of)?(?:\s+the\s+year)?)"
                         r"(?:\s*(?:of\s+|fy\s*|')?((?:19|20)?\d{2})\b)?(?!\w)", low):
        half = int(m.group(1) or m.group(2) or (1 if m.group(3) in ("first", "1st") else 2))
        y = m.group(4)
        year = (int(y) + 2000 if len(y) == 2 else int(y)) if y else today.year
        s = date(year, 6 * half - 5, 1)
        add(m, s, month_end(s + relativedelta(months=5)), f"H{half} {year}", implied=not y)
    for m in re.finditer(r"\bfy\s*'?((?:19|20)?\d{2})\b", low):  # a fiscal year, read as the calendar year (said)
        y = int(m.group(1)) + (2000 if len(m.group(1)) == 2 else 0)
        add(m, date(y, 1, 1), date(y, 12, 31), f"FY{y} (as the calendar year)")
    for m in re.finditer(r"\b(ytd|year[- ]to[- ]date|qtd|quarter[- ]to[- ]date|mtd|month[- ]to[- ]date|so far this "
                         r"(?:year|quarter|month))\b", low):
        w = m.group(1)
        unit = "year" if "y" in w[:2] or "year" in w else "quarter" if w.startswith("q") or "quarter" in w else "month"
        add(m, _unit_bounds(unit, today, 0)[0], today, w)
    for m in re.finditer(r"\b(?:q([1-4])\s*(?:of\s*|fy\s*|')?((?:19|20)?\d{2})?|((?:19|20)\d{2})\s*-?\s*q([1-4]))\b", low):
        q = int(m.group(1) or m.group(4))
        y = m.group(2) or m.group(3)
        year = (int(y) + 2000 if len(y) == 2 else int(y)) if y else today.year
        s = date(year, 3 * q - 2, 1)
        add(m, s, month_end(s + relativedelta(months=2)), f"Q{q} {year}", implied=not y)
    # Month ranges: 'between may and aug 2017', 'sep thru nov', 'from march to june 2025', 'jan-mar'
    for m in re.finditer(rf"\b(between\s+|from\s+)?({_MON})\.?(?:\s+((?:19|20)\d{{2}}))?\s*"
                         rf"(and|to|thru|through|till|until|-|–)\s*({_MON})\.?(?:\s+((?:19|20)\d{{2}}))?\b", low):
        if m.group(4) == "and" and not m.group(1):
            continue  # 'may and june deals' alone is two months, not necessarily a range
        first, last = (next(i + 1 for i, name in enumerate(MONTHS) if name.startswith(x[:3])) for x in (m.group(2), m.group(5)))
        y2 = int(m.group(6) or m.group(3) or today.year)
        y1 = int(m.group(3)) if m.group(3) else y2 if first <= last else y2 - 1
        if not (m.group(3) or m.group(6)) and date(y1, first, 1) > today:
            y1, y2 = y1 - 1, y2 - 1  # 'sep thru nov' said in March means the last ones
        s, e = date(y1, first, 1), month_end(date(y2, last, 1))
        if s <= e:
            add(m, s, e, f"{MONTHS[first - 1][:3]} to {MONTHS[last - 1][:3]} {y2}",
                implied=not (m.group(3) or m.group(6)))
    for m in re.finditer(rf"\b(since|after|from|before|by|until|till|prior to|in|during|for|of)?\s*"
                         rf"(?:(?:the\s+)?(?:start|beginning)\s+of\s+)?({_MON})\.?"
                         rf"(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s+((?:19|20)\d{{2}}))?\b", low):
        prep, mon, day, year_txt = m.group(1), m.group(2), m.group(3), m.group(4)
        if mon == "may" and not (prep or day or year_txt):
            continue  # 'may' the verb
        if mon == "mar" and not (day or year_txt) and prep not in _TEMPORAL \
                or (prep is None and not (day or year_txt) and len(mon) < 4):
            continue
        month = next(i + 1 for i, name in enumerate(MONTHS) if name.startswith(mon[:3]))
        yr = int(year_txt) if year_txt else today.year
        if not year_txt and prep in (None, "in", "during", "for", "of", "since") and date(yr, month, 1) > today:
            yr -= 1  # 'in March' said in November means the last March
        if day:
            try:
                point = date(yr, month, int(day))
            except ValueError:
                continue
            s, e = point, point
        else:
            s, e = date(yr, month, 1), month_end(date(yr, month, 1))
        _bounded(add, m, prep, s, e, today, implied=not year_txt)
    for m in re.finditer(r"\b(since|after|from|before|by|until|till|prior to|on)?\s*(\d{4}-\d{1,2}-\d{1,2}|"
                         r"\d{1,2}/\d{1,2}/\d{2,4})\b", low):
        explicit = _explicit(m.group(2), today)
        if explicit:
            _bounded(add, m, m.group(1), explicit, explicit, today)
    for m in re.finditer(r"\b(since|after|before|by|until|in|during|for|of)?\s*((?:19|20)\d{2})\b", low):
        y = int(m.group(2))
        _bounded(add, m, m.group(1), date(y, 1, 1), date(y, 12, 31), today)
    for m in re.finditer(rf"\b(this|next|last|on|coming|this coming)\s+{_WEEKDAY}|"
                         r"\b(today|tomorrow|yesterday)\b", low):
        if m.group(3):
            d = today + timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[m.group(3)])
        else:
            d = _weekday(today, m.group(1), m.group(2))
        add(m, d, d, m.group(0))
    out.sort(key=lambda s: s.at)
    return _nested(_ranges(out, low), low)


_RANGE_GAP = ("and", "to", "thru", "through", "-", "–", "")  # '' when the second date took 'until' with it


def _ranges(spans: list[Span], low: str) -> list[Span]:
    """'between feb 1 and apr 15', 'from 2017-02-01 to 2017-04-15', 'may 15 - aug 31': two dates joined as a range
    are one period, from the first's start to the second's end (they were two windows, each one day)."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if prev is None or prev.start is None or s.end is None:
            out.append(s)
            continue
        gap = low[prev.at[1]:s.at[0]].strip()
        opened = re.search(r"\b(?:between|from)\s*$", low[:prev.at[0]]) is not None or prev.kind == "after"
        joins = (prev.kind == "period" or prev.kind == "after" and prev.label.startswith("from")) \
            and (s.kind == "period" or s.kind == "before" and re.match(r"(?:until|till|through|thru)\b", s.label)) \
            and gap in _RANGE_GAP and (gap or s.kind == "before") \
            and (opened or gap != "and" and prev.start == prev.end and s.start == s.end)  # 'compare q3 to q4': two
        if not joins:
            out.append(s)
            continue
        start, end = prev.start, s.end
        if start > end and prev.year_implied:
            start = start - relativedelta(years=1)  # 'between nov 15 and feb 10' said in March: the last winter
        if start > end:
            out.append(s)
            continue
        out[-1] = Span(start, end, f"{prev.label} {'to ' if gap else ''}{s.label}", (prev.at[0], s.at[1]), "period",
                       prev.year_implied and s.year_implied)
    return out


_WEEKDAY = r"(mon|tue|tues|wed|thu|thur|thurs|fri)(?:day|sday|nesday|rsday)?\b"


def _weekday(today: date, word: str, day: str) -> date:
    """'next tuesday': the Tuesday of next week; 'this tuesday': the coming one, today included; 'last tuesday': the
    latest one before today; 'on tuesday': the coming one (a week from today when today is Tuesday)."""
    wd = ["mon", "tue", "wed", "thu", "fri"].index(day[:3])
    if word == "next":
        return today - timedelta(days=today.weekday()) + timedelta(weeks=1, days=wd)
    if word == "last":
        return today - timedelta(days=(today.weekday() - wd) % 7 or 7)
    if word == "this":
        return today + timedelta(days=(wd - today.weekday()) % 7)
    return today + timedelta(days=(wd - today.weekday()) % 7 or 7)


def _nested(spans: list[Span], low: str) -> list[Span]:
    """'2026 ytd', 'Q4 so far this year': two periods side by side, one inside the other, are one period (the
    inner one), so '2025 vs 2026 ytd' compares two periods instead of asking for all three at once."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if prev and prev.kind == s.kind == "period" and None not in (prev.start, prev.end, s.start, s.end) \
                and not low[prev.at[1]:s.at[0]].strip() and (prev.start, prev.end) != (s.start, s.end):
            lo, hi = max(prev.start, s.start), min(prev.end, s.end)  # type: ignore[type-var]
            if (lo, hi) in ((prev.start, prev.end), (s.start, s.end)):
                out[-1] = Span(lo, hi, f"{prev.label} {s.label}", (prev.at[0], s.at[1]), "period",
                               prev.year_implied and s.year_implied)
                continue
        out.append(s)
    return out


def _bounded(add, m: re.Match[str], prep: str | None, s: date, e: date, today: date,  # type: ignore[no-untyped-def]
             implied: bool = False) -> None:
    label = m.group(0).strip()
    if prep in ("since", "after", "from"):
        add(m, s if prep != "after" else e + timedelta(days=1), None, label, "after")
    elif prep in ("before", "prior to"):
        add(m, None, s - timedelta(days=1), label, "before")
    elif prep in ("by", "until", "till"):
        add(m, None, e, label, "before")
    else:
        add(m, s, e, label, implied=implied)


def two_periods(low: str, today: date, taken: list[tuple[int, int]]) -> tuple[Span | None, Span | None,
                                                                            list[tuple[int, int]]]:
    """(earlier, later) when a question sets a figure in one period against another: 'from last qtr to this qtr' is
    two periods here, not one range; 'vs last quarter' alone is against this quarter. ``taken``: spans that are no
    date ('in 3 weeks' of an inactivity phrase). The spans are every place the two were said."""
    apart = re.sub(r"\b(?:from|to|and|through|thru|vs\.?|versus)\b", lambda m: " " * len(m.group(0)), low)
    pair = [w for w in find_windows(apart, today) if not any(a < w.at[1] and w.at[0] < b for a, b in taken)]
    said = [w.at for w in pair]
    pair = list({(w.start, w.end): w for w in reversed(pair)}.values())[::-1]  # '(q3 minus q2)' said again: the same two
    unit = re.search(r"\b(week|month|quarter|year)\b", pair[0].label) if len(pair) == 1 else None
    if unit and pair[0].end and pair[0].end < today:  # 'which products declined vs last quarter': this one
        now = find_windows(f"this {unit.group(1)}", today)[0]
        pair.append(Span(now.start, now.end, f"this {unit.group(1)}", pair[0].at))
    if len(pair) != 2 or not (pair[0].start and pair[1].start) or pair[0].start == pair[1].start:
        return None, None, []
    earlier, later = sorted(pair, key=lambda w: w.start or today)
    return earlier, later, said
