"""The customer's own facts in a question: industry, region, tier, parent company, headcount, and the
product's series. 'open deals in the medical sector', 'EMEA pipeline', 'accounts over 5,000 employees',
'won revenue from subsidiaries of Acme', 'win rate for the GTX series'.

Values are the CRM's own (the linker finds them, see ``copilot.offline.parse.link``). A value that is also an
everyday word ('retail', 'media', 'energy') counts only beside a word that says it is one: 'in retail', 'retail
deals', 'the retail sector'. Headcounts are read before amounts, so 'over 5000 employees' is never a deal size.
"""

from __future__ import annotations

import re

from copilot.offline.parse.link import WHOLE_ONLY, Link

FACT_KINDS = WHOLE_ONLY  # the linker's kinds for the values of these facts
_PEOPLE = r"(?:employees|employee|staff|people|ppl|heads|headcount|workers|ftes?|emps)"
_N = r"(\d[\d,]*(?:\.\d+)?)\s*(k|m)?"
_MORE = r"over|above|more than|greater than|at least|bigger than|larger than|north of|min(?:imum)?(?: of)?|>=?"
_LESS = r"under|below|less than|fewer than|at most|up to|smaller than|south of|max(?:imum)?(?: of)?|<=?"
# words beside a value that say it is the account's fact: 'in retail', 'retail deals', 'the retail sector'
_BEFORE = re.compile(r"(?:\b(?:in|at|for|from|with|within|across|to|of|into|the)\s+(?:the\s+)?|\bnon[- ]?)$")
_AFTER = re.compile(r"^\s*(?:sector|industry|vertical|space|segment|tier|region|market|accounts?|customers?|clients?|"
                    r"companies|company|logos?|deals?|opps?|opportunit(?:y|ies)|pipe(?:line)?|revenue|bookings?|business|"
                    r"series|line|win rate|wins?|won|lost|closed|losses|sales)\b")
_PARENT_BEFORE = re.compile(r"\b(?:subsid[a-z]*|child(?:ren)?(?: compan(?:y|ies)| accounts?)?|daughters?|"
                            r"accounts?|companies|customers|deals?|opps?|revenue|pipeline)?\s*(?:of|under|owned by|"
                            r"belonging to|that (?:roll|rolls) up (?:under|to|into)|roll(?:s|ing)? up (?:under|to|into)|"
                            r"rolled up (?:under|to|into)|within)\s+(?:the\s+)?(?:parent\s+(?:company\s+)?)?$")
_PARENT_AFTER = re.compile(r"^(?:'s?)?\s+(?:subsid[a-z]*|child(?:ren)?|daughter compan(?:y|ies)|family|group companies)\b")
_SUBSIDIARY_WORD = re.compile(r"\bsubsid[a-z]*|\b(?:compan(?:y|ies)|accounts?|accts?|customers?|firms?|businesses) "
                              r"(?:owned by|under)\b|\broll(?:s|ed|ing)? up\b|\bchild(?:ren)? (?:compan|account)|"
                              r"\bdaughter compan")


def _count(value: str, unit: str | None) -> int:
    n = float(value.replace(",", ""))
    return int(n * {"k": 1_000, "m": 1_000_000}.get(unit or "", 1))


def employees(low: str) -> tuple[int | None, int | None, list[tuple[int, int]]]:
    """(at least, at most, spans) of a headcount filter: 'over 5k employees', '500+ staff', 'under 1,000 people',
    'between 100 and 500 employees', 'headcount above 2000'."""
    m = re.search(rf"\bbetween\s+{_N}\s+(?:and|to|-|&)\s+{_N}\s+{_PEOPLE}\b|\b{_N}\s*(?:-|to)\s*{_N}\s+{_PEOPLE}\b", low)
    if m:
        g = m.groups()
        a, b = (g[0:2], g[2:4]) if g[0] else (g[4:6], g[6:8])
        x, y = _count(a[0], a[1] or b[1]), _count(b[0], b[1])
        return min(x, y), max(x, y), [m.span()]
    lo = hi = None
    spans: list[tuple[int, int]] = []
    for pat, side in ((rf"(?:\b(?:{_MORE})|>=?)\s*{_N}\s*\+?\s+{_PEOPLE}\b", "lo"),
                      (rf"\b{_N}\s*\+\s*{_PEOPLE}\b|\b{_N}\s+(?:or more|and up|plus)\s+{_PEOPLE}\b", "lo"),
                      (rf"\b{_N}\s+{_PEOPLE}\s+(?:or more|and up|plus|\+)", "lo"),
                      (rf"\b{_PEOPLE}\s*(?:of\s+|is\s+|count\s+)?(?:{_MORE})\s*{_N}\b", "lo"),
                      (rf"(?:\b(?:{_LESS})|<=?)\s*{_N}\s+{_PEOPLE}\b", "hi"),
                      (rf"\b{_N}\s+{_PEOPLE}\s+or (?:less|fewer)\b", "hi"),
                      (rf"\b{_PEOPLE}\s*(?:of\s+|is\s+|count\s+)?(?:{_LESS})\s*{_N}\b", "hi")):
        for m in re.finditer(pat, low):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            value = _count(m.group(1), m.group(2))
            lo, hi = (value, hi) if side == "lo" else (lo, value)
            spans.append(m.span())
    return lo, hi, spans


def account_words(low: str, *, international: bool = False) -> list[tuple[int, int]]:
    """The words naming the accounts whose facts a question filters on ('small companies', 'accts'): part of that
    filter, not a second object; 'international' too when a country is left out ('international (non-US)')."""
    pat = (r"\b(?:(?:small|smaller|large|larger|big|bigger|mid-?sized?)\s+)?(?:compan(?:y|ies)|accounts?|accts?|"
           r"customers?|clients?|logos?|firms?|orgs?|organi[sz]ations?)\b" + (r"|\binternational\b" if international else ""))
    return [m.span() for m in re.finditer(pat, low)]


def blank(low: str, spans: list[tuple[int, int]]) -> str:
    """``low`` with ``spans`` turned to spaces (same length, so every other slot's offsets hold)."""
    for a, b in spans:
        low = low[:a] + " " * (b - a) + low[b:]
    return low


def _parent_cue(low: str, at: tuple[int, int], *, named_parent: bool = False) -> tuple[int, int] | None:
    """The span of the words that make the name at ``at`` a parent company ("Acme's subsidiaries", 'subsidiaries
    of Acme', 'accounts that roll up under Acme'), or None. 'under' or 'of' alone make it one only for a name the
    linker knows as a parent (``named_parent``)."""
    after = _PARENT_AFTER.match(low[at[1]:at[1] + 40])
    if after:
        return at[1], at[1] + after.end()
    lo = max(0, at[0] - 60)
    before = _PARENT_BEFORE.search(low[lo:at[0]])
    if before and (named_parent or _SUBSIDIARY_WORD.search(before.group(0))):
        return lo + before.start(), at[0]
    return None


def as_parent(question: str, name: str) -> bool:
    """Is ``name`` named as a parent company ('subsidiaries of Acme', 'accounts that roll up under Acme')? Then the
    question is about its subsidiaries, not the account itself."""
    low = question.lower()
    at = low.find(name.lower())
    return at >= 0 and _parent_cue(low, (at, at + len(name))) is not None


_NOT = re.compile(r"(?:\bnon[- ]?|\b(?:not|outside(?: of)?|excluding|exclude|except(?: for)?|other than|apart from|"
                  r"besides|ex|(?:everything|anything|all) but|but not|without)\s+(?:in\s+|at\s+)?(?:the\s+)?)$")
# a short value ('US', 'UK') is also an everyday word ('show us'): only beside words that make it a place
_SHORT_BEFORE = re.compile(r"(?:\bnon[- ]?|\b(?:outside(?: of)?|in|from|excluding|except|the)\s+(?:the\s+)?)$")
_SHORT_AFTER = re.compile(r"^(?:-based|\s+(?:based|accounts?|customers?|clients?|companies|logos?|deals?|opps?|market|region))\b")


def facts(low: str, links: list[Link]) -> tuple[dict[str, list[str]], list[tuple[str, str]], list[tuple[int, int]],
                                               list[Link]]:
    """(values per fact, values to leave out, spans used, the links left for people/accounts/products): a linked
    fact value where the words around it say it is one ('non-US', 'outside the US' leave it out), and an account
    named as a parent ('subsidiaries of Acme', 'Acme's subsidiaries'). Two values of one fact are a comparison
    ('GTX vs MG'), which the parser decides."""
    found: dict[str, list[str]] = {}
    excluded: list[tuple[str, str]] = []
    used: list[tuple[int, int]] = []
    rest: list[Link] = []
    paired = {id(x) for a, b in zip(links, links[1:], strict=False) if a.kind == b.kind in FACT_KINDS
              and re.fullmatch(r"\s*(?:vs\.?|versus|v|or|and|,|&|/)\s*", low[a.at[1]:b.at[0]]) for x in (a, b)}
    for link in links:
        before, after = low[max(0, link.at[0] - 60):link.at[0]], low[link.at[1]:link.at[1] + 40]
        if link.kind in ("account", "parent"):
            cue = _parent_cue(low, link.at, named_parent=link.kind == "parent")
            if cue and "parent" not in found:
                found["parent"] = [link.name]
                used += [link.at, cue]
                continue
            if link.kind == "parent" or found.get("parent") == [link.name]:
                used.append(link.at)  # a parent company named as such ('..., not Acme itself'), not an account
                continue
        if link.kind not in FACT_KINDS:
            rest.append(link)
            continue
        short = link.at[1] - link.at[0] <= 3 and link.kind != "series" and id(link) not in paired
        cued = (_SHORT_BEFORE.search(before) or _SHORT_AFTER.match(after)) if short else \
            (link.kind == "series" or _BEFORE.search(before) or _AFTER.match(after) or link.kind in found
             or id(link) in paired or _NOT.search(before))
        if not cued:
            continue
        neg = _NOT.search(before)
        if neg:  # 'non-US accounts', 'outside the US', 'excluding retail'
            excluded.append((link.kind, link.name))
            used.append((link.at[0] - (len(before) - neg.start()), link.at[1]))
        elif link.name not in found.setdefault(link.kind, []):
            found[link.kind].append(link.name)
        used.append(link.at)
        word = re.match(r"\s*(?:sector|industry|vertical|space|segment|tier|series|-based|based|companies|company|"
                        r"accounts?|customers?|clients?|logos?)\b", after)
        used += [(link.at[1], link.at[1] + word.end())] if word else []
    return {k: v for k, v in found.items() if v}, excluded, used, rest


_ACCOUNTISH = r"(?:accounts?|accts?|compan(?:y|ies)|customers?|clients?|firms?|orgs?|organi[sz]ations?|businesses|logos?)"
_MONEY = r"\$?\s*(\d[\d,]*(?:\.\d+)?)\s*(billion|bn|b|million|mm|m|k)?\b"
_REVENUE = r"(?:annual\s+|yearly\s+)?(?:revenues?|rev|sales|turnover)"


def _millions(value: str, unit: str | None) -> float:
    """An amount said in a question as the CRM stores account revenue (millions): '$5B' -> 5000, '500m' -> 500;
    a bare number is taken as the CRM's own figure."""
    n = float(value.replace(",", ""))
    return n * {"billion": 1000, "bn": 1000, "b": 1000, "k": 0.001}.get(unit or "", 1)


def account_revenue(low: str) -> tuple[float | None, float | None, list[tuple[int, int]]]:
    """(at least, at most, spans) of the account's annual revenue, in millions: 'accounts with annual revenue over
    $5B', 'companies with revenue under $1B', 'customers with over $500M in revenue'. Only beside an account word
    or 'annual': 'won revenue over $50k' is a deal amount."""
    lo = hi = None
    spans: list[tuple[int, int]] = []
    for pat in (rf"\b{_ACCOUNTISH}\s+(?:with|w/|having|that have|whose)\s+(?:an?\s+)?{_REVENUE}\s+(?:of\s+|is\s+)?"
                rf"({_MORE}|{_LESS})\s*{_MONEY}",
                rf"\b(?:annual|yearly)\s+(?:revenues?|rev|sales|turnover)\s+(?:of\s+|is\s+)?({_MORE}|{_LESS})\s*{_MONEY}",
                rf"\b{_ACCOUNTISH}\s+(?:with|w/|having|that have)\s+({_MORE}|{_LESS})\s*{_MONEY}\s+(?:in\s+|of\s+)?"
                rf"(?:annual\s+|yearly\s+)?(?:revenues?|sales|turnover)\b",
                rf"\b({_MORE}|{_LESS})\s*{_MONEY}\s+(?:in\s+|of\s+)?(?:annual|yearly)\s+(?:revenues?|sales|turnover)\b"):
        for m in re.finditer(pat, low):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            value = _millions(m.group(2), m.group(3))
            if re.fullmatch(_LESS, m.group(1)):
                hi = value
            else:
                lo = value
            spans.append(m.span())
    return lo, hi, spans


def founded(low: str) -> tuple[int | None, int | None, list[tuple[int, int]]]:
    """(from year, to year, spans) of when the account was established: 'companies founded before 2000' (to 1999),
    'established after 1990' (from 1991), 'founded since 2010', 'founded in 1995'."""
    lo = hi = None
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"\b(?:founded|established|est\.?|incorporated|started|set up|formed)\s+(?:in\s+)?"
                         r"(before|prior to|earlier than|pre|after|later than|since|post|in|from)?[\s-]*((?:18|19|20)\d{2})\b"
                         r"(?:\s+(or (?:later|after|newer|more recently|since)|and (?:later|after|since)|onwards?|or (?:earlier|before)|"
                         r"and (?:earlier|before)))?", low):
        word, year = m.group(1) or "in", int(m.group(2))
        if m.group(3):  # 'founded 2006 or later', 'established 1990 or earlier'
            word = "from" if re.search(r"later|after|newer|recently|since|onward", m.group(3)) else "to"
        if word == "to":
            hi = year
            spans.append(m.span())
            continue
        if word in ("before", "prior to", "earlier than", "pre"):
            hi = year - 1
        elif word in ("after", "later than", "post"):
            lo = year + 1
        elif word in ("since", "from"):
            lo = year
        else:
            lo = hi = year
        spans.append(m.span())
    if spans:  # 'newer companies, founded 2006 or later': the words the year says
        spans += [x.span() for x in re.finditer(r"\b(?:newer|younger|older|newest|oldest)\b(?=\s+(?:compan|accounts?|"
                                                 r"customers?|clients?|firms?|businesses|logos?))", low)]
    return lo, hi, spans
