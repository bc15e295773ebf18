"""Chat text -> parseable text: abbreviations spelled out, typos fixed, purpose phrases set aside.

People type "opps w/ no touches in 10d (for my pipeline review)" or "win rtae lats qtr". Before the
slot readers run, units and shorthands are expanded ("10d" -> "10 days", "qtr" -> "quarter", "QoQ" ->
"by quarter"), words one edit away from the parser's vocabulary are corrected (Damerau-Levenshtein,
never a word that is part of a CRM name), and phrases that only say why the person asks ("for the
forecast call", "need this for my 1:1") are removed so their words do not steer the query.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from copilot.offline.parse.lexicon import FILLER

VOCAB = set(["series", "sector", "sectors", "industry", "industries", "region", "country", "countries", "tier",
             "employees", "staff", "subsidiaries", "subsidiary", "parent", "companies", "company", "based", "outside",
             "international", "deal", "deals", "opportunity", "opportunities", "opps", "opp", "pipeline", "pipe", "account", "accounts", "customer", "customers", "contact", "contacts", "activity", "activities", "activity's", "touches", "touched", "touch", "logged", "log", "worked", "working", "emails", "meetings", "calls", "call", "notes", "tasks", "open", "closed", "close", "closing", "closes", "won", "lost", "win", "wins", "winning", "lose", "losing", "revenue", "bookings", "booked", "amount", "value", "worth", "total", "average", "mean", "count", "number", "many", "much", "rate", "percentage", "cycle", "long", "days", "weeks", "months", "quarters", "years", "day", "week", "month", "quarter", "year", "last", "past", "next", "previous", "prior", "this", "current", "since", "before", "after", "until", "between", "over", "under", "above", "below", "more", "less", "than", "least", "most", "top", "bottom", "best", "worst", "highest", "lowest", "biggest", "largest", "smallest", "leads", "leading", "rep", "reps", "team", "teams", "region", "regions", "manager", "managers", "product", "products", "stage", "stages", "competitor", "competitors", "type", "types", "category", "categories", "forecast", "commit", "best", "case", "upside", "renewal", "renewals", "expansion", "expansions", "upsell", "upsells", "new", "business", "logo", "logos", "negotiation", "proposal", "demo", "discovery", "qualification", "prospecting", "slipped", "slipping", "pushed", "push", "moved", "stale", "quiet", "dark", "untouched", "inactive", "nothing", "step", "steps", "scheduled", "due", "expected", "slated", "show", "list", "give", "tell", "what", "which", "who", "how", "many", "much", "when", "where", "with", "without", "missing", "have", "has", "does", "did", "often", "compare", "compared", "versus", "against", "rest", "others", "everyone", "stack", "owned", "owner", "own", "mine", "today", "yesterday", "tomorrow", "january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "ytd", "qtd", "mtd", "size", "sales", "sold", "sell", "sells", "selling", "seller", "sellers", "bestselling", "closed-won", "closed-lost", "people", "know", "recent", "recently"]) | FILLER
VOCAB |= {"start", "beginning", "end", "smaller", "bigger", "larger", "greater", "fewer", "lower", "higher", "sellers",
          "salespeople", "categorized", "categorised", "qual", "range", "from", "review", "often", "owns", "anyone",
          "talked", "spoke", "contacted", "quarterly", "monthly", "weekly", "time", "date", "dates", "times", "last",
          "touch", "deal", "size", "average", "amount", "worked", "logged", "stuck", "slip", "slips", "pushes",
          "talk", "spoken", "active", "owned", "value", "number", "count", "ones", "ago", "later", "earlier",
          "committed", "added", "created", "create", "creating", "opened", "entered", "money", "make", "made", "earned", "once", "twice", "thrice", "fcst",
          "reporting", "reports", "managed", "compare", "discount", "discounted", "subsidiaries", "improved", "increased",
          "decreased", "declined", "oldest", "newest", "competitor", "champion", "economic"}

PURPOSE = re.compile(
    r"[-(,:]?\s*\b(?:i\s+)?(?:need|needed|want|prepping|prep|getting ready)?\s*(?:this|it|tihs|these|that)?\s*"
    r"(?:for|ahead of|before)\s+(?:the|my|our|a|an|tomorrow'?s|today'?s)?\s*(?:(?!for\b|ahead\b|before\b)[\w'-]+\s+){0,2}?"
    r"(?:call|review|meeting|1:1|1on1|one[- ]on[- ]one|qbr|standup|stand-up|sync|prep|deck|board)\b"
    # '... tomorrow with celia -': when and with whom, up to the dash or colon that ends the aside
    r"(?:(?:\s+(?:tomorrow|today|tonight|later(?: today)?|this (?:afternoon|morning|week)|next week|on \w+day))?"
    r"(?:\s+(?:with|w/)\s+[\w'-]+(?:\s+[\w'-]+)?)?\s*(?=[-:–—]))?\s*\)?\s*[:,–—-]?", re.I)
# 'prepping the forecast call', 'getting ready for my 1:1 with celia': why they ask, said without 'for'
PREPPING = re.compile(r"[-(,:]?\s*\b(?:i'?m\s+)?(?:prepping|prepping for|prep for|preparing(?: for)?|getting ready for)\s+(?:the|my|our|a|"
                      r"an|tomorrow'?s|today'?s)?\s*(?:[\w'-]+\s+){0,2}?(?:call|review|meeting|1:1|1on1|qbr|standup|sync|"
                      r"deck|board)\b\s*\)?", re.I)
# '... since before july 1? trying to clean up old pipeline': why they ask, after the question is over
AIM = re.compile(r"(?<=[?.!;])\s*(?:[-–—]\s*)?(?:i'?m\s+|we'?re\s+|just\s+)?(?:(?:trying|want(?:ing)?|need(?:ing)?|looking|hoping|"
                 r"planning)\s+to\s+|(?:cleaning|tidying|prepping|getting ready|putting together|building|working on|"
                 r"doing)\b)[^?.!]*[?.!]?\s*$", re.I)
SHORTHANDS: list[tuple[str, str]] = [
    (r"\bw/o\b", "without"), (r"\bw/", "with "), (r"\b(\d+)\s*d\b", r"\1 days"), (r"\b(\d+)\s*(?:wks?|w)\b", r"\1 weeks"),
    (r"\b(\d+)\s*mos?\b", r"\1 months"), (r"\b(\d+)\s*(?:yrs?|y)\b", r"\1 years"), (r"\bwks?\b", "week"),
    (r"\byrs?\b", "year"), (r"\bqtrs?\b", "quarter"), (r"\b(this|last|next|previous|prior|current)\s+q\b", r"\1 quarter"),
    (r"\bmos?\b", "month"), (r"\bqoq\b", "by quarter"), (r"\bquarter by quarter\b", "by quarter"),
    (r"\bmom\b", "by month"), (r"\bmonth by month\b", "by month"), (r"\byoy\b", "by year"), (r"\bfcst\b", "forecast"),
    (r"\bbiz\b", "business"), (r"\b(quarter|month|year) over \1\b", r"by \1"), (r"\bb4\b", "before"), (r"\b(?:xmas|christmas)\b", "december 25"), (r"\bthis (year|quarter|month) so far\b", r"\1 to date"),
    (r"\bso far this (year|quarter|month)\b", r"\1 to date"), (r"(?:^|\s)#\s*(?:of\b)?", " number of "), (r"\brn\b", "now"), (r"\bv\b", "vs"),
    (r"\b(won|closed|closed-won|booked)\s+\$", r"\1 revenue"), (r"\$\s+(?=in|for|this|last|since|so)", "revenue "),
    (r"\btypes? of deals?\b", "deal type"), (r"\bnew[- ]logos?\b", "new business"), (r"\b(\d+)\s*\+\s*times\b", r"at least \1 times"),
    (r"\b(\d+) or more times\b", r"at least \1 times"), (r"\bclosed[- ]won\b", "won"), (r"\bclosed-own\b", "won"), (r"\bclosed[- ]lost\b", "lost"),
    (r"\b(\d+)\s*\+\s*(close[- ]date\s+)?(push(?:es)?|slips?|times)\b", r"pushed at least \1 times"),
    (r"\b(more|less|fewer|greater|bigger|larger|smaller|higher|lower|better|worse|other) then\b", r"\1 than"),
    (r"\bwhos\b", "who's"), (r"\bwho'?ve\b", "who have"),
    (r"\bcreat(?:d|ted)?\b", "create"),  # a dropped letter the general fixer leaves alone (a word's start)
    (r"\(?\bas of (?:today|now|right now|this morning)\b\)?", " "),  # 'how many days since (as of today)': no window
    (r"\bm(?:nth|th)(s?)\b", r"month\1"), (r"\bbefor\b", "before"), (r"\baftr\b", "after"),  # dropped letters, short words
    (r"\b(?:numbr|nbr|num)\b", "number"), (r"\b(?:lowet|lowst|lowset)\b", "lowest"), (r"\b(?:higest|highst)\b", "highest"),
    # 'this quarter vs last': the second period is the unit said once
    (r"\b(this|current) (quarter|month|year|week)\s*(vs\.?|versus|compared (?:to|with)|against|and)\s*(?:the\s+)?"
     r"(last|previous|prior)\b(?!\s+(?:one\s+)?(?:quarter|month|year|week)s?\b)(?:\s+one\b)?", r"\1 \2 \3 \4 \2"),
    (r"\b(we|i|did|they|to) loose\b", r"\1 lose"), (r"\bloose\b(?=\s+(?:to|against|any|deals?|opps?)\b)", "lose"),
]


@lru_cache(maxsize=1)
def _ordered_vocab() -> tuple[str, ...]:
    return tuple(sorted(VOCAB))


def _fix(word: str, protected: set[str]) -> str:
    if len(word) < 4 or word in VOCAB or word in protected or not word.isalpha():
        return word
    best, dist, anagram = word, 3, False
    for v in _ordered_vocab():  # in a fixed order: of two words as near, the same one wins in every process
        if abs(len(v) - len(word)) > 1 or v[0] != word[0] and v[:2] != word[1::-1]:
            continue
        d = DamerauLevenshtein.distance(word, v, score_cutoff=2)
        same_letters = sorted(v) == sorted(word)  # 'weke' is 'week' swapped, not 'were'
        if d < dist or d == dist and same_letters and not anagram:
            best, dist, anagram = v, d, same_letters
    limit = 1 if len(word) < 9 else 2  # two edits only in long words: "longest" is not "largest"
    if len(word) <= 5 and not anagram:
        return word  # short words: only swapped letters ('lsat'), never 'chase' -> 'case'
    if word.startswith(best) or best.startswith(word):
        return word  # an inflection ('updated', 'sorted'), not a typo
    if dist <= limit and not anagram and _near_name(word, dist, protected):
        return word  # as near a CRM name ('pipeliens': Pipelines, the product): left for the name linker
        # (letters swapped in a vocabulary word, 'lats' for 'last', stay a typo of it whatever names are near)
    return best if dist <= limit else word


def _near_name(word: str, dist: int, names: set[str]) -> bool:
    """Is ``word`` at most ``dist`` edits from a word of a CRM name (same first letter, length within one)?"""
    return any(n[:1] == word[:1] and abs(len(n) - len(word)) <= 1
               and DamerauLevenshtein.distance(word, n, score_cutoff=dist) <= dist for n in names)


def _fix_word(word: str, protected: set[str]) -> str:
    """A word, or a word with a possessive / contraction ("waht's" -> "what's"); a negative contraction with two
    letters swapped ("hvaen't", "didnt'") is the contraction; other contractions stay."""
    stem, sep, tail = word.partition("'")
    if sep and tail in ("s", "ll", "re", "d") and stem.isalpha():
        return _fix(stem, protected) + sep + tail
    if "'" in word and len(word) >= 5 and word not in NEGATIONS:
        near = [n for n in NEGATIONS if sorted(n) == sorted(word) and DamerauLevenshtein.distance(word, n) == 1]
        if len(near) == 1:
            return near[0]
    return _fix(word, protected)


NEGATIONS = ("haven't", "hasn't", "hadn't", "didn't", "doesn't", "don't", "isn't", "aren't", "wasn't", "weren't",
             "won't", "can't", "wouldn't", "shouldn't")


def normalize(question: str, protected: set[str]) -> tuple[str, list[str]]:
    """(text to parse, purpose phrases removed). ``protected`` are words of CRM names: never 'corrected'."""
    text = question.replace("’", "'")
    words = re.split(r"([^\w']+)", text)  # "haven't" stays one word and is never 'corrected'
    text = "".join(w if not w or not w[0].isalpha() else _case(w, _fix_word(w.lower(), protected)) for w in words)
    text = _PAIR.sub(lambda m: _fix_tail(m, protected), text)
    removed = [m.group(0).strip(" -(),:") for m in (*PURPOSE.finditer(text), *PREPPING.finditer(text), *AIM.finditer(text))]
    text = AIM.sub(" ", PREPPING.sub(" ", PURPOSE.sub(" ", text)))
    for pat, rep in SHORTHANDS:
        text = re.sub(pat, rep, text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip(), removed


# Two-word terms whose second word is short enough that a typo of it is itself a word ('win-ate', 'close dat'):
# read after their first word, one edit away, the second word is the term's.
PAIRS = {"win": "rate", "loss": "rate", "close": "date", "next": "step", "deal": "size", "best": "case",
         "sales": "cycle"}
_PAIR = re.compile(rf"\b({'|'.join(PAIRS)})([\s-]+)([a-z]+)\b", re.I)


def _fix_tail(m: re.Match[str], protected: set[str]) -> str:
    head, gap, tail = m.group(1), m.group(2), m.group(3)
    want, low = PAIRS[head.lower()], tail.lower()
    if low.startswith(want) or low in VOCAB or low in protected or len(low) < 3 \
            or DamerauLevenshtein.distance(low, want, score_cutoff=1) > 1:
        return m.group(0)
    return f"{head}{gap}{want}"


def _case(original: str, fixed: str) -> str:
    if fixed == original.lower():
        return original
    return fixed.capitalize() if original[:1].isupper() else fixed
