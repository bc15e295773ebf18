"""Further figures one question asks for beside its main query: a rep's scorecard ("how did Ethan do"),
a period against an earlier one ("booked YTD vs last year", "tracking vs last quarter"). Each becomes an
extra ``CrmQuery`` over the same records; open pipeline, which keeps no history, is never compared. Also the
readings a whole question changes after the parse ("who hasn't logged any activity": per rep, zeros included)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from copilot.offline.parse.dates import find_windows

if TYPE_CHECKING:
    from copilot.offline.parse.result import Parse
    from tools.crm_query.schema import DateWindow

_VERSUS_PAST = re.compile(r"\b(?:vs\.?|versus|compared (?:to|with)|against|(?:better|worse|higher|lower|more|less) "
                          r"than|up from|down from)\s+(?:the\s+)?(?:last|previous|prior)\s+(?:week|month|quarter|year)\b",
                          re.I)
_VERSUS = re.compile(r"\b(vs\.?|versus|compared (to|with)|against|minus)\b", re.I)
_EACH = re.compile(r"\b(more|less|fewer|better|worse|higher|lower|bigger|smaller|each|which|compare)\b", re.I)


def add_followups(main: Parse, today: date) -> None:
    q = main.query
    if q is None:
        return
    if "performance" in main.explicit:
        # 'how did Ethan do last quarter': won revenue in the period, win rate in it, pipeline today
        main.also.append(q.model_copy(update={"metric": "win_rate",
                                               "filters": q.filters.model_copy(update={"status": "closed"})}))
        main.also.append(q.model_copy(update={"metric": "pipeline", "filters": q.filters.model_copy(
            update={"status": "open", "windows": []})}))
    periodic = q.effective_status() in ("won", "lost", "closed") or q.metric in ("win_rate", "loss_rate",
                                                                                  "cycle_length")
    windows = _distinct(q.filters.windows)
    if len(windows) < len(q.filters.windows):  # 'this quarter compared to last quarter? q4 minus q3': two periods
        q = q.model_copy(update={"filters": q.filters.model_copy(update={"windows": windows})})
        main.query = q
    versus_past = _VERSUS_PAST.search(main.text) if q.versus_window is None else None  # each group's two already
    if versus_past and len(windows) == 1 and not periodic:
        main.query = q.model_copy(update={"filters": q.filters.model_copy(update={"windows": []})})
        main.unapplied.append(versus_past.group(0))
        main.assumptions.append("open pipeline is today's; its past values are not kept, so it is not compared")
    elif versus_past and len(windows) == 1:
        named = windows[0]  # 'tracking vs last quarter': this period so far against the one named
        unit = re.search(r"(week|month|quarter|year)", named.label or "", re.I)
        if unit:
            now = find_windows(f"this {unit.group(1).lower()}", today)[0]
            current = named.model_copy(update={"start": now.start, "end": min(now.end or today, today),
                                               "label": f"this {unit.group(1).lower()} so far"})
            main.query = q.model_copy(update={"filters": q.filters.model_copy(update={"windows": [current]})})
            main.also.append(q)
    elif periodic and len(windows) == 2 and windows[0].field == windows[1].field and q.group_by in ("month", "quarter") \
            and _adjacent(windows[0], windows[1]):
        first, second = sorted(windows, key=lambda w: w.start or today)  # 'QoQ: this quarter vs last': both, grouped
        both = first.model_copy(update={"end": max(first.end or today, second.end or today),
                                         "label": f"{first.label} to {second.label}"})
        main.query = q.model_copy(update={"filters": q.filters.model_copy(update={"windows": [both]})})
    elif len(windows) == 2 and windows[0].field == windows[1].field and _adjacent(windows[0], windows[1]) \
            and not _VERSUS.search(main.text) and not _EACH.search(main.text):
        first, second = sorted(windows, key=lambda w: w.start or today)  # 'closing in jan or feb': both months
        both = first.model_copy(update={"end": second.end, "label": f"{first.label} or {second.label}"})
        main.query = q.model_copy(update={"filters": q.filters.model_copy(update={"windows": [both]})})
    elif len(windows) == 2 and windows[0].field == windows[1].field and q.group_by not in (None, "month", "quarter") \
            and not q.compare and q.metric not in ("list", "last_touch") and (
            periodic and _VERSUS.search(main.text) or _disjoint(windows[0], windows[1])):
        earlier, later = sorted(windows, key=lambda w: w.start or today)  # 'win rate by rep, this quarter vs last': each
        main.query = q.model_copy(update={"versus_window": earlier,  # rep's two figures side by side
                                          "filters": q.filters.model_copy(update={"windows": [later]})})
    elif len(windows) == 2 and windows[0].field == windows[1].field and (
            periodic and _VERSUS.search(main.text) or _disjoint(windows[0], windows[1])):
        # 'booked YTD vs last year', 'did I win more in Q2 or Q3': the same figure for each period (two periods that
        # do not meet are never meant as their empty overlap)
        first, second = windows  # 'booked YTD vs last year': the same figure for each period
        main.query = q.model_copy(update={"filters": q.filters.model_copy(update={"windows": [first]})})
        main.also.append(q.model_copy(update={"filters": q.filters.model_copy(update={"windows": [second]})}))


_NONE_LOGGED = re.compile(
    r"\b(?:who|which (?:reps?|sellers?|people|members?|aes?))\b.{0,60}?\b(?:has ?n'?t|has not|have ?n'?t|have not|did ?n'?t|"
    r"did not|no|zero|not)\b.{0,40}?\b(?:activit\w*|logged|touch\w*|calls?|emails?|meetings?|notes?|tasks?)\b", re.I)


def who_has_none(main: Parse) -> None:
    """'who on my team hasn't logged any activity in the last 10 days': activities counted per rep, fewest
    first, with the reps who have none listed at 0 (the records alone never show who did nothing)."""
    q = main.query
    if q is None or not _NONE_LOGGED.search(main.text) or q.object not in ("activities", "deals"):
        return
    if q.object == "deals" and not re.search(r"\bactivit", main.text, re.I):
        return
    windows = [w.model_copy(update={"field": "created"}) for w in q.filters.windows if w.field in ("created", "last_activity")]
    filters = q.filters.model_copy(update={"windows": windows, "status": None, "inactive_days": None})
    main.query = q.model_copy(update={"object": "activities", "metric": "count", "group_by": "rep", "order": "asc",
                                      "limit": None, "include_empty": True, "filters": filters})


def _distinct(windows: list[DateWindow]) -> list[DateWindow]:
    """The windows without repeats: the same field and days said twice ('this quarter ... q4') are one period."""
    out: list[DateWindow] = []
    for w in windows:
        if not any((w.field, w.start, w.end) == (o.field, o.start, o.end) for o in out):
            out.append(w)
    return out


def _adjacent(a: DateWindow, b: DateWindow) -> bool:
    """Do the two windows meet (one ends the day before the other starts)? Then their union is both, nothing more."""
    if not (a.start and a.end and b.start and b.end):
        return False
    first, second = sorted((a, b), key=lambda w: w.start)  # type: ignore[arg-type, return-value]
    return (second.start - first.end).days == 1  # type: ignore[operator]


def _disjoint(a: DateWindow, b: DateWindow) -> bool:
    """Do the two windows share no day?"""
    return bool(a.end and b.start and a.end < b.start or b.end and a.start and b.end < a.start)

