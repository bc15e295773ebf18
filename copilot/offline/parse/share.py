"""A part as a share of its whole, and accounts that belong to a parent company.

'What % of my won revenue this year came from GTX Pro': the query's filters all apply to the part, and the ones said
after the verb that joins part and whole ('came from GTX Pro', 'are renewals', 'is in tech') are dropped for the
whole. 'Subsidiaries' with no parent named are the accounts that have one; 'independent accounts' those that don't.
"""

from __future__ import annotations

import re

Spans = list[tuple[int, int]]

_SHARE = re.compile(r"\b(?:what|which|how big (?:a|of a))\s+(?:(?:is|was)\s+the\s+)?(?:share|percent(?:age)?|pct|%|"
                    r"portion|proportion|fraction|part|ratio)\s+of\b|\bhow (?:much|many) of\b(?=.*(?:\bpercent|\bpct\b|%|\bshare\b|"
                    r"\bproportion\b|\bfraction\b))|\b(?:share|percent(?:age)?|pct|%|portion|proportion|fraction)\s+of\b"
                    r"(?=.*\b(?:came|come|comes|coming|is|are|was|were|from|went)\b)")
# the verb between the whole and the part: 'of my revenue came from X', 'of my deals are renewals'
_VERB = re.compile(r"\b(?:came|come|comes|coming|is|are|was|were|went|goes|go|made up|make up|makes up|accounted for|"
                   r"account for|accounts for|has|have|had)\b(?:\s+(?:from|in|at|to|with|by|against|on|for))?")
_PREP = re.compile(r"\b(?:from|against|with)\b")
_AS_SHARE = re.compile(r"\b(?:as an?|in)\s+(?:%|percent(?:age)?|share|pct|fraction|ratio|decimal)\b|\bpercent(?:age)?(?:\s+wise)?\b|\bpct\b|%")

_HAS_PARENT = re.compile(r"\b(?:subsidiar(?:y|ies)|child (?:accounts?|compan(?:y|ies))|(?:accounts?|accts?|compan(?:y|ies)|"
                         r"customers?|clients?)\s+(?:with|that have|having)\s+(?:a\s+)?parent(?:\s+compan(?:y|ies))?|"
                         r"(?:accounts?|compan(?:y|ies)|customers?)\s+owned by (?:a|another) (?:parent|company))\b")
_NO_PARENT = re.compile(r"\b(?:independent|standalone|stand-alone)\s+(?:accounts?|accts?|compan(?:y|ies)|customers?|clients?)|"
                        r"\b(?:accounts?|accts?|compan(?:y|ies)|customers?|clients?)\s+(?:with no|without(?: a)?|that have no)\s+"
                        r"parent(?:\s+compan(?:y|ies))?|\bnon[- ]?subsidiar(?:y|ies)\b")


def has_parent(low: str, parent_named: bool) -> tuple[bool | None, Spans]:
    """(True for subsidiaries, False for accounts with no parent, None; spans): 'from subsidiaries' with no parent
    company named ('subsidiaries of Acme' is Acme's, read with the account's facts)."""
    if parent_named:
        return None, []
    m = _NO_PARENT.search(low)
    if m:
        return False, [m.span()]
    m = _HAS_PARENT.search(low)
    return (True, [m.span()]) if m else (None, [])


def share_cue(low: str) -> tuple[int | None, Spans]:
    """(where the part begins, spans) when the question asks for a part as a share of its whole."""
    m = _SHARE.search(low)
    if not m:
        return None, []
    spans = [m.span()] + [x.span() for x in _AS_SHARE.finditer(low) if x.start() >= m.end()]
    verb = _VERB.search(low, m.end())
    if verb:  # the part is what is said from the verb on ('has a named competitor on it' starts at 'has')
        return verb.start(), spans + [verb.span()]
    prep = _PREP.search(low, m.end())  # 'what share of my pipeline from enterprise accounts'
    return (prep.end(), spans + [prep.span()]) if prep else (None, [])


def part_filters(begin: int, said: dict[str, tuple[int, int]]) -> list[str]:
    """The filters said after ``begin`` (``said``: each set filter and where it was said): they pick the part."""
    return sorted(k for k, at in said.items() if at[0] >= begin)


_LINK_FILTER = {"person": "owner", "team": "team", "product": "product", "account": "account",
                "competitor": "competitor", "sector": "sector", "region": "region", "tier": "tier", "series": "series",
                "parent": "parent"}


def said_at(filters: dict[str, object], links: list, spans: dict[str, list[tuple[int, int]]]) -> dict[str, tuple[int, int]]:
    """Where each filter the query sets was said: names from their links, the rest from ``spans`` (filter -> the
    spans the slot read)."""
    out: dict[str, tuple[int, int]] = {}
    for link in links:
        key = _LINK_FILTER.get(link.kind)
        if key and filters.get(key) not in (None, [], "mine", "me") and key not in out:
            out[key] = link.at
    for key, at in spans.items():
        if at and filters.get(key) not in (None, []) and key not in out:
            out[key] = min(at)
    return out
