"""Offline answers from the case library: objections, competitors and general how-to questions.

They quote the most relevant sentences of the best passages, each with its citation, preferring
passages from different documents so one answer shows several sources.
"""

from __future__ import annotations

from copilot.offline.compose import Composer, best_sentences
from copilot.offline.entities import Entities
from tools.context import ToolContext
from tools.search_knowledge import Passages, SearchKnowledgeArgs, search_knowledge

OBJECTION_TYPES = ["objection_guide", "playbook", "pricing_policy", "win_story", "faq"]
COMPETITOR_TYPES = ["battle_card", "win_story", "loss_story"]


def _search(ctx: ToolContext, c: Composer, query: str, types: list[str] | None, k: int = 8) -> Passages:
    res = search_knowledge(ctx, SearchKnowledgeArgs(query=query, types=types, k=k))
    c.used("search_knowledge", res)
    return res


def _quote(c: Composer, res: Passages, question: str, limit: int = 3) -> int:
    seen: set[str] = set()
    shown = 0
    for p, cit in zip(res.passages, res.citations, strict=True):
        if cit.source_id in seen:
            continue
        seen.add(cit.source_id)
        where = p.title + (f" > {p.section}" if p.section else "")
        n = 3 if shown == 0 else 2  # the best passage gets more room
        c.add(f"- **{where}**: {best_sentences(p.text, question, n=n, max_chars=520 if n == 3 else 420)} {c.cite(cit)}")
        shown += 1
        if shown >= limit:
            break
    return shown


def _no_sources(c: Composer, what: str) -> float:
    c.add(f"I found nothing in the case library about {what}. Try other words, or ingest the relevant "
          "documents with `copilot ingest PATH`.")
    return 0.15


def objection(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    res = _search(ctx, c, question, OBJECTION_TYPES)
    if not res.passages:
        res = _search(ctx, c, question, None)
    if not res.passages:
        return _no_sources(c, "this objection")
    c.add("How the case library says to handle it:")
    n = _quote(c, res, question)
    return 0.55 + 0.1 * min(n, 3)


def competitor(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    name = ent.competitor
    query = f"{name} {question}" if name and name.lower() not in question.lower() else question
    res = _search(ctx, c, query, COMPETITOR_TYPES)
    if name:
        named = [i for i, p in enumerate(res.passages)
                 if name.lower() in (p.text + " " + p.title).lower()]
        if named:
            res = Passages(query=res.query, passages=[res.passages[i] for i in named],
                           citations=[res.citations[i] for i in named], newest=res.newest)
    if not res.passages:
        return _no_sources(c, name or "this competitor")
    c.add(f"How we compare{' with ' + name if name else ''}:")
    n = _quote(c, res, question)
    return 0.6 + 0.1 * min(n, 3)


def knowledge(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    res = _search(ctx, c, question, None, k=6)
    if not res.passages:
        return _no_sources(c, "this")
    c.add("What the sources say:")
    n = _quote(c, res, question)
    top = res.passages[0].score if res.passages else 0.0
    return min(0.8, 0.4 + 0.1 * n + (0.1 if top > 0 else 0.0))
