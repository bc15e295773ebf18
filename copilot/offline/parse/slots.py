"""Slot readers that need more than a lexicon: amounts, inactivity, pushes, next steps, grouping, top-N,
comparisons. Each returns its value and the character spans it consumed."""

from __future__ import annotations

import re

from copilot.offline.parse.lexicon import GROUPS

Spans = list[tuple[int, int]]
_WORDNUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "a": 1, "an": 1, "a couple of": 2, "couple": 2,
            "a few": 3, "few": 3, "once": 1, "twice": 2, "thrice": 3}
NUMWORD = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|a couple of|a few|a|an)"
_MONEY = r"\$?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(k|m|mm|thousand|million|grand)?\b"


def num(word: str) -> int:
    return int(word) if word.isdigit() else _WORDNUM.get(word, 1)


def money(value: str, unit: str | None) -> float:
    mult = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6}.get((unit or "").lower(), 1.0)
    return float(value.replace(",", "")) * mult


def _shared_unit(first: str, own: str | None, second: str | None) -> str | None:
    """'50 to 80k': the second bound's unit is the first's too; '75000 to 80k' already says its own size."""
    return own or (second if float(first.replace(",", "")) < 1000 else None)


def amounts(low: str) -> tuple[float | None, float | None, Spans]:
    """(at least, at most, spans) of the amount filters: 'over 50k', 'between $2,000 & 4k', 'under 10000'.
    The word that leads into a bound is part of it: 'worth over 50k', 'valued at more than $20k'."""
    lo, hi, spans = _bounds(low)
    spans = [(a, b + len(m.group(0))) if (m := re.match(r"\s*(?:dollars|usd|bucks)\b", low[b:])) else (a, b)
             for a, b in spans]  # 'over 5000 dollars': the unit is the bound's
    spans += [m.span(1) for m in re.finditer(r"\b(worth|valued(?: at)?|value|amount|sized?)\s+(?:of\s+)?\S", low)
              if any(a <= m.end() - 1 < b for a, b in spans)]
    return lo, hi, spans


def _bounds(low: str) -> tuple[float | None, float | None, Spans]:
    lo = hi = None
    spans: Spans = []
    m = re.search(rf"\b(?:between|from)\s+{_MONEY}\s+(?:and|to|-|&)\s+{_MONEY}|{_MONEY}\s*(?:-|to)\s*{_MONEY}\s+range\b|"
                  rf"\bin the\s+{_MONEY}\s*(?:-|to)\s*{_MONEY}(?:\s+range)?", low)
    if m and not m.group(1):
        g = [x for x in m.groups() if x is not None]
        m2 = re.search(_MONEY + r"\s*(?:-|to)\s*" + _MONEY, m.group(0))
        if m2:
            a, b = money(m2.group(1), _shared_unit(m2.group(1), m2.group(2), m2.group(4))), money(m2.group(3), m2.group(4))
            return min(a, b), max(a, b), [m.span()]
        del g
    if m:
        a, b = money(m.group(1), _shared_unit(m.group(1), m.group(2), m.group(4))), money(m.group(3), m.group(4))
        return min(a, b), max(a, b), [m.span()]
    for m in re.finditer(rf"(?:\b(?:over|above|more than|greater than|bigger than|larger than|at least|exceeding|"
                         rf"north of|min(?:imum)?(?: of)?)|>=?)\s*{_MONEY}|{_MONEY}\s*\+|{_MONEY}\s+(?:or more|and up|plus)\b",
                         low):
        g = [x for x in m.groups()]
        v, u = (g[0], g[1]) if g[0] else (g[2], g[3]) if g[2] else (g[4], g[5])
        if v and (u or "$" in m.group(0) or float(v.replace(",", "")) >= 100):
            lo = money(v, u)
            spans.append(m.span())
    for m in re.finditer(rf"(?:\b(?:under|below|less than|smaller than|at most|up to|max(?:imum)?(?: of)?|south of)|<=?)"
                         rf"\s*{_MONEY}", low):
        if m.group(2) or "$" in m.group(0) or float(m.group(1).replace(",", "")) >= 100:
            hi = money(m.group(1), m.group(2))
            spans.append(m.span())
    return lo, hi, spans


UNIT_DAYS = {"day": 1, "week": 7, "wk": 7, "month": 30, "mo": 30, "quarter": 91, "year": 365}
_QUIET = (r"(?:no|zero|without(?: any)?|hasn'?t (?:had|seen) any|had no|not had any|lacking)\s+(?:recent\s+)?"
          r"(?:activity|activities|touch(?:es|points?)?|contact|engagement|emails?|meetings?|calls?|movement|updates?)")
_NOT_TOUCHED = (r"(?:haven'?t|hasn'?t|have not|has not|didn'?t|not been|weren'?t|wasn'?t|not)\s+"
                r"(?:(?:i|we|you|anyone|someone|they)\s+)?(?:been\s+)?"
                r"(?:touched|contacted|worked|talked to|spoken to|heard from|engaged|emailed|called|updated|moved|"
                r"progressed|changed|budged)")

_NOBODY = (r"(?:no one|no-one|nobody|noone)(?:'s| has| have)?\s+(?:touched|contacted|worked|called|emailed|talked to|"
           r"spoken to|reached out to)")

_GONE_QUIET = (r"\bnothing (?:logged|done|happening)\b|\buntouched\b|\b(?:gone|went|going)\s+(?:quiet|dark|silent|cold)\b|"
               r"\bstale\b|\bstalled\b|\bneglected\b|\bforgotten\b")


def inactivity(low: str) -> tuple[int | None, str | None, Spans]:
    """'no activity in 3 weeks' -> 21; 'gone dark' -> a stated default of 30 days."""
    m = re.search(rf"(?:(?:gone|went|going)\s+)?(?:{_QUIET}|{_NOT_TOUCHED}|untouched|inactive|quiet|silent|dark|idle|stale|stalled|dormant|cold|"
                  rf"nothing (?:logged|done|happening|recorded)|{_NOBODY})(?:\s+(?:on them|them|it))?"
                  rf"\s+(?:in|for|over|during|within)?\s*(?:over|more than|at least)?\s*(?:the\s+)?(?:last|past)?\s*{NUMWORD}\+?\s*"
                  rf"(day|week|wk|month|mo|quarter)s?\b", low)
    if m:  # 'gone quiet? nothing logged in 2 wks': the other quiet words say the same, and are read too
        return num(m.group(1)) * UNIT_DAYS[m.group(2)], None, [m.span(), *(x.span() for x in re.finditer(_GONE_QUIET, low))]
    m = re.search(rf"(?:{_QUIET}|{_NOT_TOUCHED})\s+since\s+(?:the\s+)?(?:last|past)?\s*{NUMWORD}?\s*"
                  rf"(day|week|month)s?\s+ago", low)
    if m:
        return num(m.group(1) or "1") * UNIT_DAYS[m.group(2)], None, [m.span()]
    m = re.search(rf"{_QUIET}|{_NOT_TOUCHED}(?:\s+in\s+a\s+while)?|{_NOBODY}|{_GONE_QUIET}|\bin a while\b|"
                  r"\bno recent (?:activity|touch)", low)
    if m:
        return 14, "no activity in the last 14 days (my default for 'quiet'; name a number of days to change it)", [m.span()]
    return None, None, []


def pushes(low: str) -> tuple[int | None, Spans]:
    m = re.search(r"(?<!n't )(?<!not )(?<!n't been )\b(?:pushed|slipped|slipping|slip|moved(?: out)?|pushed out|delayed|postponed|kicked(?: out)?|"
                  r"rescheduled|push(?:es)?)\b(?:\s+(?:out|back|the close date|close dates?))?"
                  r"(?:\s+(?:at least|more than|over)?\s*(once|twice|thrice|\d+|two|three|four)\s*(?:times|x)?)?", low)
    if not m:
        m2 = re.search(r"\bclose dates? (?:that )?(?:(?:was|were|got|have been|has been) )?(?:pushed|moved|changed|slipped)\b", low)
        return (1, [m2.span()]) if m2 else (None, [])
    n = num(m.group(1)) if m.group(1) else 1
    if m.group(1) and re.search(r"more than|over", m.group(0)):
        n += 1
    # 'what was the close date originally vs now': a pushed deal's line shows its first close date
    return n, [m.span()] + [o.span() for o in re.finditer(r"\b(?:originally|original(?:ly)?|vs\.? now)\b", low)]


def days_in_stage(low: str) -> tuple[int | None, Spans]:
    """'stuck in proposal for more than a month', 'in negotiation for over 30 days', 'sitting in demo 3+ weeks'."""
    m = re.search(rf"\b(?:stuck|sitting|sat|parked|languishing|been|stalled)?\s*(?:in|at)\s+(?:the\s+)?[\w ]{{0,25}}?"
                  rf"(?:stage\s+)?for\s+(?:more than|over|at least|longer than|>)\s*{NUMWORD}\s*(day|week|month)s?\b|"
                  rf"\bstuck\b[^?]{{0,40}}?\b(?:for\s+)?(?:more than|over|at least|longer than)\s*{NUMWORD}\s*(day|week|month)s?\b",
                  low)
    if not m:
        return None, []
    n, unit = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
    return num(n) * UNIT_DAYS[unit], [m.span()]


def next_step(low: str) -> tuple[bool | None, Spans]:
    m = re.search(r"\b(?:no|without(?: a| any)?|missing(?: a)?|lacks?(?: a)?|lacking(?: a)?|don'?t have(?: a)?|"
                  r"doesn'?t have(?: a)?|with(?:out)? no|empty|blank)\s+next[- ]?steps?\b|\bnext[- ]?steps? "
                  r"(?:is |are )?(?:empty|blank|missing|not set)\b", low)
    if m:
        return False, [m.span()]
    m = re.search(r"\b(?:with|has|have|having)(?: a)? next[- ]?steps?\b", low)
    return (True, [m.span()]) if m else (None, [])


_GROUP_WORDS = "|".join(f"(?:{p})" for p, _ in GROUPS)


def group_of(word: str) -> str | None:
    return next((g for p, g in GROUPS if re.fullmatch(p, word)), None)


PLURAL_TOP = 5  # 'top products by revenue', with no number: the first five


def _plural(word: str) -> bool:
    """'products', 'reps', 'teams', 'categories' (a group word in the plural)."""
    return word.endswith("s") and not word.endswith("ss") and group_of(word[:-1] if not word.endswith("ies")
                                                                        else word[:-3] + "y") is not None


def grouping(low: str) -> tuple[str | None, str | None, int | None, Spans]:
    """(group_by, order, limit): 'by rep', 'which team leads', 'top 3 reps', 'worst product'."""
    spans: Spans = []
    order = limit = None
    g = None
    m = re.search(rf"\b(?:by|per|for each|for every|each|split by|broken down by|breakdown by|grouped by|"
                  rf"group(?:ed)? by|by each)\s+(?:the\s+|each\s+|our\s+|(?<=each )of\s+(?:my|our|the|his|her)\s+)?"
                  rf"({_GROUP_WORDS})\b|"
                  rf"\bacross\s+(?:all\s+)?(?:the\s+)?(reps|teams|regions|products|stages|managers|months|quarters)\b", low)
    if m:
        g = group_of(m.group(1) or m.group(2))
        spans.append(m.span())
        spans += [b.span() for b in re.finditer(r"\bbreak(?:s|ing)?\s+(?:[\w'-]+\s+){0,4}?down\b", low)]  # 'break my pipe down by'
    m = re.search(r"\b(monthly|quarterly|weekly|month|quarter)\s+(breakdown|split|view|trend|numbers)\b|"
                  r"\b(breakdown|split|trend)\s+by\s+(month|quarter)\b|"
                  r"\b(monthly|quarterly)\s+(?=(?:[\w$-]+\s+){0,2}?(?:revenue|bookings?|booked|pipeline|pipe|wins?|won|"
                  r"sales|deals?|losses|lost|win rate|close rate|numbers))", low)
    if m and g is None:
        word = m.group(1) or m.group(4) or m.group(5)
        g = "month" if word.startswith("month") else "quarter" if word.startswith("quarter") else None
        spans.append(m.span())
    m = re.search(rf"\b(top|bottom|best|worst|highest|lowest|leading|biggest|largest|smallest)\s+{NUMWORD}?\s*"
                  rf"({_GROUP_WORDS})\b", low)
    if m and group_of(m.group(3)):
        g = group_of(m.group(3))
        order = "asc" if m.group(1) in ("bottom", "worst", "lowest", "smallest") else "desc"
        # 'top rep': one; 'top products' (plural, no number): a short ranking
        limit = num(m.group(2)) if m.group(2) else (PLURAL_TOP if _plural(m.group(3)) else 1)
        spans.append(m.span())
    m = re.search(rf"\b(most|least)\s+(?:common|frequent|frequently cited|often cited|cited|usual|popular)\s+"
                  rf"({_GROUP_WORDS})\b", low)
    if m and group_of(m.group(2)) and g is None:  # 'most common loss reason': counted per reason, the first
        g, order = group_of(m.group(2)), "asc" if m.group(1) == "least" else "desc"
        limit = PLURAL_TOP if _plural(m.group(2)) else 1
        spans.append(m.span())
    m = re.search(rf"\b(best|top|worst)[- ]sell(?:ing|ers?)\s+({_GROUP_WORDS})\b", low)
    if m and group_of(m.group(2)) and g is None:  # 'best-selling products'
        g, order = group_of(m.group(2)), "asc" if m.group(1) == "worst" else "desc"
        limit = PLURAL_TOP if _plural(m.group(2)) else 1
        spans.append(m.span())
    m = re.search(rf"\b{NUMWORD}\s+({_GROUP_WORDS})\s+(?:with|by|on|for|in)?\s*(?:the\s+)?(?:my\s+|our\s+)?"
                  rf"(lowest|highest|best|worst|most|least|top|bottom|fewest|biggest)\b", low)
    if m and group_of(m.group(2)):
        g = group_of(m.group(2))
        order = "asc" if m.group(3) in ("lowest", "worst", "least", "bottom", "fewest") else "desc"
        limit = num(m.group(1))
        spans.append(m.span())
    m = re.search(rf"\b(?:which|what|who(?:se)?)(?:\s+of\s+(?:the|our|my))?(?:\s+(\d+|two|three|four|five|ten))?\s+"
                  rf"({_GROUP_WORDS})\b", low)
    if m and group_of(m.group(2)) and group_of(m.group(2)) not in ("account",) or \
            m and group_of(m.group(2)) == "account" and re.search(r"\b(most|least|highest|lowest|biggest)\b", low):
        named = g is None
        g = g or group_of(m.group(2))
        spans.append(m.span())
        # 'which product leads': the one; 'what products sell best': all of them, best first; 'which 2 products': two
        limit = limit or (num(m.group(1)) if m.group(1) else None if named and _plural(m.group(2)) else 1)
    m = re.search(r"\b(?:which|what)\s+(?:one|of (?:them|those|these))\b(?=.*\b(most|least|highest|lowest|best|worst|"
                  r"biggest|top)\b)", low)
    said = [x for x in re.finditer(rf"\b({_GROUP_WORDS})\b", low[:m.start()])] if m and g is None else []
    if said and group_of(said[-1].group(1)):  # 'out of my medical accounts, which one did i win the most from'
        g, limit = group_of(said[-1].group(1)), limit or 1
        order = order or ("asc" if m.group(1) in ("least", "lowest", "worst") else "desc")  # type: ignore[union-attr]
        spans += [m.span(), said[-1].span()]  # type: ignore[union-attr]
    m = re.search(r"\b(best|worst|highest|lowest|top|bottom|most|least)\b.*\b(on|in|across|among) (the|my|our) "
                  r"(team|reps|sellers|org|company)\b", low)
    if m and g is None:
        g, limit = "rep", limit or 1
        spans.append(m.span())
    elif re.search(r"^\s*who\b|\bwho(?:'s| is| has| have| closed| won| sold| leads| brought)\b", low) and \
            re.search(r"\b(most|least|highest|lowest|best|worst|top|leads?|leading|ahead|more|fewest|biggest)\b|"
                      r"\b(?:didn'?t|did not|haven'?t|have not|hasn'?t|has not|never) (?!logged|log\b)", low):
        # ('who on my team hasn't closed any deals this month': per rep, those at none)
        g, limit = g or "rep", limit or 1
        spans.append(re.search(r"\bwho\b", low).span())  # type: ignore[union-attr]
    m = re.search(rf"\b(top|bottom|best|worst)\s+{NUMWORD}\b(?!\s+(?:deals?|opps?|opportunit))", low)
    if m and g is not None and limit is None:
        limit, order = num(m.group(2)), "asc" if m.group(1) in ("bottom", "worst") else "desc"
        spans.append(m.span())
    m = re.search(r"\bwhat (?:sold|sells|is selling|was selling)\b", low)
    if m and g is None:  # 'what sold best in Q3': the products
        g, limit = "product", limit or 1
        spans.append(m.span())
    m = re.search(r"\bleaderboard\b|\branking\b|\brank(?:ed)?\b(?:\s+(?:my|the|our)\s+(?:reps|team|sellers))?|\bstack[- ]?rank", low)
    if m:
        g = g or "rep"
        order = order or "desc"
        spans.append(m.span())
    m = re.search(r"\b(?:and\s+)?why\b|\bfor what reasons?\b|\bwhere (?:are|were|do|did) (?:we|i|they) (?:losing|lose|lost)\b",
                  low)
    if m and g is None and re.search(r"\b(lost|lose|losing|loss|losses|dropped)\b", low):
        g = "loss_reason"  # 'how many did we lose last quarter and why'
        spans.append(m.span())
    m = re.search(r"\b(?:and\s+)?to (?:whom|who|which competitors?)\b", low)
    if m and g is None:
        g = "competitor"  # 'how many did we lose last quarter and to whom'
        spans.append(m.span())
    for m in re.finditer(r"(?<!\bat )\b(most|highest|best|top|leads?|leading|ahead|biggest|largest|max(?:imum)?|greatest|more)\b"
                         r"(?!\s+than)", low):  # 'at most 3 times' is a bound, not an order
        order = order or "desc"
        spans.append(m.span())
    for m in re.finditer(r"(?<!\bat )\b(least|lowest|worst|bottom|fewest|smallest|min(?:imum)?|lagging|behind|weakest)\b", low):
        order = "asc" if order is None or order == "desc" and m.group(1) in ("worst", "lowest", "least", "bottom") else order
        spans.append(m.span())
    return g, order, limit, spans


# 'top 2 deal types', 'top 3 deal stages': groups of deals, not the deals themselves
_NOT_A_GROUP = r"(?!\s+(?:types?|categor(?:y|ies)|stages?|owners?|sizes?|motions?)\b)"


# Up to four words between 'top 5' and 'deals' ('top 5 gtk 500 deals'), none of them a group or 'by': 'top 3 reps by
# deals won' ranks reps, not deals.
_GAP = r"(?:(?!(?:reps?|teams?|managers?|products?|owners?|sellers?|people|regions?|competitors?|by)\b)[\w-]+\s+){0,4}?"


def top_records(low: str) -> tuple[int | None, str | None, Spans]:
    """'top 5 deals', '3 biggest opps', 'largest deal', 'sorted by amount' -> (limit, order) for record lists."""
    m = re.search(r"\b(?:sorted|ordered|ranked|sort|order|rank)\s+by\s+(?:amount|size|value|deal size|\$)"
                  r"(\s+(?:ascending|asc|smallest first|low to high))?", low)
    if m:
        return None, "asc" if m.group(1) else "desc", [m.span()]
    m = re.search(rf"\b(?:top|bottom|biggest|largest|highest[- ]value|largest value|smallest|lowest[- ]value)\s+{NUMWORD}"
                  rf"\s+{_GAP}(?:deals?|opps?|opportunit(?:y|ies)|wins|sales)\b{_NOT_A_GROUP}|\b{NUMWORD}\s+(?:biggest|largest|"
                  rf"smallest|lowest|top|bottom)\s+{_GAP}(?:deals?|opps?|opportunit(?:y|ies)|wins|sales)\b{_NOT_A_GROUP}", low)
    if m:
        n = num(next(x for x in m.groups() if x))
        return n, "asc" if re.search(r"small|lowest|bottom", m.group(0)) else "desc", [m.span()]
    m = re.search(r"\b(?:big|large|huge|major)\s+(?:open\s+|won\s+|lost\s+)?(?:deals?|opps?|opportunit(?:y|ies))\b", low)
    if m:
        return None, "desc", [m.span()]  # 'big deals': largest first
    m = re.search(r"\b(biggest|largest|top|smallest)\s+(?:single\s+|one\s+)?(?:open\s+|won\s+|lost\s+)?(deals?|opps?|"
                  r"opportunit(?:y|ies)|wins?|sales?)\b", low)
    if m:
        plural = m.group(2).endswith("s") or m.group(2).endswith("ies")
        return (None if plural else 1), "asc" if m.group(1) == "smallest" else "desc", [m.span()]
    return None, None, []


_DEALS = r"(?:open\s+|active\s+|won\s+|lost\s+)?(?:deals?|opps?|opportunit(?:y|ies))"


def age_order(low: str) -> tuple[int | None, str | None, Spans]:
    """'my oldest opp', 'the 5 newest deals', 'which deals have been open the longest' -> (limit, order) by creation
    date: asc is the oldest first."""
    m = re.search(rf"\b(?:(oldest|newest|most recent(?:ly (?:created|added|opened))?|latest)\s+(?:{NUMWORD}\s+)?|"
                  rf"{NUMWORD}\s+(oldest|newest|most recent|latest)\s+)(single\s+|one\s+)?(?:[\w-]+\s+){{0,2}}?({_DEALS})\b", low)
    if m:
        word = m.group(1) or m.group(4)
        n = m.group(2) or m.group(3)
        plural = m.group(6).endswith(("s", "ies")) and not m.group(5)  # '最早的那个商机': 'the oldest one
        spans = [m.span()] + [x.span() for x in re.finditer(r"\bhow (?:many days|long)\b[^?]*?\b(?:since|ago|old|open|"
                                                             r"been)\b(?:[^?]*\b(?:engaged|created|opened|added))?", low)]
        return (num(n) if n else None if plural else 1), "asc" if word == "oldest" else "desc", spans
    m = re.search(rf"\b({_DEALS})\b[^?]{{0,30}}?\b(oldest|newest)(\s+one)?\b", low)  # the Chinese order: 'deals i oldest one'
    if m:
        return (None if m.group(1).endswith(("s", "ies")) and not m.group(3) else 1), \
            "asc" if m.group(2) == "oldest" else "desc", [m.span()]
    m = re.search(rf"\b({_DEALS})\b[^?]{{0,40}}?\b(?:been open|open|sitting(?: there)?|in (?:the )?pipe(?:line)?)\s+"
                  rf"(?:the\s+)?longest\b", low)
    if m:
        return (None if m.group(1).endswith(("s", "ies")) else 1), "asc", [m.span()]
    return None, None, []


_ORDINALS = {"2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4, "5th": 5, "fifth": 5}
_SUPERLATIVE = r"(best|biggest|largest|highest|top|most|lowest|worst|smallest|least|fewest|weakest|strongest)"


def ordinal(low: str) -> tuple[int | None, str | None, Spans]:
    """'my 2nd biggest account', 'the second best rep', '3rd largest deal' -> (rank, order): only that one."""
    m = re.search(rf"\b(2nd|second|3rd|third|4th|fourth|5th|fifth)[- ]?{_SUPERLATIVE}\b", low)
    if not m:
        return None, None, []
    order = "asc" if m.group(2) in ("lowest", "worst", "smallest", "least", "fewest", "weakest") else "desc"
    return _ORDINALS[m.group(1)], order, [m.span()]


def me_vs_rest(low: str) -> Spans:
    m = re.search(r"\bmy\b[\w\s$%'-]{0,45}?\s(?:vs\.?|versus|compared? (?:to|with)|compares? (?:to|with)|against)\s+(?:the\s+)?"
                  r"(?:rest(?: of (?:the |my )?team)?|everyone(?: else)?(?: on (?:the|my) team)?|others|my (?:team|peers)|"
                  r"peers|team average)\b", low)
    if m:  # 'my bookings ytd vs rest of team', 'my open pipeline vs everyone else on the team'
        return [m.span()]
    m = re.search(r"\b(?:me|i|my (?:numbers|number|stats|deals|pipeline|win rate|count))\s+(?:vs\.?|versus|compared (?:to|with)|against)"
                  r"\s+(?:the\s+)?(?:rest(?: of (?:the|my) team)?|team|others|everyone(?: else)?|my (?:team|peers)|peers|"
                  r"team average|average)\b|\bhow do i (?:stack up|compare|rank|measure up)\b|\bcompare(?:d|s)? (?:to|with|against) (?:the rest of )?"
                  r"(?:my team|the team|my peers|everyone else|the rest)\b|\bvs\.? (?:the )?(?:rest of (?:the|my) team|"
                  r"team average|my peers)\b", low)
    return [m.span()] if m else []
