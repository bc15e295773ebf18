"""The cues of the CRM reader that are not a slot's lexicon: which date a time expression is about, the second
figure asked in the same breath, 'how is X doing', fields to show, 'which accounts ...'. Used by ``parser``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from copilot.offline.parse.dates import Span
from copilot.offline.parse.slots import NUMWORD

BEFORE = [(r"\b(clos(?:e|es|ing)|expected to close|due to close|land(?:ing)?|to close|close date)\b", "close"),
           (r"\b(closed|won|lost|booked|signed|win|lose|landed|bookings|revenue)\b", "closed"),
           (r"\b(create|created|creating|opened|added|came in|entered|sourced|generated|generate|start|started|engage|engaged|"
            r"opened up|sitting(?: there| around| idle)?|been (?:open|around)|open since)\b", "created"),
           (r"\bnext[- ]steps?\b", "next_step"),
           (r"\b(activity|active|touched|contacted|worked|engaged with|last touch)\b", "last_activity")]
PERFORMANCE = re.compile(r"\bhow(?:'s| (?:did|is|was|has|have|are)) [\w' ]{1,40}?(?:do|doing|done|perform(?:ing|ed)?|going|"
                         r"tracking|trending)\b|\bperformance\b|\bnumbers\b|\bscorecard\b|\bheadlines?\b|"
                         r"\bahead\b|\bbehind\b", re.I)
# 'how is the business doing', 'how's my team doing': the whole business (or team) the asker sees ('how are we
# doing?' alone stays a question to ask back: bookings, pipeline or win rate?)
WHOLE_BUSINESS = re.compile(r"\bhow(?:'s| (?:is|are|was|were|has|have))\s+(?:the |our |my |my team'?s |the team'?s )?(?:business|company|"
                            r"org|team|sales|numbers)\b(?:\s+\w+)?\s+(?:doing|going|tracking|trending|performing|"
                            r"looking)\b", re.I)
ALSO = re.compile(r"\s*(?:,|;)?\s*\b(?:and|also|plus)\s+(?=(?:how many|how much|what'?s|whats|what is|what are|the total|"
                  r"total|avg|average|the average|the avg|the win rate|win rate|how often|the cycle|cycle|"
                  r"the sales cycle|sales cycle)\b)", re.I)
WHICH_ACCOUNTS = re.compile(r"\b(?:which|what|list|show(?: me)?|name)\s+(?:(?:all\s+)?(?:of\s+)?(?:the|my|our)\s+)?"
                            r"(?:[\w-]+\s+){0,2}?(?:accounts?|acct?s?|customers?|clients?|companies|logos?|subsid[a-z]*)\b")


def first(low: str, table: Sequence[tuple[str, Any]]) -> tuple[Any, tuple[int, int]] | None:
    best = None
    for pat, value in table:
        m = re.search(pat, low)
        if m and (best is None or m.start() < best[1][0]):
            best = (value, m.span())
    return best


def all_hits(low: str, table: Sequence[tuple[str, Any]]) -> list[tuple[Any, tuple[int, int]]]:
    return [(v, m.span()) for p, v in table for m in re.finditer(p, low)]


def field_for(low: str, span: Span, default: str) -> str:
    before = low[max(0, span.at[0] - 40): span.at[0]]
    best, where = default, -1
    for pat, fld in BEFORE:
        for m in re.finditer(pat, before):
            if m.end() > where:
                best, where = fld, m.end()
    after = low[span.at[1]: span.at[1] + 20]
    if where < 0 and re.match(r"\s*(close date|closing)", after):
        best = "close"
    elif where < 0 and re.fullmatch(r"\W*(?:(?:between|from|in|during|for|over|since)\s+)?", low[:span.at[0]]):  # the date leads: 'between feb 1 and apr 15 how many opps did i engage'
        hits = [(m.start(), fld) for pat, fld in BEFORE for m in re.finditer(pat, low[span.at[1]: span.at[1] + 50])]
        if hits:
            best = min(hits)[1]
    return best


# 'what stage is the bayview govern expansion in and how big is it': one named deal's stage and size, read off its line
ONE_DEAL_STAGE = re.compile(r"\b(?:what|which) stage(?: is| are|'s)\b|\bwhere (?:is|are) (?:the )?[\w .&'-]{3,60}? (?:at|in)\b")
HOW_BIG = re.compile(r"\bhow'?s? (?:big|large|much)(?: (?:is|are) (?:it|they|that|the deal))?\b")
# 'when does it close and what do i need to do next': what a deal's line shows (its next step)
DO_NEXT = re.compile(r"\bwhat(?:'s| is)? (?:do |should )?(?:i|we)? ?(?:need to |have to |got to )?(?:do )?next\b|\bwhat'?s next\b")
_FIELD = r"(?:the\s+|their\s+|its\s+)?(?:acct|account|product|owner|rep|amount|stage|close date|deal name|name|next step|competitor)s?"
FIELDS = re.compile(rf"\b(?:need|want|with|w/|incl(?:uding|ude)?|show(?:ing)?|give me)\s+{_FIELD}(?:\s*(?:\+|and|&|,|/)\s*{_FIELD})+\b")


def two(values: list[str]) -> list[str]:
    """The pair to compare; three or more named values are shown as the whole grouping instead (none dropped)."""
    return values[:2] if len(values) == 2 else []


# a value of the accounts' region that names a region, not a country: 'EMEA', 'US West', 'APAC', 'Nordics'
REGIONISH = re.compile(r"\b(?:emea|apac|apj|latam|amer|americas|emea|mea|anz|dach|benelux|nordics?|north|south|east|west|"
                       r"central|northeast|northwest|southeast|southwest|midwest|europe|asia|pacific|africa|middle east)\b",
                       re.I)


# words the slots read by their own lexicons ('closing', 'created', 'up against'): used, never reported
SLOT_WORDS = re.compile(r"\b(close dates?|expected to close|slated to close|(?:set|scheduled|supposed) to close|"
                        r"clos(?:e|es|ing)|due|created|opened|added|engaged?|start(?:ed)?|"
                        r"came in|next steps? (?:due|scheduled|planned|set)|by amount|by value|by size|logged|log|create|"
                        r"generated|(?:sorted|ordered|sort) by close date|by close date|in the mix|competing|is competing|"
                        r"up against|(?:better|worse|higher|lower) than|up from|down from|"
                        r"with (?:customers|clients|prospects|buyers)|"
                        r"worked|touched|had activity|with activity|activity|active|sitting(?: there| around| idle)?|"
                        r"been (?:open|around)|since(?= before| prior to))\b"
                        r"|\(\s*(?:in\s+)?days\s*\)|\bin days\b")  # '(days)': the unit asked for
OVERDUE = re.compile(r"\b(?:past (?:their|the|its) (?:close|due) dates?|overdue|past due|late|close dates? "
                     r"(?:has |have |that )?(?:passed|gone by)|close dates? in the past|next steps? (?:is |are )?"
                     r"(?:overdue|past due|late))\b")
OLDER = re.compile(rf"\bolder than\s+{NUMWORD}\s*(day|week|month|year)s?\b|\bopen (?:for )?(?:more than|over)\s+"
                   rf"{NUMWORD}\s*(day|week|month|year)s?\b")


# words that leave out the names after them: 'excluding Darcel and Moses' is neither compared nor filtered on
LEFT_OUT = re.compile(r"\b(?:excluding|exclude|except(?: for)?|other than|apart from|besides|not counting|"
                       r"not including|leaving out|leave out|without|minus|but not)\s+$")


def listed(low: str, links: list, first: Any) -> list[str]:
    """The names of ``first``'s kind listed with it: 'Darcel, Moses and Anna' after 'excluding'."""
    names, end = [first.name], first.at[1]
    for x in sorted((x for x in links if x.kind == first.kind and x.at[0] >= end), key=lambda x: x.at[0]):
        if not re.fullmatch(r"\s*(?:,|and|or|&|/|, and|, or)\s*", low[end:x.at[0]]):
            break
        names.append(x.name)
        end = x.at[1]
    return list(dict.fromkeys(names))


_COMPETED = re.compile(r"\b(?:with|has|have|having|had|against)\s+(?:an?\s+|any\s+)?(?:named\s+|known\s+)?competitors?\b|"
                       r"\bcompetitive (?:deals?|opps?|opportunit(?:y|ies)|pipe(?:line)?)\b|\bcompetitor (?:is |was )?(?:named|on (?:it|them|file))\b")
_UNCONTESTED = re.compile(r"\b(?:with no|without(?: a| any)?|no|has no|have no)\s+(?:named\s+)?competitors?\b|"
                          r"\buncontested\b|\bnon[- ]?competitive\b")


def competed(low: str) -> tuple[bool | None, list[tuple[int, int]]]:
    """(True for deals with a competitor named, False for none, None; spans): 'what % of our open pipe has a named
    competitor on it', 'uncontested deals'. A competitor named by name is the ``competitor`` filter instead."""
    m = _UNCONTESTED.search(low)
    if m:
        return False, [m.span()]
    m = _COMPETED.search(low)
    if not m:
        return None, []
    tail = re.match(r"\s+on\s+(?:it|them)\b", low[m.end():])
    return True, [(m.start(), m.end() + (tail.end() if tail else 0))]


_ROLE_WORDS = {"eb": "economic_buyer", "economic buyer": "economic_buyer", "decision maker": "economic_buyer",
               "decision-maker": "economic_buyer", "champion": "champion", "technical buyer": "technical_buyer",
               "blocker": "blocker"}
_ROLE = r"(eb|economic buyer|decision[- ]maker|champion|technical buyer|blocker)s?"
_ON_FILE = r"(?:\s*\((?:eb|economic buyer)\))?(?:\s+(?:contacts?|identified|named|known|on file|mapped|in the crm|on record))*"
_LACKS = re.compile(rf"\b(?:without|no|missing|lack(?:s|ing)?|(?:do|does|did)(?:n'?t| not) (?:have|list)|dont have|doesnt have|"
                    rf"has no|have no|with no|never (?:had|named))\s+(?:an?\s+|the\s+|any\s+)?(?:named\s+)?{_ROLE}\b{_ON_FILE}")
_HAS = re.compile(rf"\b(?:with|has|have|having)\s+(?:an?\s+|the\s+)?(?:named\s+)?{_ROLE}\b{_ON_FILE}")


def contact_role(low: str) -> tuple[str | None, bool, list[tuple[int, int]]]:
    """(buying role, on record?, spans) when deals or accounts are picked by a contact role at the account: 'accts
    that still dont have an EB on file' (economic_buyer, False), 'deals with a champion identified' (True)."""
    for pattern, present in ((_LACKS, False), (_HAS, True)):
        m = pattern.search(low)
        if m:
            return _ROLE_WORDS[m.group(1).replace("-", " ") if m.group(1) != "decision-maker" else "decision maker"], \
                present, [m.span()]
    return None, False, []


_DEALISH = r"(?:deals?|opps?|opportunit(?:y|ies)|pipeline|pipe|business)"
_KIND = r"(open|active|live|current|won|lost|closed)?"
_NO_DEALS = re.compile(rf"\b(?:with|have|has|having|had)\s+no\s+{_KIND}\s*{_DEALISH}\b|\b(?:without|(?:do|does|did)(?:n'?t| not) have|"
                       rf"dont have|doesnt have|lack(?:s|ing)?)\s+(?:any\s+|an?\s+)?{_KIND}\s*{_DEALISH}\b|"
                       r"\b(?:never|not yet|haven'?t ever|have never|has never)\s+(won|win|closed|close|bought|buy|purchased|signed)"
                       r"(?:\s+(?:anything|a deal|any deals?|from us|with us))?\b")


def no_deals(low: str) -> tuple[str | None, list[tuple[int, int]]]:
    """(status, spans) of the deals an account has none of: 'accounts with no open deals' (open), 'accounts we lost this
    year but never won' (won), 'customers without any pipeline' (open)."""
    m = _NO_DEALS.search(low)
    if not m:
        return None, []
    word = next((g for g in m.groups() if g), None)
    status = ("open" if word in (None, "open", "active", "live", "current") and re.search(r"pipe|open|active|live|current",
                                                                                            m.group(0)) else
              "won" if word in ("won", "win", "bought", "buy", "purchased", "signed") else
              "lost" if word == "lost" else "closed" if word in ("closed", "close") and "never" not in m.group(0) else
              "won" if word in ("closed", "close") else "any")
    return status, [m.span()]


_PAIR_DIMS = (("team", "team"), ("person", "rep"), ("product", "product"), ("competitor", "competitor"))


def two_names(low: str, by_kind: dict[str, list[Any]]) -> tuple[list[str], str] | None:
    """(the two names, the dimension) when two different names of one kind are compared ('Sam vs Lucia', 'Observe or
    Govern'); their links are taken from ``by_kind``. Names said as left out ('excluding Darcel and Moses') are not."""
    for kind, dim in _PAIR_DIMS:
        got = by_kind.get(kind, [])
        if got and LEFT_OUT.search(low[:got[0].at[0]]):
            continue
        if len(got) >= 2 and len({x.id for x in got}) >= 2 and re.search(
                r"\b(vs\.?|versus|compared?|against|or|and|with|relative)\b|\bv\b", low):
            by_kind[kind] = []
            return two(list(dict.fromkeys(x.name for x in got))), dim
    return None


def manager_named(low: str, people: list[Any]) -> tuple[str | None, list[tuple[int, int]]]:
    """(a manager's name, spans) when a person is named for their reports: "Maya's team", 'reps reporting to Maya'."""
    for link in people:
        before, after = low[max(0, link.at[0] - 16):link.at[0]], low[link.at[1]:link.at[1] + 8]
        if re.search(r"(reporting to|reports to|report to|managed by|under)\s+$", before) or \
                re.match(r"'?s?\s+(team|reps|org|people|group)\b", after):
            return link.name, [(max(0, link.at[0] - 16), link.at[1] + 8)]
    return None, []
