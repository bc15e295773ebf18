"""lookup_deal: one deal with its stage history, contacts and recent activity."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select

from copilot.core.domain import Citation
from knowledge.crm.models import Account, Activity, Contact, Deal, Product
from tools._crm import find_deal, user_names
from tools.context import ToolContext, ToolResult, newest_of


class LookupDealArgs(BaseModel):
    deal: str = Field(description="deal id or deal name (fuzzy)")


class HistoryEntry(BaseModel):
    on: date
    from_stage: str | None = None
    to_stage: str
    amount: float | None = None
    close_date: date | None = None


class DealCard(ToolResult):
    id: str
    name: str
    account: str | None = None
    account_id: str | None = None
    owner: str | None = None
    product: str | None = None
    stage: str
    amount: float | None = None
    close_date: date | None = None
    created_on: date | None = None
    deal_type: str | None = None
    next_step: str | None = None
    next_step_date: date | None = None
    forecast_category: str | None = None
    competitor: str | None = None
    loss_reason: str | None = None
    close_date_pushes: int = 0
    history: list[HistoryEntry] = Field(default_factory=list)
    contacts: list[str] = Field(default_factory=list)
    recent: list[str] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        lines = [
            f"Deal {self.name} ({self.id}) {self.ref(0, first)}: account {self.account or 'none'}, owner {self.owner or '?'}, "
            f"product {self.product or '?'}, {self.deal_type or 'new'}; stage {self.stage}, amount ${self.amount or 0:,.0f}, "
            f"close date {self.close_date}, forecast category {self.forecast_category or '-'}.",
            f"Next step: {self.next_step or 'none recorded'}" + (f" (by {self.next_step_date})" if self.next_step_date else ""),
        ]
        if self.competitor:
            lines.append(f"Competitor: {self.competitor}")
        if self.loss_reason:
            lines.append(f"Loss reason: {self.loss_reason}")
        if self.history:
            lines.append("History: " + "; ".join(f"{h.on} {h.from_stage or 'new'}->{h.to_stage}" for h in self.history[-8:]))
        if self.close_date_pushes:
            lines.append(f"Close date pushed {self.close_date_pushes} time(s).")
        if self.contacts:
            lines.append("Contacts: " + "; ".join(self.contacts))
        if self.recent:
            lines.append("Recent activity: " + " | ".join(self.recent))
        return "\n".join(lines)


def lookup_deal(ctx: ToolContext, args: LookupDealArgs) -> DealCard:
    """Look up one deal you may see: stage, amount, close date, next step, forecast category,
    competitor, stage history with close-date pushes, contacts and the latest activities."""
    deal = find_deal(ctx, args.deal)
    names = user_names(ctx)
    with ctx.crm.session() as s:
        acc = s.get(Account, deal.account_id) if deal.account_id else None
        prod = s.get(Product, deal.product_id) if deal.product_id else None
        d = s.get(Deal, deal.id)
        assert d is not None
        hist = [HistoryEntry(on=h.changed_on, from_stage=h.from_stage, to_stage=h.to_stage, amount=h.amount,
                             close_date=h.close_date) for h in d.history]
        contacts = list(s.scalars(select(Contact).where(Contact.account_id == deal.account_id))) if deal.account_id else []
        acts = list(s.scalars(select(Activity).where(Activity.deal_id == deal.id)
                              .order_by(Activity.occurred_at.desc()).limit(5)))
    pushes, prev = 0, None
    for h in hist:
        if prev and h.close_date and prev < h.close_date:
            pushes += 1
        prev = h.close_date or prev
    card = DealCard(
        id=deal.id, name=deal.name, account=acc.name if acc else None, account_id=deal.account_id,
        owner=names.get(deal.owner_id or ""), product=prod.name if prod else None, stage=deal.stage,
        amount=deal.amount, close_date=deal.close_date, created_on=deal.created_on, deal_type=deal.deal_type,
        next_step=deal.next_step, next_step_date=deal.next_step_date, forecast_category=deal.forecast_category,
        competitor=deal.competitor, loss_reason=deal.loss_reason, close_date_pushes=pushes, history=hist,
        contacts=[f"{c.name} ({c.title or '?'}{', ' + c.buying_role if c.buying_role else ''})" for c in contacts],
        recent=[f"{a.occurred_at:%Y-%m-%d} {a.kind}: {a.subject or (a.body or '')[:80]}" for a in acts],
    )
    card.citations = [Citation(source_id=f"crm:deal:{deal.id}", title=deal.name, kind="crm", record=f"deal:{deal.id}",
                               snippet=card.render().split("\n")[0][:200])]
    card.newest = newest_of(deal.updated_at, *[a.occurred_at for a in acts])
    return card


