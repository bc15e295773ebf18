"""search_knowledge: find passages in the case library and CRM notes, with citations."""

from __future__ import annotations

import contextlib
from datetime import datetime

from pydantic import BaseModel, Field

from copilot.core.errors import ProviderError
from tools.context import ToolContext, ToolResult, newest_of


class SearchKnowledgeArgs(BaseModel):
    query: str = Field(description="what to look for, in plain words (e.g. 'handling a discount request')")
    types: list[str] | None = Field(
        default=None,
        description="optional document types: win_story, loss_story, objection_guide, battle_card, "
        "product_one_pager, pricing_policy, playbook, persona_card, faq, account, deal, email_thread, meeting, note, call",
    )
    account: str | None = Field(default=None, description="optional account name or id to restrict to")
    k: int = Field(default=6, ge=1, le=20, description="how many passages")


class Passage(BaseModel):
    text: str
    title: str
    section: str | None = None
    type: str | None = None
    score: float = 0.0
    chunk: int | None = None  # position of the passage in its document, when the store knows it


class Passages(ToolResult):
    query: str
    passages: list[Passage] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        if not self.passages:
            return f"No passages found for {self.query!r}."
        lines = []
        for i, p in enumerate(self.passages):
            where = p.title + (f" > {p.section}" if p.section else "")
            lines.append(f"{self.ref(i, first)} ({p.type or 'doc'}) {where}\n{p.text.strip()}")
        return "\n\n".join(lines)


def search_knowledge(ctx: ToolContext, args: SearchKnowledgeArgs) -> Passages:
    """Search the case library (win/loss stories, playbooks, battle cards, product docs, pricing policy)
    and the CRM notes you may see (account summaries, email threads, meeting notes, call summaries).
    Use it for how-to, objection, competitor and product questions, and for what was said with an account."""
    if ctx.knowledge is None:
        raise ProviderError("the knowledge store is not available", hint="run 'copilot ingest PATH' first")
    account_id = None
    if args.account:
        from tools._crm import find_account

        account_id = find_account(ctx, args.account).id
    hits = ctx.knowledge.search(args.query, ctx.scope, k=args.k, types=args.types, account_id=account_id)
    newest: datetime | None = None
    passages, cites = [], []
    for h in hits:
        meta = h.metadata
        if meta.get("owner") or meta.get("team"):
            stamp = meta.get("updated_at")
            if stamp:
                with contextlib.suppress(ValueError):  # a malformed stamp only loses freshness info
                    newest = newest_of(newest, datetime.fromisoformat(str(stamp)))
        passages.append(Passage(text=h.text, title=h.citation.title, section=h.citation.section,
                                type=meta.get("type"), score=float(h.score), chunk=_int(meta.get("chunk"))))
        cites.append(h.citation)
    return Passages(query=args.query, passages=passages, citations=cites, newest=newest)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
