"""How much of a question the parse used, and how CRM-like the question is.

``unapplied_words`` lists the content words (and amounts) no slot read, which the answer says and which cost
confidence; ``crm_evidence`` scores what the question names, asks for and filters on; ``LIBRARY_CUES`` are the
forms of a case-library question ("how do we handle ..."). ``copilot.offline.parse.parser`` uses them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from copilot.offline.parse.dates import Span
from copilot.offline.parse.lexicon import FILLER
from copilot.offline.parse.link import Link, words

MONEY_WORD = re.compile(r"[$€£]\s?\d[\d,.]*\s?[km]?\b|\b\d[\d,.]*\s?(?:k|m|usd|eur|dollars)\b", re.I)

LIBRARY_CUES = re.compile(
    r"\bhow (do|should|can|would) (we|i|you)\b(?!.*\b(many|much)\b)|\bhandle\b|\bobjections?\b|\bpolicy\b|\bplaybook\b|"
    r"\bbattle ?cards?\b|\bpitch\b|\brespond\b|\bwhat (do|should) i say\b|\bbest practices?\b|\bguide\b|\btips?\b|"
    r"\bexplain\b|\bwhat does .+ mean\b|\bwhat is (a|an|the)\b(?!.*\b(total|number|count|rate|value|amount)\b)|"
    r"\bdifferentiat|\bwhy (do|did) we (win|lose) (against|vs)|\bwin stor|\bloss stor|\bcase stud|\bmeddp?ic|"
    r"\bdiscount (policy|approval|rules?)\b|\bvalid for\b|\bsecurity\b|\bcertif|\bdoes (the product|it) support\b")
STRONG_CRM = re.compile(r"\bdid (i|we|\w+) (win|close|lose|book|sign)\b|\b(stuck|sitting|parked) in\b|\b(win|close|closing|hit)[- ]?(rate|%|ratio)\b|\bpipe(line)?\b|\bquota\b|\bbookings?\b|"
                        r"\brevenue\b|\bclose date\b|\bforecast category\b|\bcommit\b|\bhow many\b|\bopps?\b|"
                        r"\bopportunit(y|ies)\b|\bdeals?\b|\baccounts?\b|\bnext steps?\b|\bcycle\b|\bdeal size\b|"
                        r"\brenewals?\b|\bcontacts?\b|\bstage\b|\bloss reasons?\b|"
                        r"\bwho(?:'s| is)? (?:owns?|covers?|handles?)\b(?! the budget)|\bwhose account\b|\baccount owner\b")


def unapplied_words(question: str, used: list[tuple[int, int]]) -> list[str]:
    """The content words (and amounts) of ``question`` that no slot used: said in the answer, and they cost confidence."""
    out = []
    for w, a, b in words(question):
        if _taken(a, b, used):
            continue
        if w in FILLER or w.isdigit() or len(w) <= 2 and w.isalpha() or w.rstrip("s") in FILLER:  # 'h1', 'q5' are said
            continue
        out.append(question[a:b])
    # An amount no slot took ('between $2,000 & 4k' before '&' was read) is said, not silently dropped.
    out += [m.group(0).strip() for m in MONEY_WORD.finditer(question) if not _taken(m.start(), m.end(), used)]
    return list(dict.fromkeys(out))


def _taken(a: int, b: int, used: list[tuple[int, int]]) -> bool:
    """Does the span a..b lie in, or overlap, a span a slot used?"""
    return any(x <= a and b <= y or x < b and a < y for x, y in used)


def crm_evidence(low: str, obj: object, metric: object, links: list[Link], windows: list[Span],
                 stat: Sequence[object], stages: Sequence[object]) -> float:
    """How much the question looks like a CRM question: what it names, asks for and filters on."""
    score = 0.0
    score += 1.0 if obj else 0.0
    score += 1.5 if metric else 0.0
    score += 1.0 if STRONG_CRM.search(low) else 0.0
    score += 0.5 * min(2, len([x for x in links if x.kind in ("account", "person", "team", "product")]))
    score += 0.5 if windows else 0.0
    score += 0.5 if stat or stages else 0.0
    score += 0.5 if re.search(r"\b(my|mine|i|our|we)\b", low) and (obj or metric) else 0.0
    return score


def more_evidence(low: str, *, performance: bool, role: bool, group: bool, asks: bool, filtered: bool,
                  pointed: bool) -> float:
    """What the parse read that makes a question CRM talk: 'how is Lucia doing' (``performance``), 'who is the EB at
    Acme' (a buying ``role`` at a named place; 'what makes a good champion' is the playbook's), a filter only the CRM
    holds (``filtered``), a grouping with a status or metric ('which products are we losing the most on'), a
    contact at an account or a next-step / activity date (``pointed``)."""
    score = 2.0 if performance else 0.0
    score += 1.0 if role and re.search(r"\b(at|for|on)\s+\w", low) and re.search(r"\bwho\b|\bwho'?s\b", low) else 0.0
    score += 1.0 if filtered else 0.0
    score += 0.5 if group and asks else 0.0
    score += 1.0 if pointed else 0.0
    return score
