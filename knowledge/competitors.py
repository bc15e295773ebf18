"""Competitors as the user's own data names them: the CRM's deals and the case library's battle cards.

Nothing here knows any company. The names come from:
- the CRM: the ``competitor`` field of deals, most frequent first;
- the ingested library: documents marked as battle cards (front matter ``type: battle_card``, with a
  ``competitor:`` field or a title such as "Battle card: X" or "X battlecard") and comparison pages
  ("X vs. Y" titles, ``x_vs_y.md`` file names, "Comparison with X" headings).

A comparison page names us too. The side that is us is the configured company, or else the one paired with
more others (every comparison page names us); our own products ("Acme Cloud" when we are Acme) are not
competitors either. Call summaries and the speech recognizer's hotwords use the result.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select

_VS = re.compile(r"^(.+?)\s+(?:vs\.?|versus)\s+(.+?)$", re.I)
_COMPARED = re.compile(r"^(?:comparison (?:with|to)|compared (?:with|to)|vs\.?|versus)\s+(.+)$", re.I)
_CARD = re.compile(r"\b(?:battle ?cards?|competitive (?:brief|card))\b", re.I)
_FILE_VS = re.compile(r"^(.+?)[_-]vs[_-](.+)$", re.I)


@dataclass(frozen=True)
class Mention:
    """A competitor name found in the library, and the document that is about it."""

    name: str
    source: str
    pairs_with: str | None = None  # the other side of "X vs. Y", if any


def _tidy(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip(" -:|.–—")).strip()


def _plain_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def mentions(title: str, section: str | None, source: str, doc_type: str | None = None,
             competitor: str | None = None) -> list[Mention]:
    """Competitor names a passage's title, headings, type (and front-matter ``competitor``) or file name give."""
    out: list[Mention] = []
    if doc_type == "battle_card" and competitor:
        out.append(Mention(_tidy(str(competitor)), source))
    elif doc_type == "battle_card" or _CARD.search(title):
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
        a_title = title if _plain_words(a) <= _plain_words(title) and not _VS.match(title) else a
        out += [Mention(a_title, source, b), Mention(b, source, a_title)]
    return out


def library_competitors(docs: Iterable[dict[str, Any]], company: str = "") -> list[str]:
    """Competitor names in ingested documents' metadata (``title``, ``type``, ``source``, ``competitor``)."""
    docs = list(docs)
    found: list[Mention] = []
    for d in docs:
        found += mentions(str(d.get("title") or ""), None, str(d.get("source") or ""), d.get("type"),
                          d.get("competitor"))
    partners: dict[str, set[str]] = {}
    for m in found:
        if m.pairs_with:
            partners.setdefault(m.name.lower(), set()).add(m.pairs_with.lower())
    us = [_plain_words(company)] if company.strip() else []
    # Without a configured company, the side of a comparison paired with more others is us.
    us += [_plain_words(name) for name, other in partners.items()
           if len(other) > 1 and all(len(other) > len(partners.get(o, ())) for o in other)]
    us = [w for w in us if w]

    def ours(name: str) -> bool:  # us, or one of our products ("Acme Cloud")
        return any(w <= _plain_words(name) for w in us)

    # Once we know who we are, "X vs. Y" names a competitor only when the other side is exactly us: a page
    # comparing two of our own offerings ("Acme Cloud vs. Acme Server", enterprise_vs_oss.md) names none.
    names = [m for m in found if not ours(m.name)
             and (m.pairs_with is None or not us or _plain_words(m.pairs_with) in us)]
    # One document, several spellings ("Google Cloud Source Repositories code search" in the title,
    # "google cloud source repositories" in the file name): keep the shortest, spelled as a title spells it.
    kept: dict[str, str] = {}
    for m in names:
        words = _plain_words(m.name)
        if any(_plain_words(o.name) < words for o in names if o.source == m.source):
            continue
        kept.setdefault(m.name.lower(), _spelled(m.name, [str(d.get("title") or "") for d in docs]))
    return list(dict.fromkeys(kept.values()))


def _spelled(name: str, titles: list[str]) -> str:
    """A lower-case name from a file name, written as some title writes it ("gitlab" -> "GitLab")."""
    if name != name.lower():
        return name
    pattern = re.compile(r"\b" + r"[\s_-]+".join(map(re.escape, name.split())) + r"\b", re.I)
    for title in titles:
        m = pattern.search(title)
        if m:
            return m.group(0)
    return name.title()


def crm_competitors(crm: Any) -> list[str]:
    """The competitor names on the CRM's deals, most frequent first."""
    from knowledge.crm.models import Deal

    with crm.session() as s:
        rows = s.execute(select(Deal.competitor, func.count()).where(Deal.competitor.is_not(None))
                         .group_by(Deal.competitor)).all()
    counts = Counter({str(name).strip(): n for name, n in rows if name and str(name).strip()})
    return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))]


def known_competitors(crm: Any, documents: Iterable[dict[str, Any]] = (), company: str = "") -> list[str]:
    """The CRM's competitors, then the library's; each name once, whatever its case."""
    seen: dict[str, str] = {}
    for name in [*crm_competitors(crm), *library_competitors(documents, company)]:
        seen.setdefault(name.lower(), name)
    return list(seen.values())
