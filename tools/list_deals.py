"""list_deals: deals you may see, filtered by owner, stage, close window, amount, status."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from copilot.core.domain import Citation
from copilot.core.errors import NotFound
from knowledge.crm.models import Account, Deal
from knowledge.crm.scoping import apply_scope, require_records
from tools._crm import find_account, find_user_id, user_names
from tools.context import ToolContext, ToolResult, newest_of

DealStatus = Literal["open", "won", "lost", "closed", "any"]


class ListDealsArgs(BaseModel):
    owner: str | None = Field(default=None, description="'me', a rep's name, email or id")
    status: DealStatus = Field(default="open")
    stage: str | None = Field(default=None, description="a stage: prospecting, qualification, discovery, demo, "
                              "proposal, negotiation, closed_won, closed_lost")
    close_from: date | None = Field(default=None, description="close date on or after (YYYY-MM-DD)")
    close_to: date | None = Field(default=None, description="close date on or before (YYYY-MM-DD)")
    min_amount: float | None = None
    max_amount: float | None = None
    account: str | None = Field(default=None, description="account name or id")
    limit: int = Field(default=25, ge=1, le=200)

    @model_validator(mode="after")
    def _window(self) -> ListDealsArgs:
        if self.close_from and self.close_to and self.close_from > self.close_to:
            raise ValueError("close_from is after close_to")
        return self


class DealRow(BaseModel):
    id: str
    name: str
    account: str | None = None
    owner: str | None = None
    stage: str
    amount: float | None = None
    close_date: date | None = None
    next_step: str | None = None
    forecast_category: str | None = None


class DealList(ToolResult):
    deals: list[DealRow] = Field(default_factory=list)
    total: int = 0
    total_amount: float = 0.0
    description: str = ""

    def render(self, first: int = 1) -> str:
        if not self.deals:
            return f"No deals match ({self.description})."
        head = f"{self.total} deal(s), ${self.total_amount:,.0f} in total ({self.description})"
        rows = [f"{self.ref(i, first)} {d.name} ({d.id}): {d.stage}, ${d.amount or 0:,.0f}, close {d.close_date}, "
                f"owner {d.owner or '?'}, next step: {d.next_step or 'none'}" for i, d in enumerate(self.deals)]
        more = [f"... and {self.total - len(self.deals)} more"] if self.total > len(self.deals) else []
        return "\n".join([head, *rows, *more])


def list_deals(ctx: ToolContext, args: ListDealsArgs) -> DealList:
    """List deals you may see, with filters: owner ('me' or a rep), status (open/won/lost/closed/any),
    stage, close-date window, amount range and account. Use it for 'my open deals closing this month',
    'deals in negotiation over $50k', 'what did Maya win last quarter'."""
    require_records(ctx.scope, "deal lists")
    stmt = apply_scope(select(Deal, Account.name).outerjoin(Account, Deal.account_id == Account.id), ctx.scope, Deal)
    desc: list[str] = [args.status]
    if args.owner:
        uid = find_user_id(ctx, args.owner)
        if uid is None:
            raise NotFound(f"no rep named {args.owner!r}", hint="use a name from 'copilot users'")
        stmt = stmt.where(Deal.owner_id == uid)
        desc.append(f"owner {args.owner}")
    closed = ("closed_won", "closed_lost")
    status_filter = {"open": Deal.stage.not_in(closed), "won": Deal.stage == "closed_won",
                     "lost": Deal.stage == "closed_lost", "closed": Deal.stage.in_(closed)}.get(args.status)
    if status_filter is not None:
        stmt = stmt.where(status_filter)
    if args.stage:
        stmt = stmt.where(Deal.stage == args.stage.strip().lower().replace(" ", "_"))
        desc.append(f"stage {args.stage}")
    if args.close_from:
        stmt = stmt.where(Deal.close_date >= args.close_from)
    if args.close_to:
        stmt = stmt.where(Deal.close_date <= args.close_to)
    if args.close_from or args.close_to:
        desc.append(f"closing {args.close_from or '...'} to {args.close_to or '...'}")
    if args.min_amount is not None:
        stmt = stmt.where(Deal.amount >= args.min_amount)
        desc.append(f"amount >= {args.min_amount:,.0f}")
    if args.max_amount is not None:
        stmt = stmt.where(Deal.amount <= args.max_amount)
        desc.append(f"amount <= {args.max_amount:,.0f}")
    if args.account:
        stmt = stmt.where(Deal.account_id == find_account(ctx, args.account).id)
        desc.append(f"account {args.account}")
    names = user_names(ctx)
    with ctx.crm.session() as s:
        rows = list(s.execute(stmt.order_by(Deal.close_date, Deal.amount.desc())))
    deals = [DealRow(id=d.id, name=d.name, account=an, owner=names.get(d.owner_id or ""), stage=d.stage,
                     amount=d.amount, close_date=d.close_date, next_step=d.next_step,
                     forecast_category=d.forecast_category) for d, an in rows]
    shown = deals[: args.limit]
    return DealList(
        deals=shown, total=len(deals), total_amount=sum(d.amount or 0 for d in deals), description=", ".join(desc),
        citations=[Citation(source_id=f"crm:deal:{d.id}", title=d.name, kind="crm", record=f"deal:{d.id}",
                            snippet=f"{d.stage}, ${d.amount or 0:,.0f}, close {d.close_date}") for d in shown],
        newest=newest_of(*[d.updated_at for d, _ in rows]),
    )
