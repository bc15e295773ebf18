"""Date expressions ("this quarter", "last 3 weeks", "Q3 2017", "since June") as absolute inclusive windows.

An expression is a small dict, ``{"kind": "last_n_days", "n": 21}``, so a composition stays meaningful for
any ``today``: the gold answer resolves it against the day the question is asked (the demo's anchor, or
2017-12-31 for the Maven export). Rules (docs/crm-query.md leaves them open; the engine should match):

- months, quarters and years are whole calendar periods; weeks run Monday to Sunday;
- "last N days/weeks" is ``[today - N days, today]``, "next N days/weeks" is ``[today, today + N days]``;
- "year to date" / "quarter to date" end today; "since June" is the latest June 1 on or before today .. today;
- "before year end" / "before quarter end" is ``[today, last day of the period]``;
- "overdue" / "in the past" (``before_today``) is ``[open, yesterday]``;
- a quarter or month named without a year is in today's year.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def month_range(year: int, month: int) -> tuple[date, date]:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), nxt - timedelta(days=1)


def quarter_range(year: int, q: int) -> tuple[date, date]:
    return date(year, 3 * q - 2, 1), month_range(year, 3 * q)[1]


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    i = year * 12 + month - 1 + by
    return i // 12, i % 12 + 1


def shift_quarter(year: int, q: int, by: int) -> tuple[int, int]:
    i = year * 4 + q - 1 + by
    return i // 4, i % 4 + 1


def resolve(expr: dict[str, Any], today: date) -> tuple[date | None, date | None]:
    """The inclusive window ``(start, end)`` of one expression; either side may be None (open)."""
    kind = expr["kind"]
    n = int(expr.get("n", 0))
    y, q = today.year, quarter_of(today)
    if kind == "absolute":
        return (date.fromisoformat(expr["start"]) if expr.get("start") else None,
                date.fromisoformat(expr["end"]) if expr.get("end") else None)
    if kind in ("this_week", "last_week", "next_week"):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks={"this_week": 0, "last_week": -1,
                                                                            "next_week": 1}[kind])
        return monday, monday + timedelta(days=6)
    if kind in ("this_month", "last_month", "next_month"):
        return month_range(*shift_month(y, today.month, {"this_month": 0, "last_month": -1, "next_month": 1}[kind]))
    if kind in ("this_quarter", "last_quarter", "next_quarter"):
        return quarter_range(*shift_quarter(y, q, {"this_quarter": 0, "last_quarter": -1, "next_quarter": 1}[kind]))
    if kind in ("this_year", "last_year", "next_year"):
        yy = y + {"this_year": 0, "last_year": -1, "next_year": 1}[kind]
        return date(yy, 1, 1), date(yy, 12, 31)
    if kind == "ytd":
        return date(y, 1, 1), today
    if kind == "qtd":
        return quarter_range(y, q)[0], today
    if kind == "quarter":
        return quarter_range(int(expr.get("year") or y), int(expr["q"]))
    if kind == "month":
        return month_range(int(expr.get("year") or y), int(expr["month"]))
    if kind == "year":
        return date(int(expr["year"]), 1, 1), date(int(expr["year"]), 12, 31)
    if kind == "since_month":
        m = int(expr["month"])
        start = date(y if m <= today.month else y - 1, m, 1)
        return start, today
    if kind == "last_n_days":
        return today - timedelta(days=n), today
    if kind == "last_n_weeks":
        return today - timedelta(weeks=n), today
    if kind == "next_n_days":
        return today, today + timedelta(days=n)
    if kind == "next_n_weeks":
        return today, today + timedelta(weeks=n)
    if kind == "before_year_end":
        return today, date(y, 12, 31)
    if kind == "before_today":
        return None, today - timedelta(days=1)
    if kind == "before_quarter_end":
        return today, quarter_range(y, q)[1]
    raise ValueError(f"unknown date expression {kind!r}")


def window_bounds(window: dict[str, Any], today: date) -> tuple[date | None, date | None]:
    """A composition window: ``{"field": "close", "expr": {...}}`` or ``{"field", "start", "end"}``."""
    if "expr" in window:
        return resolve(window["expr"], today)
    return resolve({"kind": "absolute", "start": window.get("start"), "end": window.get("end")}, today)


def month_label(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


def quarter_label(d: date) -> str:
    return f"{d.year}Q{quarter_of(d)}"
