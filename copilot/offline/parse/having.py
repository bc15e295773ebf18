"""A bound on each group's figure, not on each record: 'which of my reps have more than 150 won deals', 'reps with
fewer than 5 open opps', 'who has at least 3 losses'. Read before amounts, so '150 won deals' is never a deal size."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from copilot.offline.parse.dates import Span, two_periods

_MORE = r"more than|over|above|greater than|at least|(?:a )?minimum of|>=?"
_LESS = r"fewer than|less than|under|below|at most|(?:a )?maximum of|no more than|<=?"
_WHAT = r"(?:won\s+|lost\s+|open\s+|closed\s+|new\s+|active\s+)?(?:deals?|opps?|opportunit(?:y|ies)|wins|losses|accounts?|" \
        r"activities|meetings|calls|emails)"


# 'which of my reps didn't win a single GTX deal in october': the groups at 0 (the verb stays for the status)
_NONE = re.compile(r"\b(didn'?t|did not|haven'?t|have not|hasn'?t|has not|never)\s+(?:win|won|close|closed|book|booked|sell|"
                   r"sold|lose|lost|create|created|land|landed)\b\s+(a single|any|one|a)\b")


_STRICT = ("more than", "over", "above", "greater than", ">", "fewer than", "less than", "under", "below", "<")


def _count_bound(word: str, n: int) -> tuple[bool, int]:
    """(is it an upper bound, the bound) of a whole count: 'more than 150' is at least 151, 'at most 3' at most 3."""
    upper = bool(re.fullmatch(_LESS, word))
    return upper, (n - 1 if upper else n + 1) if word in _STRICT else n


def group_bounds(low: str) -> tuple[float | None, float | None, list[tuple[int, int]]]:
    """(at least, at most, spans) of a count each group must reach: 'more than 150 won deals' is at least 151,
    'didn't win a single deal' is at most 0."""
    lo = hi = None
    spans: list[tuple[int, int]] = []
    m = _NONE.search(low)
    if m:
        return None, 0, [m.span(1), m.span(2)]
    for m in re.finditer(rf"\b({_MORE}|{_LESS})\s+(\d[\d,]*)\s+{_WHAT}\b", low):
        upper, n = _count_bound(m.group(1), int(m.group(2).replace(",", "")))
        lo, hi = (lo, n) if upper else (n, hi)
        pre = re.search(r"(?:\bonly\s+)?(?:\b[a-z]+s\s+)?\b(?:with|having|that have|who have)\s+$", low[:m.start()])
        spans.append((pre.start() if pre else m.start(), m.end()))  # 'only sectors with at least 40 closed deals'
    return lo, hi, spans


# 'reps whose win rate beats the team's', 'products below the average deal size', 'better than the team as a whole'
_TEAM = r"(?:the\s+|my\s+|our\s+)?(?:(?:whole|entire|overall)\s+)?(?:team|group|company|org|everyone)(?:'s)?"
_AVG = r"(?:average|avg|mean|overall|norm)"
_WHOLE = rf"(?:{_TEAM}(?:\s+(?:as a whole|overall|{_AVG}|number|figure|rate|win rate))?|(?:the\s+)?{_AVG})"
_VERSUS = re.compile(
    r"\b(?:(?P<up>better|higher|bigger|greater|larger|more|faster)|(?P<down>worse|lower|smaller|less|fewer|slower))\b"
    rf"(?:\s+[\w'-]+){{0,4}}?\s+than\s+{_WHOLE}\b"
    rf"|\b(?:(?P<above>above|over)|below|under)\s+(?:the\s+|my\s+|our\s+)?(?:(?:team|group|company)(?:'s)?\s+)?{_AVG}\b"
    rf"|\b(?:(?P<beat>beat(?:s|ing)?|outperform(?:s|ing)?|exceed(?:s|ing)?|top(?:s|ping)?)|"
    rf"trail(?:s|ing)?|lag(?:s|ging)?(?:\s+behind)?|underperform(?:s|ing)?)\s+{_WHOLE}\b")


_EITHER = re.compile(rf"\b(?:how far\s+)?(?:above or below|below or above|over or under|under or over|(?:vs\.?|versus|against|"
                     rf"compared (?:to|with)|relative to|minus)\s+)\s*{_WHOLE}\b")


def versus_all(low: str) -> tuple[str | None, list[tuple[int, int]]]:
    """('above', 'below' or 'both'; spans) when each group is measured against the figure over all of them: 'how many
    of my reps have a better win rate than the team as a whole', 'products below average deal size', 'how far above or
    below the team avg is each rep' (both: every group, with its distance)."""
    m = _EITHER.search(low)
    if m:
        return "both", [m.span()] + [x.span() for x in re.finditer(rf"\bminus\s+(?:the\s+)?{_WHOLE}\b", low)]
    m = _VERSUS.search(low)
    if not m:
        return None, []
    return ("above" if m.group("up") or m.group("above") or m.group("beat") else "below"), [m.span()]


_RATE = re.compile(rf"\b({_MORE}|{_LESS}|running (?:under|below|over|above)|sitting (?:under|below|over|above))\s+(?:an?\s+|the\s+)?"
                   r"(\d+(?:\.\d+)?)\s*(?:%|percent|pct)")


def rate_bounds(low: str) -> tuple[float | None, float | None, list[tuple[int, int]]]:
    """(at least, at most, spans) of a rate each group must reach, as a fraction: 'reps under a 60% win rate' is at most
    0.5999 ('under' is strict, to four places as rates are shown)."""
    lo = hi = None
    spans: list[tuple[int, int]] = []
    for m in _RATE.finditer(low):
        word, n = m.group(1).split()[-1], float(m.group(2)) / 100
        strict = word in ("than", "over", "above", "under", "below", ">", "<")
        if re.fullmatch(_LESS, m.group(1)) or word in ("under", "below"):
            hi = round(n - 0.0001, 4) if strict else n
        else:
            lo = round(n + 0.0001, 4) if strict else n
        spans.append(m.span())
    return lo, hi, spans


# each group over two periods: 'which reps improved their win rate from last qtr to this qtr', '…比上个季度高'
_TREND = re.compile(r"\b(?:(?P<up>improv\w*|increas\w*|gr[eo]w(?:n|th)?|went up|gone up|rose|risen|climb\w*|"
                    r"(?:higher|more|better|bigger|larger|up)\s+(?:than|from|vs\.?|versus|compared (?:to|with))(?!\s*[$€£]?\d))|"
                    r"(?P<down>declin\w*|decreas\w*|dropped|fell|fallen|went down|gone down|shr[iau]nk\w*|"
                    r"(?:lower|less|worse|fewer|smaller|down)\s+(?:than|from|vs\.?|versus|compared (?:to|with))(?!\s*[$€£]?\d)))")


def trend(low: str) -> tuple[Literal["up", "down"] | None, list[tuple[int, int]]]:
    """('up' or 'down', spans) when each group's figure is set against another period's and a direction is asked."""
    m = _TREND.search(low)
    if not m:
        return None, []
    return ("up" if m.group("up") else "down"), [m.span()]


_TOUCHES = r"(?:logged\s+)?(?:activities|activity|touches|touchpoints|interactions)"


def activity_bounds(low: str) -> tuple[int | None, int | None, list[tuple[int, int]]]:
    """(at least, at most, spans) of the activities logged on each deal or account: 'deals with more than 3
    activities' is at least 4, 'fewer than 2 touches' at most 1, '5+ activities' at least 5."""
    lo = hi = None
    spans: list[tuple[int, int]] = []
    for m in re.finditer(rf"\b({_MORE}|{_LESS})\s+(\d+)\s+{_TOUCHES}\b|\b(\d+)\s*(\+|or more|or fewer|or less)\s+{_TOUCHES}\b", low):
        if m.group(3):
            n = int(m.group(3))
            lo, hi = (n, hi) if m.group(4) in ("+", "or more") else (lo, n)
        else:
            upper, n = _count_bound(m.group(1), int(m.group(2)))
            lo, hi = (lo, n) if upper else (n, hi)
        spans.append(m.span())
    return lo, hi, spans


def periods_compared(low: str, today: date, taken: list[tuple[int, int]], group: str | None) -> tuple[
        Literal["up", "down"] | None, Span | None, Span | None, str | None, list[tuple[int, int]]]:
    """(direction, earlier, later, group, spans) when each group's figure is set in one period against another:
    'which reps improved their win rate from last qtr to this qtr' (up), 'per rep, how did won rev change from Q2 to
    Q3' (no direction: both shown), 'who on my team grew their bookings vs last month' (each rep). ``taken``: spans
    that are no date. Without two periods, the group is returned as it came and the periods are None."""
    direction, spans = trend(low)
    moved = None if direction else re.search(r"\bchang(?:e|ed|es)\b|\bdifference\b|\bdelta\b|\bminus\b", low)
    spans += [moved.span()] if moved else []
    who = re.search(r"\b(?:who|which (?:reps?|people|sellers?|aes?)|reps)\b", low)
    if not ((direction or moved and group) and (group or who) and group not in ("month", "quarter")):
        return direction, None, None, group, []
    earlier, later, said = two_periods(low, today, taken)
    if not (earlier and later):
        return direction, None, None, group, []
    return direction, earlier, later, group or "rep", spans + said + ([who.span()] if who and not group else [])
