"""Load the records a ``CrmQuery`` is about, filtered in SQL under the asker's scope.

Every filter of the query becomes a ``WHERE`` clause; ``apply_scope`` (the only record-level filter) is
ANDed on top. Execs (aggregates only) read unscoped rows here, and the aggregate policy in
``tools.crm_query.run`` decides what of them may be shown. Close-date pushes come from the stage history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from copilot.core.visibility import Scope
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, Product, StageChange
from knowledge.crm.scoping import apply_scope
from knowledge.crm.store import CrmStore
from tools.crm_query.resolve import ACCOUNT_FACTS, Resolved
from tools.crm_query.schema import CrmQuery, DateWindow, Status

CLOSED = ("closed_won", "closed_lost")


@dataclass
class Rec:
    """One record as the aggregation sees it (deals fill every field; other objects fewer)."""

    id: str
    name: str
    owner_id: str | None = None
    team_id: str | None = None
    account: str | None = None
    sector: str | None = None  # the account's industry
    region: str | None = None  # the account's facts, for grouping
    tier: str | None = None
    parent: str | None = None
    product: str | None = None
    series: str | None = None  # the product's series
    stage: str | None = None
    amount: float | None = None
    list_price: float | None = None  # the product's
    created_on: date | None = None
    close_date: date | None = None
    closed_on: date | None = None
    next_step: str | None = None
    next_step_date: date | None = None
    forecast_category: str | None = None
    competitor: str | None = None
    loss_reason: str | None = None
    deal_type: str | None = None
    last_activity: datetime | None = None
    activities: int = 0
    pushes: int = 0
    first_close: date | None = None  # the close date first on record, when it was pushed since
    extra: dict[str, Any] | None = None
    updated_at: datetime | None = None

    @property
    def won(self) -> bool:
        return self.stage == "closed_won"

    @property
    def closed(self) -> bool:
        return self.stage in CLOSED


def status_clause(status: Status) -> ColumnElement[bool] | None:
    return {"open": Deal.stage.not_in(CLOSED), "won": Deal.stage == "closed_won",
            "lost": Deal.stage == "closed_lost", "closed": Deal.stage.in_(CLOSED)}.get(status)


def _scoped(stmt: Any, scope: Scope, model: Any) -> Any:
    return stmt if scope.aggregates_only else apply_scope(stmt, scope, model)


def _people(stmt: Any, model: Any, r: Resolved) -> Any:
    if r.owner_ids is not None:
        stmt = stmt.where(model.owner_id.in_(sorted(r.owner_ids)))
    if r.team_ids is not None:
        stmt = stmt.where(model.team_id.in_(sorted(r.team_ids)))
    return stmt


def _facts(stmt: Any, q: CrmQuery, r: Resolved) -> Any:
    """The account's own facts (industry, region, tier, parent, headcount); ``stmt`` has Account joined."""
    for slot, col in ACCOUNT_FACTS.items():
        if slot in r.facts:
            stmt = stmt.where(func.lower(col) == r.facts[slot].lower())
    for slot, value in r.excluded:  # an account with no such fact on record is not known to be outside it
        if slot in ACCOUNT_FACTS:
            stmt = stmt.where(func.lower(ACCOUNT_FACTS[slot]) != value.lower())
    f = q.filters
    if f.has_parent is not None:  # subsidiaries: a parent company on record
        has = Account.parent.is_not(None) & (func.trim(Account.parent) != "")
        stmt = stmt.where(has if f.has_parent else ~has)
    for col, low, high in ((Account.employees, f.employees_min, f.employees_max),
                           (Account.revenue, f.revenue_min, f.revenue_max),
                           (Account.year_established, f.founded_min, f.founded_max)):
        if low is not None:
            stmt = stmt.where(col >= low)
        if high is not None:
            stmt = stmt.where(col <= high)
    return stmt


def _roles(stmt: Any, f: Any, account_id: Any) -> Any:
    """Deals or accounts whose account has (or lacks) a contact of a buying role."""
    for role, present in ((f.with_contact_role, True), (f.without_contact_role, False)):
        if role:
            held = select(Contact.account_id).where(Contact.buying_role == role, Contact.account_id.is_not(None))
            stmt = stmt.where(account_id.in_(held) if present else or_(account_id.is_(None), account_id.not_in(held)))
    return stmt


def _activity_bounds(stmt: Any, f: Any, n_acts: Any) -> Any:
    """'deals with more than 3 activities': bounds on the activities logged on each record."""
    if f.activities_min is not None:
        stmt = stmt.where(n_acts >= f.activities_min)
    if f.activities_max is not None:
        stmt = stmt.where(n_acts <= f.activities_max)
    return stmt


def _no_deals(stmt: Any, f: Any, scope: Scope, account_id: Any) -> Any:
    """Accounts (or deals' accounts) with no deal of ``f.without_deals``'s status that the asker can see (a deal the
    asker can't see neither hides nor shows an account)."""
    if f.without_deals is None:
        return stmt
    held = select(Deal.account_id).where(Deal.account_id.is_not(None))
    clause = status_clause(f.without_deals)
    held = _scoped(held.where(clause) if clause is not None else held, scope, Deal)
    return stmt.where(or_(account_id.is_(None), account_id.not_in(held)))


def _window(stmt: Any, col: Any, w: DateWindow, *, is_datetime: bool = False) -> Any:
    if w.start:
        stmt = stmt.where(col >= (datetime.combine(w.start, datetime.min.time()) if is_datetime else w.start))
    if w.end:
        end = datetime.combine(w.end + timedelta(days=1), datetime.min.time()) if is_datetime else w.end
        stmt = stmt.where(col < end if is_datetime else col <= end)
    return stmt


def _activity_stats(key: Any, parent: Any) -> tuple[Any, Any]:
    """The newest activity time and the activity count of each row of ``parent``, as correlated subqueries
    over the activity table's index on ``key``: the cost follows the rows in scope. (Joining a subquery that
    grouped every activity of the CRM cost 40x at 20x the demo's data, measured by bench/bench_scale.py.)"""
    last = select(func.max(Activity.occurred_at)).where(key == parent.id).correlate(parent).scalar_subquery()
    n = select(func.count(Activity.id)).where(key == parent.id).correlate(parent).scalar_subquery()
    return last, n


def load_deals(crm: CrmStore, scope: Scope, q: CrmQuery, r: Resolved, today: date) -> list[Rec]:
    f = q.filters
    last_act, n_acts = _activity_stats(Activity.deal_id, Deal)
    stmt = (select(Deal, Account.name, Product.name, last_act, n_acts, Account.sector, Account.region, Account.tier,
                   Account.parent, Product.series, Product.list_price)
            .outerjoin(Account, Deal.account_id == Account.id).outerjoin(Product, Deal.product_id == Product.id))
    stmt = _facts(_people(_scoped(stmt, scope, Deal), Deal, r), q, r)
    if "series" in r.facts:
        stmt = stmt.where(func.lower(Product.series) == r.facts["series"].lower())
    for slot, value in r.excluded:  # a deal with no product or competitor on record is not that one
        if slot == "stage":
            stmt = stmt.where(Deal.stage != value)
        elif slot == "deal_type":
            stmt = stmt.where(Deal.deal_type != value)
        elif slot == "product":
            stmt = stmt.where(or_(Deal.product_id.is_(None), Deal.product_id != value))
        elif slot == "series":
            stmt = stmt.where(or_(Product.series.is_(None), func.lower(Product.series) != value.lower()))
        elif slot == "competitor":
            stmt = stmt.where(or_(Deal.competitor.is_(None), func.lower(Deal.competitor) != value.lower()))
        elif slot == "owner":
            stmt = stmt.where(or_(Deal.owner_id.is_(None), Deal.owner_id != value))
    clause = status_clause(q.effective_status())
    if clause is not None:
        stmt = stmt.where(clause)
    if f.stages:
        stmt = stmt.where(Deal.stage.in_(f.stages))
    if f.forecast_categories:
        cats = [c for c in f.forecast_categories if c != "omitted"]
        cond = Deal.forecast_category.in_(cats)
        stmt = stmt.where(or_(cond, Deal.forecast_category.is_(None), Deal.forecast_category == "omitted")
                          if "omitted" in f.forecast_categories else cond)
    if r.product_id:
        stmt = stmt.where(Deal.product_id == r.product_id)
    if r.account_id:
        stmt = stmt.where(Deal.account_id == r.account_id)
    if f.deal_type:
        stmt = stmt.where(Deal.deal_type == f.deal_type)
    if r.competitor:
        stmt = stmt.where(func.lower(Deal.competitor) == r.competitor.lower())
    if f.amount_min is not None:
        stmt = stmt.where(Deal.amount >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(Deal.amount <= f.amount_max)
    stmt = _no_deals(_roles(stmt, f, Deal.account_id), f, scope, Deal.account_id)
    if f.has_competitor is not None:  # 'open pipe with a named competitor on it'
        named = Deal.competitor.is_not(None) & (func.trim(Deal.competitor) != "")
        stmt = stmt.where(named if f.has_competitor else ~named)
    if f.below_list is not None:  # a deal with no amount or no list price is neither
        stmt = stmt.where(Deal.amount < Product.list_price if f.below_list else Deal.amount >= Product.list_price)
    if f.has_next_step is not None:
        has = (Deal.next_step.is_not(None)) & (func.trim(Deal.next_step) != "")
        stmt = stmt.where(has if f.has_next_step else ~has)
    for w in f.windows:
        col = {"created": Deal.created_on, "close": Deal.close_date, "closed": Deal.closed_on,
               "next_step": Deal.next_step_date, "last_activity": last_act}[w.field]
        stmt = _window(stmt, col, w, is_datetime=w.field == "last_activity")
    if f.inactive_days:
        since = datetime.combine(today - timedelta(days=f.inactive_days), datetime.min.time())
        stmt = stmt.where(or_(last_act.is_(None), last_act < since))
    stmt = _activity_bounds(stmt, f, n_acts)
    with crm.session() as s:
        rows = list(s.execute(stmt))
        recs = [Rec(id=d.id, name=d.name, owner_id=d.owner_id, team_id=d.team_id, account=an, sector=sector, region=region,
                    tier=tier, parent=parent, product=pn, series=series,
                    stage=d.stage, amount=d.amount, list_price=price, created_on=d.created_on, close_date=d.close_date,
                    closed_on=d.closed_on, next_step=d.next_step, next_step_date=d.next_step_date,
                    forecast_category=d.forecast_category, competitor=d.competitor, deal_type=d.deal_type,
                    loss_reason=d.loss_reason,
                    last_activity=last, activities=n or 0, updated_at=d.updated_at)
                for d, an, pn, last, n, sector, region, tier, parent, series, price in rows]
        if f.min_pushes or q.group_by is None and q.metric == "list":
            pushes = _pushes(s, [x.id for x in recs])
            for x in recs:
                x.pushes, x.first_close = pushes.get(x.id, (0, None))
        if f.min_days_in_stage:
            entered = _stage_since(s, recs)
            recs = [x for x in recs if (day := entered.get(x.id)) is not None
                    and (today - day).days >= f.min_days_in_stage]
    if f.min_pushes:
        recs = [x for x in recs if x.pushes >= f.min_pushes]
    return recs


def _stage_since(s: Any, recs: list[Rec]) -> dict[str, date | None]:
    """When each deal entered its current stage: its latest history row into that stage, else its creation."""
    entered: dict[str, date] = {}
    ids = [r.id for r in recs]
    for i in range(0, len(ids), 500):
        for deal_id, to_stage, on in s.execute(select(StageChange.deal_id, StageChange.to_stage, StageChange.changed_on)
                                               .where(StageChange.deal_id.in_(ids[i:i + 500]))):
            entered.setdefault(f"{deal_id}\x00{to_stage}", on)
            entered[f"{deal_id}\x00{to_stage}"] = max(entered[f"{deal_id}\x00{to_stage}"], on)
    return {r.id: entered.get(f"{r.id}\x00{r.stage}") or r.created_on for r in recs}


def _pushes(s: Any, ids: list[str]) -> dict[str, tuple[int, date | None]]:
    """Times each deal's close date was moved later, from its stage history (docs/crm-query.md), and the close
    date first on record ('what was the close date originally')."""
    out: dict[str, tuple[int, date | None]] = {}
    prev: dict[str, date] = {}
    first: dict[str, date] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for deal_id, close in s.execute(select(StageChange.deal_id, StageChange.close_date)
                                        .where(StageChange.deal_id.in_(chunk))
                                        .order_by(StageChange.deal_id, StageChange.changed_on, StageChange.id)):
            before = prev.get(deal_id)
            if before and close and close > before:
                out[deal_id] = (out.get(deal_id, (0, None))[0] + 1, first[deal_id])
            if close:
                prev[deal_id] = close
                first.setdefault(deal_id, close)
    return out


def load_accounts(crm: CrmStore, scope: Scope, q: CrmQuery, r: Resolved, today: date) -> list[Rec]:
    f = q.filters
    last_act, n_acts = _activity_stats(Activity.account_id, Account)
    stmt = select(Account, last_act, n_acts)
    stmt = _facts(_people(_scoped(stmt, scope, Account), Account, r), q, r)
    if r.account_id:
        stmt = stmt.where(Account.id == r.account_id)
    stmt = _no_deals(_roles(stmt, f, Account.id), f, scope, Account.id)
    for w in f.windows:
        stmt = _window(stmt, last_act, w, is_datetime=True)
    if f.inactive_days:
        since = datetime.combine(today - timedelta(days=f.inactive_days), datetime.min.time())
        stmt = stmt.where(or_(last_act.is_(None), last_act < since))
    stmt = _activity_bounds(stmt, f, n_acts)
    with crm.session() as s:
        return [Rec(id=a.id, name=a.name, owner_id=a.owner_id, team_id=a.team_id, account=a.name, sector=a.sector,
                    region=a.region, tier=a.tier, parent=a.parent, last_activity=last, activities=n or 0, updated_at=a.updated_at,
                    extra={"sector": a.sector, "customer": a.is_customer})
                for a, last, n in s.execute(stmt)]


def load_contacts(crm: CrmStore, scope: Scope, q: CrmQuery, r: Resolved, today: date) -> list[Rec]:
    stmt = select(Contact, Account).join(Account, Contact.account_id == Account.id)
    stmt = _facts(_people(_scoped(stmt, scope, Account), Account, r), q, r)
    if r.account_id:
        stmt = stmt.where(Contact.account_id == r.account_id)
    if q.filters.buying_role:
        stmt = stmt.where(Contact.buying_role == q.filters.buying_role)
    with crm.session() as s:
        return [Rec(id=c.id, name=c.name, owner_id=a.owner_id, team_id=a.team_id, account=a.name, sector=a.sector,
                    region=a.region, tier=a.tier, parent=a.parent, updated_at=c.updated_at,
                    extra={"title": c.title, "email": c.email, "role": c.buying_role, "phone": c.phone})
                for c, a in s.execute(stmt)]


def load_activities(crm: CrmStore, scope: Scope, q: CrmQuery, r: Resolved, today: date) -> list[Rec]:
    model: Any = Call if q.object == "calls" else Activity
    stmt = select(model, Account.name).outerjoin(Account, model.account_id == Account.id)
    stmt = _people(_scoped(stmt, scope, model), model, r)
    if r.account_id:
        stmt = stmt.where(model.account_id == r.account_id)
    if model is Activity and q.filters.activity_kind:
        stmt = stmt.where(Activity.kind == q.filters.activity_kind)
    for w in q.filters.windows:  # activities and calls: every window applies to when they happened
        stmt = _window(stmt, model.occurred_at, w, is_datetime=True)
    with crm.session() as s:
        out = []
        for a, an in s.execute(stmt.order_by(model.occurred_at.desc())):
            title = a.title if model is Call else (a.subject or a.kind)
            out.append(Rec(id=a.id, name=title, owner_id=a.owner_id, team_id=a.team_id, account=an,
                           last_activity=a.occurred_at, updated_at=a.occurred_at,
                           extra={"kind": "call" if model is Call else a.kind}))
        return out


LOADERS = {"deals": load_deals, "accounts": load_accounts, "contacts": load_contacts,
           "activities": load_activities, "calls": load_activities}
