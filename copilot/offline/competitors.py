"""Competitors the case library names, so "how do we compare to X?" works for an X the CRM never saw.

A library names a competitor in a battle card's title ("Battle card - Vantage IQ", "OpsHawk battlecard"),
in a comparison page's title or file name ("GitLab vs. Sourcegraph", ``livegrep_vs_sourcegraph.md``)
or in a heading such as "Comparison with Hound". When both sides of a "X vs. Y" appear in a question, the side that
appears in more comparison titles is taken to be us (every comparison page names us).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from copilot.offline.sections import stem

_VS = re.compile(r"^(.+?)\s+(?:vs\.?|versus)\s+(.+?)$", re.I)
_COMPARED = re.compile(r"^(?:comparison (?:with|to)|compared (?:with|to)|vs\.?|versus)\s+(.+)$", re.I)
_CARD = re.compile(r"\b(?:battle ?cards?|competitive (?:brief|card))\b", re.I)
_FILE_VS = re.compile(r"^(.+?)[_-]vs[_-](.+)$", re.I)
_GENERIC = frozenset({"code", "search", "cloud", "server", "source", "the", "and", "for", "inc", "app", "data"})


@dataclass(frozen=True)
class Mention:
    """A competitor name found in the library, and the document that is about it."""

    name: str
    source: str
    pairs_with: str | None = None  # the other side of "X vs. Y", if any


def _tidy(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip(" -:|.–—")).strip()


def mentions(title: str, section: str | None, source: str, doc_type: str | None = None) -> list[Mention]:
    """Competitor names a passage's title, headings, type or file name give."""
    out: list[Mention] = []
    if doc_type == "battle_card" or _CARD.search(title):
        name = _tidy(_CARD.sub(" ", title))
        if name:
            out.append(Mention(name, source))
    m = _VS.match(title.strip())
    if m:
        a, b = _tidy(m.group(1)), _tidy(m.group(2))
        out += [Mention(a, source, b), Mention(b, source, a)]
    # A heading "X vs. Y" inside a page is as often two of our own options ("Self-hosted vs. managed");
    # only "Comparison with X" names a competitor there.
    for text in [title, *(section or "").split(" > ")]:
        m = _COMPARED.match(text.strip())
        if m:
            out.append(Mention(_tidy(m.group(1)), source))
    stem_ = PurePosixPath(source).stem
    m = _FILE_VS.match(stem_)
    if m:
        a, b = (_tidy(re.sub(r"[_-]+", " ", g)) for g in m.groups())
        # The page's own title usually spells the name better ("Oracle OpenGrok" for opengrok_vs_...).
        a_title = title if _words(a) <= _words(title) and not _VS.match(title) else a
        out += [Mention(a_title, source, b), Mention(b, source, a_title)]
    return out


def _words(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


def match_score(name: str, question: str) -> float:
    """Share of the name's distinctive words in the question (1.0: all of them); 0 if none."""
    words = _words(name) - {stem(g) for g in _GENERIC}
    if not words:
        words = _words(name)
    if not words:
        return 0.0
    q = _words(question) | {w.replace(" ", "") for w in _words(question)}
    squashed = re.sub(r"[^a-z0-9]", "", question.lower())
    if re.sub(r"[^a-z0-9]", "", name.lower()) in squashed:
        return 1.0
    return len(words & q) / len(words)


def find_competitor(question: str, found: list[Mention], texts: list[str] | None = None) -> tuple[str, set[str]] | None:
    """The competitor the question names, and the sources about it; None when it names none.

    Of the two sides of "X vs. Y", the one that is us is the one more of the retrieved passages
    (``texts``) mention, or failing that the one paired with more others: our own name is all over
    our library, and every comparison page names us.
    """
    lowered = [t.lower() for t in texts or []]
    partners: dict[str, set[str]] = {}
    for m in found:
        if m.pairs_with:
            partners.setdefault(m.name.lower(), set()).add(m.pairs_with.lower())

    def weight(name: str) -> tuple[int, int]:
        key = name.lower()
        return sum(key in t for t in lowered), len(partners.get(key, ()))

    def is_us(m: Mention) -> bool:
        return bool(m.pairs_with) and weight(m.name) > weight(str(m.pairs_with))

    us = [_words(m.name) for m in found if is_us(m)]
    # Our own products ("Sourcegraph Enterprise") carry our name: they are not competitors either.
    scored = [(match_score(m.name, question), m) for m in found if not any(w <= _words(m.name) for w in us)]
    scored = [(s, m) for s, m in scored if s >= 0.5]
    if not scored:
        return None
    top = max(s for s, _ in scored)
    name = next(m.name for s, m in scored if s == top)
    sources = {m.source for m in found if _words(m.name) == _words(name)}
    return name, sources
