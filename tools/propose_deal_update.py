"""propose_deal_update: a CRM change to a deal (stage, amount, close date, next step), for approval."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

from copilot.core.domain import Citation, Stage
from tools._crm import find_deal
from tools._propose import Proposed, propose
from tools.context import ToolContext


class ProposeDealUpdateArgs(BaseModel):
    deal: str = Field(description="deal name or id")
    stage: Stage | None = None
    amount: float | None = Field(default=None, ge=0)
    close_date: date | None = None
    next_step: str | None = None
    next_step_date: date | None = None
    forecast_category: str | None = Field(default=None, pattern="^(commit|best_case|pipeline|omitted)$")
    rationale: str = Field(default="", description="why, in one sentence")

    @model_validator(mode="after")
    def _something(self) -> ProposeDealUpdateArgs:
        if not self.fields():
            raise ValueError("name at least one field to change")
        return self

    def fields(self) -> dict[str, object]:
        vals = {"stage": self.stage.value if self.stage else None, "amount": self.amount,
                "close_date": self.close_date.isoformat() if self.close_date else None, "next_step": self.next_step,
                "next_step_date": self.next_step_date.isoformat() if self.next_step_date else None,
                "forecast_category": self.forecast_category}
        return {k: v for k, v in vals.items() if v is not None}


def propose_deal_update(ctx: ToolContext, args: ProposeDealUpdateArgs) -> Proposed:
    """Propose updating a deal you may see: stage, amount, close date, next step (and its date) or
    forecast category. The change is applied to the CRM only after the user approves it."""
    deal = find_deal(ctx, args.deal)
    cite = Citation(source_id=f"crm:deal:{deal.id}", title=deal.name, kind="crm", record=f"deal:{deal.id}")
    return propose(ctx, "update_deal", {"deal_id": deal.id, "fields": args.fields()}, tool="propose_deal_update",
                   citations=[cite], rationale=args.rationale or f"update {deal.name}", deal_id=deal.id,
                   account_id=deal.account_id)
