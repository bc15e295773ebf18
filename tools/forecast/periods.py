"""Calendar periods in words ("last quarter", "Q2 2017", "last 90 days") relative to an as-of date.

Every period is a closed interval of dates ``(start, end)`` with a label; the offline engine and the
pipeline tool use these so that "last quarter" means the same thing everywhere.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from copilot.core.errors import UserError

Period = tuple[date, date, str]

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    if not 1 <= q <= 4:
        raise UserError(f"quarter {q} does not exist", hint="use Q1..Q4, e.g. 2017Q3")
    start = date(year, 3 * (q - 1) + 1, 1)
    return start, month_bounds(year, 3 * q)[1]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


def quarter_label(year: int, q: int) -> str:
    return f"{year}Q{q}"


def shift_quarter(year: int, q: int, n: int) -> tuple[int, int]:
    idx = year * 4 + (q - 1) + n
    return idx // 4, idx % 4 + 1


def parse_quarter(text: str, today: date | None = None) -> tuple[date, date, str]:
    """A quarter in any common spelling ('2017Q3', 'Q3 2017', '2017-q3', 'this quarter'); UserError if not."""
    got = parse_period(text, today or date.today())
    if got is None or not re.fullmatch(r"\d{4}Q[1-4]", got[2]):
        raise UserError(f"{text!r} is not a quarter", hint="write it like 2017Q3, 'Q3 2017' or 'this quarter'")
    return got


def parse_period(text: str, today: date) -> Period | None:
    """Parse a period relative to ``today`` (the as-of date); None when the text names no period.

    Understands: this/last/next quarter|month|year, year to date, quarter to date, 'Q2 2017', '2017Q2',
    'Q2' (this year), '2017', 'March 2017', '2017-03', 'last 90 days|weeks|months'.
    """
    t = " ".join((text or "").lower().replace(",", " ").split())
    if not t:
        return None
    y, q = quarter_of(today)
    rel = re.fullmatch(r"(this|current|last|previous|prior|next)\s+(quarter|month|year)", t)
    if rel:
        n = {"this": 0, "current": 0, "next": 1}.get(rel.group(1), -1)
        unit = rel.group(2)
        if unit == "quarter":
            yy, qq = shift_quarter(y, q, n)
            return (*quarter_bounds(yy, qq), quarter_label(yy, qq))
        if unit == "month":
            idx = today.year * 12 + today.month - 1 + n
            yy, mm = divmod(idx, 12)
            return (*month_bounds(yy, mm + 1), f"{yy}-{mm + 1:02d}")
        return date(y + n, 1, 1), date(y + n, 12, 31), str(y + n)
    if t in ("ytd", "year to date"):
        return date(y, 1, 1), today, f"{y} to date"
    if t in ("qtd", "quarter to date"):
        return quarter_bounds(y, q)[0], today, f"{quarter_label(y, q)} to date"
    m = re.fullmatch(r"(?:last|past|previous)\s+(\d+)\s+(day|week|month)s?", t)
    if m:
        n = int(m.group(1))
        days = n * {"day": 1, "week": 7, "month": 30}[m.group(2)]
        return today - timedelta(days=days - 1), today, f"last {n} {m.group(2)}s"
    m = re.fullmatch(r"q([1-4])(?:\s*[-/ ]?\s*(?:fy)?(\d{4}))?", t) or re.fullmatch(r"(\d{4})\s*[-/ ]?\s*q([1-4])", t)
    if m:
        a, b = m.group(1), m.group(2)
        if len(a) == 4:
            yy, qq = int(a), int(b)
        else:
            qq, yy = int(a), int(b) if b else y
        return (*quarter_bounds(yy, qq), quarter_label(yy, qq))
    m = re.fullmatch(r"(?:fy\s*)?(\d{4})", t)
    if m:
        yy = int(m.group(1))
        return date(yy, 1, 1), date(yy, 12, 31), str(yy)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        yy, mm = int(m.group(1)), int(m.group(2))
        return (*month_bounds(yy, mm), f"{yy}-{mm:02d}")
    m = re.fullmatch(r"([a-z]+)(?:\s+(\d{4}))?", t)
    if m and m.group(1) in _MONTHS:
        mm = _MONTHS[m.group(1)]
        yy = int(m.group(2)) if m.group(2) else y
        return (*month_bounds(yy, mm), f"{yy}-{mm:02d}")
    return None
