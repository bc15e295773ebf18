"""Competitors the case library names, so "how do we compare to X?" works for an X the CRM never saw.

The names come from ``knowledge.competitors.mentions``: a battle card's title ("Battle card - Acme",
"Acme battlecard"), a comparison page's title or file name ("GitLab vs. Sourcegraph",
``livegrep_vs_sourcegraph.md``) or a heading such as "Comparison with Hound". When both sides of a "X vs. Y"
appear in a question, the side that appears in more comparison titles is taken to be us (every comparison
page names us).
"""

from __future__ import annotations

import re

from copilot.offline.terms import stem
from knowledge.competitors import Mention, mentions

__all__ = ["Mention", "find_competitor", "match_score", "mentions"]

_GENERIC = frozenset({"code", "search", "cloud", "server", "source", "the", "and", "for", "inc", "app", "data"})


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
