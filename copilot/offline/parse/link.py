"""Entity linking: find the CRM's own names (accounts, people, teams, products, competitors) in a question.

Aliases are built from the data, not from a list of known companies: full names, a name's distinctive
words when they are unique ("Globex" for "Globex Manufacturing", "Observe" for "Acme Observe"),
and people's first or last names when unique. Matching is exact on word n-grams first, then fuzzy
(rapidfuzz) for longer words, so "globx manufactring" still links. Accounts come only from the
asker's scope: a name they may not see links to nothing and is reported as unknown.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from copilot.core.lang import HAN
from copilot.offline.parse.lexicon import FACT_ABBREVIATIONS

# A Chinese name is one token: the Chinese reader (parse/zh.py) keeps CRM names whole, set off by spaces.
WORD = re.compile(f"[a-z0-9][a-z0-9&'.-]*[a-z0-9]|[a-z0-9]|[{HAN}]+")
HAN_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|公司|集团|控股|科技|技术|网络|信息|软件|银行|保险|医院)+$")
GENERIC = {"the", "and", "inc", "corp", "corporation", "group", "company", "co", "llc", "ltd", "health", "data",
           "systems", "global", "financial", "retail", "manufacturing", "labs", "technologies", "solutions",
           "partners", "holdings", "software", "studios", "media", "logistics", "insurance", "foods", "services",
           "international", "industries", "enterprises", "capital", "energy", "bank", "networks", "plus", "basic",
           "pro", "suite", "enterprise", "team", "deal", "deals", "east", "west", "north", "south", "central",
           "new", "open", "won", "lost", "pipeline", "renewal", "expansion", "observe", "commit", "best", "case"}
KINDS = ("account", "person", "team", "product", "competitor")
WHOLE_ONLY = ("sector", "region", "tier", "series", "parent")  # values of a fact: linked by their whole name only


@dataclass(frozen=True)
class Link:
    kind: str  # account | person | team | product | competitor, or a fact's value (WHOLE_ONLY)
    id: str
    name: str
    at: tuple[int, int]
    exact: bool = True


def words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).strip("'."), m.start(), m.end()) for m in WORD.finditer(text.lower())]


LEGAL_SHORT = {"corporation": "corp", "incorporated": "inc", "company": "co", "limited": "ltd", "international": "intl",
               "holdings": "hldgs", "group": "grp"}


class Linker:
    def __init__(self, names: dict[str, dict[str, str]]) -> None:
        """``names``: kind -> {id: name}."""
        self.names = names
        self.aliases: dict[str, list[tuple[str, str, str]]] = {}  # alias -> [(kind, id, name)]
        token_use: Counter[str] = Counter()
        for kind, table in names.items():
            for name in (table.values() if kind not in WHOLE_ONLY else ()):
                for t in {w for w, _, _ in words(name)}:
                    token_use[t] += 1
        for kind, table in names.items():
            for rid, name in table.items():
                self._add(name.lower(), kind, rid, name)
                self._add(name.lower().replace(" ", ""), kind, rid, name)
                for long, short in LEGAL_SHORT.items():  # 'Acme Corporation' typed 'acme corp'
                    if name.lower().endswith(f" {long}") and kind not in WHOLE_ONLY:
                        self._add(name.lower()[:-len(long)] + short, kind, rid, name)
                if kind in WHOLE_ONLY:
                    low = name.lower()
                    for short, long in FACT_ABBREVIATIONS.items():  # 'telecom' -> 'telecommunications'
                        if low.startswith(long) and short != low and sum(
                                1 for n in table.values() if n.lower().startswith(long)) == 1:
                            self._add(short, kind, rid, name)
                    continue
                toks = [w for w, _, _ in words(name)]
                for t in toks:
                    unique = token_use[t] == 1
                    distinctive = len(t) >= 4 and t not in GENERIC
                    if unique and (distinctive or kind in ("person", "competitor") and len(t) >= 3):
                        self._add(t, kind, rid, name)
                short = HAN_SUFFIX.sub("", name)
                if short != name and len(short) >= 2:  # "华为技术有限公司" -> "华为"
                    self._add(short, kind, rid, name)
                for han in {name, short} if re.search(f"[{HAN}]", name) else ():
                    spelled = _pinyin(han)  # typed without a Chinese keyboard: "huawei", "hua wei"
                    if len(spelled.replace(" ", "")) >= 4:
                        self._add(spelled, kind, rid, name)
                        self._add(spelled.replace(" ", ""), kind, rid, name)
                if kind == "product" and len(toks) > 1:  # "Acme Observe" -> "observe" when unique
                    tail = " ".join(toks[1:])
                    if sum(1 for n in table.values() if n.lower().endswith(tail)) == 1:
                        self._add(tail, kind, rid, name)
        self.max_len = max((len(a.split()) for a in self.aliases), default=1)
        self._by_words: dict[int, list[str]] | None = None
        self.words = {w for alias in self.aliases for w in alias.split()}  # never 'typo-corrected'
        self.words |= {w for table in names.values() for n in table.values() for w, _, _ in words(n)}

    def han_names(self) -> list[str]:
        """Aliases written in Chinese characters: the Chinese reader keeps them verbatim."""
        return [a for a in self.aliases if re.search(f"[{HAN}]", a)]

    def _add(self, alias: str, kind: str, rid: str, name: str) -> None:
        if alias and (kind, rid, name) not in self.aliases.setdefault(alias, []):
            self.aliases[alias].append((kind, rid, name))

    def find(self, question: str, *, skip: list[tuple[int, int]] | None = None,
             soft: list[tuple[int, int]] | None = None, reserved: set[str] | None = None,
             common: set[str] | None = None) -> list[Link]:
        """Links left to right, longest first. ``skip`` spans are never linked; ``soft`` spans (words a
        slot lexicon already read, like 'pipeline') link only as part of a longer, multi-word name."""
        toks = words(question)
        taken = list(skip or [])
        soft = soft or []
        out: list[Link] = []
        for n in range(min(self.max_len, 5), 0, -1):
            for i in range(len(toks) - n + 1):
                a, b = toks[i][1], toks[i + n - 1][2]
                if any(a < y and x < b for x, y in taken):
                    continue
                if n == 1 and any(x <= a and b <= y and (y - x) <= (b - a) + 4 for x, y in soft):
                    continue  # a lexicon word ('pipeline'), not a name; long lexicon phrases may hold names
                phrase = " ".join(t for t, _, _ in toks[i:i + n])
                if n == 1 and reserved and phrase in reserved:
                    continue
                possessive = phrase.endswith("'s")
                phrase = re.sub(r"'s$", "", phrase)
                hits = self.aliases.get(phrase) or self.aliases.get(phrase.rstrip("s")) if len(phrase) > 3 else \
                    self.aliases.get(phrase)
                exact = True
                if not hits and n <= 3 and len(phrase) >= 5 and not (common and all(w in common for w in phrase.split())):
                    hits, exact = self._fuzzy(phrase, n), False  # ordinary words ('close') never fuzzy-match a name
                if not hits and n == 1 and possessive and 3 <= len(phrase) < 5 and not (common and phrase in common):
                    hits, exact = self._short_name(phrase), False
                if hits:
                    kind, rid, name = _prefer(hits)
                    out.append(Link(kind, rid, name, (a, b), exact))
                    taken.append((a, b))
        return sorted(out, key=lambda link: link.at)

    def _fuzzy(self, phrase: str, n: int) -> list[tuple[str, str, str]]:
        """The closest alias of the same word count and nearly the same length (rapidfuzz over the whole
        list in C: a CRM with tens of thousands of names stays interactive)."""
        if self._by_words is None:
            self._by_words = {}
            for alias in self.aliases:
                if len(alias) >= 5:
                    self._by_words.setdefault(len(alias.split()), []).append(alias)
        cutoff = 86 if len(phrase) >= 8 else 84
        candidates = self._by_words.get(n, [])
        for alias, _score, _ in process.extract(phrase, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5):
            hits = [h for h in self.aliases[alias] if n == 1 or h[0] not in WHOLE_ONLY]  # 'vs west' is not 'US West'
            if abs(len(alias) - len(phrase)) <= 2 and hits:
                return hits
        if n == 1 and len(phrase) <= 10:  # one slip in a short name ('Govenr', 'Gvoern'): ratio is too strict there
            close = [a for a in candidates if a[0] == phrase[0] and abs(len(a) - len(phrase)) <= 1
                     and DamerauLevenshtein.distance(a, phrase, score_cutoff=1) <= 1
                     or a[1:] == phrase[1:] and sorted(a) == sorted(phrase)]
            if len(close) == 1:
                return self.aliases[close[0]]
        return []

    def _short_name(self, word: str) -> list[tuple[str, str, str]]:
        """A short person or team name typed with one slip before a possessive ('tmo's deals' for Tom, 'wst's win
        rate' for West): the possessive says it is a name, so one edit is allowed where ordinary words get none.
        Only a single candidate with the same first letter counts."""
        close = [a for a in self.aliases if " " not in a and 3 <= len(a) <= 5 and a[0] == word[0]
                 and DamerauLevenshtein.distance(a, word, score_cutoff=1) <= 1]
        hits = [h for a in close for h in self.aliases[a] if h[0] in ("person", "team")]
        return hits if len({(kind, rid) for kind, rid, _ in hits}) == 1 else []


def _pinyin(text: str) -> str:
    """Toneless pinyin of the Chinese characters in ``text``, one syllable per character, space-separated."""
    from pypinyin import lazy_pinyin

    return " ".join(p for p in lazy_pinyin(re.sub(f"[^{HAN}]", "", text)) if p)


def _prefer(hits: list[tuple[str, str, str]]) -> tuple[str, str, str]:
    """One alias, several records: people over accounts over teams (a first name is usually a person)."""
    order = {"person": 0, "account": 1, "team": 2, "product": 3, "competitor": 4, "series": 5, "sector": 6,
             "region": 7, "tier": 8, "parent": 9}
    return sorted(hits, key=lambda h: order.get(h[0], 9))[0]
