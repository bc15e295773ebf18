"""Customer-health tools for the agent: health scores with reasons (one account, the accounts at risk, renewals
due in a window with falling usage), and health by segment for execs. Scope checks happen in the service."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from copilot.core.domain import Citation
from copilot.core.errors import ProviderError
from tools.context import ToolContext, ToolResult

if TYPE_CHECKING:
    from tools.health.service import HealthService


def _health(ctx: ToolContext) -> HealthService:
    if ctx.capabilities is None:
        raise ProviderError("customer health is not available in this deployment")
    return ctx.capabilities.health


class HealthArgs(BaseModel):
    account: str | None = Field(default=None, description="one account's name: its score explained")
    at_risk_only: bool = Field(default=False, description="only customers at risk (band 'at risk', a falling score "
                                                          "or a likely lost renewal)")
    renewals_from: date | None = Field(default=None, description="only renewals due on or after this day")
    renewals_to: date | None = Field(default=None, description="only renewals due on or before this day")
    falling_usage: bool = Field(default=False, description="only accounts whose seat utilization is falling")
    limit: int = Field(default=10, ge=1, le=50)


class HealthList(ToolResult):
    accounts: list[dict[str, Any]] = Field(default_factory=list)
    segments: list[dict[str, Any]] = Field(default_factory=list)
    considered: int = 0
    notes: list[str] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        if self.segments:
            return "\n".join(f"{s['segment']}: {s['accounts']} customers, average health {s['average_score']}, "
                             f"{s['at_risk']} at risk, {s['falling']} falling" for s in self.segments)
        if not self.accounts:
            return f"No account matches among the {self.considered} you can see."
        return "\n".join(f"{self.ref(i, first)} {a['summary']}" for i, a in enumerate(self.accounts))


def _at_risk(a: Any, drop: float) -> bool:
    return a.band == "at risk" or (a.change is not None and a.change <= -drop) or \
        (a.renewal_risk is not None and a.renewal_risk >= 0.5)


def customer_health(ctx: ToolContext, args: HealthArgs) -> HealthList:
    """Customer health scores (0-100) with their reasons in plain words and the data behind them: usage,
    feature depth, support and engagement, the journey stage and the learned renewal risk. One account
    ('why is X's health dropping'), the customers at risk, or renewals due in a window with falling usage.
    Execs get health by segment (aggregates only)."""
    svc = _health(ctx)
    view = svc.view(ctx.scope, account=args.account, as_of=ctx.today, customers_only=not args.account)
    if ctx.scope.aggregates_only:
        return HealthList(segments=[s.model_dump(mode="json") for s in view.segments], notes=view.notes,
                          citations=[Citation(source_id="health:segments", title="Customer health by segment",
                                              kind="crm",
                                              snippet=f"{len(view.segments)} segments")])
    drop = svc.rules.health.scan.drop_points
    rows = view.accounts
    if args.at_risk_only:
        rows = [a for a in rows if _at_risk(a, drop)]
    if args.renewals_from or args.renewals_to:
        rows = [a for a in rows if a.renewal_due and (args.renewals_from is None or a.renewal_due >= args.renewals_from)
                and (args.renewals_to is None or a.renewal_due <= args.renewals_to)]
    if args.falling_usage:
        rows = [a for a in rows if "usage_drop" in a.signals or any(
            c.name == "usage" and any("down from" in r for r in c.reasons) for c in a.components)]
    rows = rows[: args.limit]
    cites = []
    for a in rows:
        comp = next((c for c in a.components if c.citations), None)
        cites.append(comp.citations[0] if comp else Citation(
            source_id=f"crm:account:{a.account_id}", title=a.account, kind="crm", record=f"account:{a.account_id}"))
    return HealthList(accounts=[a.model_dump(mode="json") for a in rows], considered=len(view.accounts),
                      notes=view.notes, citations=cites)
