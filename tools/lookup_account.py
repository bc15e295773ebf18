"""lookup_account: an account's card: who we talk to, open deals, last touch, health."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from copilot.core.domain import Citation
from knowledge.crm.models import Activity, Contact, Deal, ProductUsage, Team
from tools._crm import find_account, user_names
from tools.context import ToolContext, ToolResult, newest_of


class LookupAccountArgs(BaseModel):
    account: str = Field(description="account name (fuzzy) or id")


class ContactInfo(BaseModel):
    id: str
    name: str
    title: str | None = None
    email: str | None = None
    buying_role: str | None = None


class DealBrief(BaseModel):
    id: str
    name: str
    stage: str
    amount: float | None = None
    close_date: date | None = None
    next_step: str | None = None


class AccountCard(ToolResult):
    id: str
    name: str
    sector: str | None = None
    employees: int | None = None
    region: str | None = None
    domain: str | None = None
    owner: str | None = None
    team: str | None = None
    is_customer: bool = False
    contacts: list[ContactInfo] = Field(default_factory=list)
    open_deals: list[DealBrief] = Field(default_factory=list)
    closed_deals: int = 0
    won_revenue: float = 0.0
    last_activity: str | None = None
    last_activity_at: datetime | None = None
    health: float | None = None
    health_trend: float | None = None

    @property
    def champion(self) -> ContactInfo | None:
        return next((c for c in self.contacts if c.buying_role == "champion"), None)

    def render(self, first: int = 1) -> str:
        r = self.ref(0, first)
        lines = [f"Account {self.name} ({self.id}) {r}: sector {self.sector or '?'}, {self.employees or '?'} employees, "
                 f"region {self.region or '?'}, owner {self.owner or '?'} ({self.team or 'no team'}), "
                 f"{'customer' if self.is_customer else 'prospect'}."]
        if self.contacts:
            lines.append("Contacts: " + "; ".join(
                f"{c.name} ({c.title or '?'}{', ' + c.buying_role if c.buying_role else ''})" for c in self.contacts))
        for d in self.open_deals:
            lines.append(f"Open deal {d.name} ({d.id}): {d.stage}, ${d.amount or 0:,.0f}, close {d.close_date}, "
                         f"next step: {d.next_step or 'none'}")
        lines.append(f"Closed deals: {self.closed_deals}; won revenue ${self.won_revenue:,.0f}.")
        if self.last_activity:
            lines.append(f"Last activity {self.last_activity_at:%Y-%m-%d}: {self.last_activity}")
        if self.health is not None:
            lines.append(f"Customer health {self.health:.0f}/100" +
                         (f" (trend {self.health_trend:+.0f} over 3 months)" if self.health_trend is not None else ""))
        return "\n".join(lines)


def lookup_account(ctx: ToolContext, args: LookupAccountArgs) -> AccountCard:
    """Look up one account you may see: sector, owner, contacts with their buying roles (champion,
    economic buyer...), open deals with stage, amount, close date and next step, last activity and
    customer health. Use it for 'what's going on with <account>' or 'who is the champion at <account>'."""
    acc = find_account(ctx, args.account)
    names = user_names(ctx)
    with ctx.crm.session() as s:
        team = s.get(Team, acc.team_id) if acc.team_id else None
        contacts = list(s.scalars(select(Contact).where(Contact.account_id == acc.id).order_by(Contact.name)))
        deals = list(s.scalars(select(Deal).where(Deal.account_id == acc.id).order_by(Deal.close_date)))
        last = s.scalars(select(Activity).where(Activity.account_id == acc.id)
                         .order_by(Activity.occurred_at.desc()).limit(1)).first()
        usage = list(s.scalars(select(ProductUsage).where(ProductUsage.account_id == acc.id)
                               .order_by(ProductUsage.month.desc()).limit(4)))
        max_contact = s.scalar(select(func.max(Contact.updated_at)).where(Contact.account_id == acc.id))
    open_deals = [DealBrief(id=d.id, name=d.name, stage=d.stage, amount=d.amount, close_date=d.close_date,
                            next_step=d.next_step) for d in deals if not d.is_closed]
    closed = [d for d in deals if d.is_closed]
    health = usage[0].health_score if usage else None
    trend = (usage[0].health_score - usage[-1].health_score) if len(usage) > 1 and usage[0].health_score is not None \
        and usage[-1].health_score is not None else None
    card = AccountCard(
        id=acc.id, name=acc.name, sector=acc.sector, employees=acc.employees, region=acc.region, domain=acc.domain,
        owner=names.get(acc.owner_id or ""), team=team.name if team else None, is_customer=acc.is_customer,
        contacts=[ContactInfo(id=c.id, name=c.name, title=c.title, email=c.email, buying_role=c.buying_role)
                  for c in contacts],
        open_deals=open_deals, closed_deals=len(closed),
        won_revenue=sum(d.amount or 0 for d in closed if d.is_won),
        last_activity=(f"{last.kind}: {last.subject or (last.body or '')[:80]}" if last else None),
        last_activity_at=last.occurred_at if last else None, health=health, health_trend=trend,
    )
    card.citations = [Citation(source_id=f"crm:account:{acc.id}", title=acc.name, kind="crm",
                               record=f"account:{acc.id}", snippet=card.render().split("\n")[0][:200])]
    card.newest = newest_of(acc.updated_at, last.occurred_at if last else None, max_contact,
                            *[d.updated_at for d in deals])
    return card
