"""One in-memory snapshot of the CRM for forecasting: plain records, loaded once, read many times.

The forecast replays history "as of" past dates, so it needs every deal with its stage history and every
activity timestamp. Loading them into plain dataclasses once (instead of querying per deal) keeps
training on tens of thousands of deals to seconds. Scope filtering happens on these records in code.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import func, select

from knowledge.crm.models import Account, Activity, Call, Deal, Product, ProductUsage, StageChange, Team, User
from knowledge.crm.store import CrmStore

OPEN_ORDER = ["prospecting", "qualification", "discovery", "demo", "proposal", "negotiation"]


@dataclass
class HistoryRow:
    day: int  # date ordinal
    from_stage: str | None
    to_stage: str
    amount: float | None
    close_date: date | None


@dataclass
class DealRec:
    id: str
    name: str
    account_id: str | None
    owner_id: str | None
    team_id: str | None
    product_id: str | None
    stage: str
    amount: float | None
    deal_type: str = "new"
    created_on: date | None = None
    close_date: date | None = None
    closed_on: date | None = None
    next_step: str | None = None
    next_step_date: date | None = None
    forecast_category: str | None = None
    history: list[HistoryRow] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.stage in ("closed_won", "closed_lost")

    @property
    def won(self) -> bool:
        return self.stage == "closed_won"

    @property
    def closed_day(self) -> int | None:
        """Ordinal of the day it closed (None if open, or closed with no date at all)."""
        if not self.is_closed:
            return None
        d = self.closed_on or self.close_date
        return d.toordinal() if d else None

    @property
    def created_day(self) -> int | None:
        return self.created_on.toordinal() if self.created_on else None


@dataclass
class DealActivity:
    """Sorted activity days of one deal, per kind, and (day, contact) pairs for threading."""

    days: dict[str, list[int]] = field(default_factory=dict)
    contacts: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Snapshot:
    deals: list[DealRec]
    accounts: dict[str, dict] = field(default_factory=dict)
    products: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    teams: dict[str, dict] = field(default_factory=dict)
    activity: dict[str, DealActivity] = field(default_factory=dict)
    health: dict[str, tuple[list[int], list[float]]] = field(default_factory=dict)  # account -> (days, scores)

    def __post_init__(self) -> None:
        self.by_id = {d.id: d for d in self.deals}
        open_no_hist = [d.stage for d in self.deals if not d.is_closed and d.created_on
                        and all(h.from_stage is None for h in d.history)]
        # A deal with no stage history that closed later was, while open, in the stage such deals sit in.
        self.default_open_stage = max(set(open_no_hist), key=open_no_hist.count) if open_no_hist else "qualification"

    @cached_property
    def newest_day(self) -> int:
        """The newest date anywhere in the snapshot (computed once: a snapshot never changes; every forecast
        and pipeline question asked for it, an O(data) scan each time)."""
        days = [d.closed_day or 0 for d in self.deals] + [d.created_day or 0 for d in self.deals]
        days += [h.day for d in self.deals for h in d.history[-1:] if h.from_stage is not None]
        days += [v[-1] for a in self.activity.values() for v in a.days.values() if v]
        return max(days, default=date.today().toordinal())

    def health_at(self, account_id: str | None, day: int) -> float | None:
        if account_id is None or account_id not in self.health:
            return None
        days, scores = self.health[account_id]
        i = bisect.bisect_right(days, day)
        return scores[i - 1] if i else None

    def user_name(self, user_id: str | None) -> str:
        return self.users.get(user_id or "", {}).get("name") or (user_id or "unassigned")

    def team_name(self, team_id: str | None) -> str:
        return self.teams.get(team_id or "", {}).get("name") or (team_id or "no team")


def _day(value: datetime | date) -> int:
    return value.toordinal()


def fingerprint(crm: CrmStore) -> tuple:
    """Cheap change detector: reload the snapshot only when the CRM changed."""
    with crm.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Deal)), s.scalar(select(func.max(Deal.updated_at))),
            s.scalar(select(func.count()).select_from(StageChange)), s.scalar(select(func.count()).select_from(Activity)),
            s.scalar(select(func.count()).select_from(Call)), s.scalar(select(func.count()).select_from(ProductUsage)),
            s.scalar(select(func.sum(Deal.amount))),
        )


def load_snapshot(crm: CrmStore) -> Snapshot:
    """Read every deal, its history, activities, calls and usage into a Snapshot (unscoped)."""
    hist: dict[str, list[HistoryRow]] = defaultdict(list)
    act: dict[str, DealActivity] = defaultdict(DealActivity)
    with crm.session() as s:
        for r in s.execute(select(StageChange.deal_id, StageChange.changed_on, StageChange.from_stage,
                                  StageChange.to_stage, StageChange.amount, StageChange.close_date)
                           .order_by(StageChange.changed_on, StageChange.id)):
            hist[r[0]].append(HistoryRow(_day(r[1]), r[2], r[3], r[4], r[5]))
        deals = [
            DealRec(d.id, d.name, d.account_id, d.owner_id, d.team_id, d.product_id, d.stage, d.amount,
                    d.deal_type or "new", d.created_on, d.close_date, d.closed_on, d.next_step, d.next_step_date,
                    d.forecast_category, hist.get(d.id, []))
            for d in s.scalars(select(Deal))
        ]
        for deal_id, kind, when, contact in s.execute(
                select(Activity.deal_id, Activity.kind, Activity.occurred_at, Activity.contact_id)
                .where(Activity.deal_id.is_not(None))):
            if deal_id is None:  # never: the query keeps deal activities only (narrows the type)
                continue
            a = act[deal_id]
            a.days.setdefault(kind, []).append(_day(when))
            if contact:
                a.contacts.append((_day(when), contact))
        for deal_id, when in s.execute(select(Call.deal_id, Call.occurred_at).where(Call.deal_id.is_not(None))):
            if deal_id is None:
                continue
            act[deal_id].days.setdefault("call", []).append(_day(when))
        health: dict[str, tuple[list[int], list[float]]] = {}
        for acc, month, score in s.execute(select(ProductUsage.account_id, ProductUsage.month, ProductUsage.health_score)
                                           .order_by(ProductUsage.month)):
            if score is not None:
                days, scores = health.setdefault(acc, ([], []))
                days.append(_day(month))
                scores.append(float(score))
        accounts = {a.id: {"name": a.name, "sector": a.sector, "employees": a.employees, "revenue": a.revenue}
                    for a in s.scalars(select(Account))}
        products = {p.id: {"name": p.name, "list_price": p.list_price} for p in s.scalars(select(Product))}
        users = {u.id: {"name": u.name, "role": u.role, "team_id": u.team_id, "manager_id": u.manager_id}
                 for u in s.scalars(select(User))}
        teams = {t.id: {"name": t.name, "manager_id": t.manager_id} for t in s.scalars(select(Team))}
    for a in act.values():
        for v in a.days.values():
            v.sort()
        a.contacts.sort()
    return Snapshot(deals, accounts, products, users, teams, dict(act), health)
