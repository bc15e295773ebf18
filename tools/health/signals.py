"""What the health score reads about each account, loaded in bulk, and the measurements taken as of a day.

``load_book`` reads every signal of the accounts in a list (weekly usage, tickets, touches, two-way
activities, deals) in a handful of queries; ``measure`` computes the numbers behind the component scores
as of any day, using only rows dated before it (so the same code serves today's score, the score a month
ago for the daily scan's "what changed", and the backtest of past renewals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from knowledge.crm.health_models import MarketingTouch, SupportTicket, UsageWeek
from knowledge.crm.models import Account, Activity, Contact, Deal
from knowledge.crm.store import CrmStore

TWO_WAY = ("meeting", "call")  # plus inbound emails: the customer talked to us


@dataclass
class AccountBook:
    """Everything about one account the health score reads (rows sorted by time)."""

    id: str
    name: str
    owner_id: str | None
    team_id: str | None
    sector: str | None
    tier: str | None
    is_customer: bool
    weeks: list[UsageWeek] = field(default_factory=list)
    tickets: list[SupportTicket] = field(default_factory=list)
    touches: list[MarketingTouch] = field(default_factory=list)
    talks: list[tuple[datetime, str, str]] = field(default_factory=list)  # (when, kind, activity id)
    deals: list[Deal] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    catalog: int = 0  # distinct features seen across the book: what there is to adopt

    def won(self, before: date) -> list[Deal]:
        return [d for d in self.deals if d.stage == "closed_won" and d.closed_on and d.closed_on < before]


def load_book(crm: CrmStore, account_ids: list[str] | None = None) -> dict[str, AccountBook]:
    """Every listed account (all accounts when ``account_ids`` is None) with its signals."""
    def only(col: Any) -> Any:
        return col.in_(account_ids) if account_ids is not None else True

    book: dict[str, AccountBook] = {}
    with crm.session() as s:
        for row in s.scalars(select(Account).where(only(Account.id))):
            book[row.id] = AccountBook(row.id, row.name, row.owner_id, row.team_id, row.sector, row.tier,
                                       bool(row.is_customer))
        for w in s.scalars(select(UsageWeek).where(only(UsageWeek.account_id)).order_by(UsageWeek.week)):
            book[w.account_id].weeks.append(w)
        for t in s.scalars(select(SupportTicket).where(only(SupportTicket.account_id))
                           .order_by(SupportTicket.opened_at)):
            book[t.account_id].tickets.append(t)
        for m in s.scalars(select(MarketingTouch).where(only(MarketingTouch.account_id))
                           .order_by(MarketingTouch.occurred_at)):
            book[m.account_id].touches.append(m)
        for aid, when, kind, _direction, act_id in s.execute(
                select(Activity.account_id, Activity.occurred_at, Activity.kind, Activity.direction, Activity.id)
                .where(only(Activity.account_id), Activity.account_id.is_not(None))
                .where((Activity.kind.in_(TWO_WAY)) | ((Activity.kind == "email") & (Activity.direction == "inbound")))
                .order_by(Activity.occurred_at)):
            if aid in book:
                book[aid].talks.append((when, kind, act_id))
        for d in s.scalars(select(Deal).where(only(Deal.account_id), Deal.account_id.is_not(None))):
            if d.account_id in book:
                book[d.account_id].deals.append(d)
        for c in s.scalars(select(Contact).where(only(Contact.account_id))):
            book[c.account_id].contacts.append(c)
    catalog = len({f for a in book.values() for w in a.weeks for f in (w.features or [])})
    for a in book.values():
        a.catalog = catalog
    return book


@dataclass
class Measures:
    """The numbers behind the component scores, as of one day (None: no data for it)."""

    as_of: date
    weeks: int = 0  # weeks of usage data before as_of
    seats: int | None = None
    utilization: float | None = None  # active users / seats, last 4 weeks
    utilization_before: float | None = None  # the same, 4 weeks ending ``trend_weeks`` earlier
    usage_trend: float | None = None  # utilization change (fraction points) over ``trend_weeks``
    logins_per_user: float | None = None
    logins_per_user_before: float | None = None
    features_now: int = 0  # distinct features used in the last 4 weeks
    features_ever: int = 0
    features_left: int = 0  # features in the catalog the account has never used
    weeks_since_new_feature: int | None = None
    tickets: int = 0  # opened in the support window
    severe_tickets: int = 0
    slow_responses: int = 0  # first response later than the rules' limit
    open_tickets: int = 0
    tickets_per_100_seats: float | None = None
    marketing_touches: int = 0
    days_since_talk: int | None = None
    last_talk_id: str | None = None
    first_win: date | None = None
    renewal_due: date | None = None
    renewal_deal_id: str | None = None
    cite: dict[str, list[str]] = field(default_factory=dict)  # component -> record ids behind it


def _ratio(rows: list[UsageWeek]) -> float | None:
    seats = sum(r.seats for r in rows)
    return sum(r.active_users for r in rows) / seats if seats else None


def _per_user(rows: list[UsageWeek]) -> float | None:
    users = sum(r.active_users for r in rows)
    return sum(r.logins for r in rows) / users if users else None


def measure(acc: AccountBook, as_of: date, *, trend_weeks: int = 8, support_days: int = 90,
            slow_hours: float = 24.0, marketing_days: int = 90) -> Measures:
    """The account's measures as of ``as_of`` (rows dated on or after it are ignored)."""
    m = Measures(as_of=as_of)
    weeks = [w for w in acc.weeks if w.week + timedelta(days=6) < as_of]
    m.weeks = len(weeks)
    if weeks:
        last4 = weeks[-4:]
        m.seats = last4[-1].seats
        m.utilization = _ratio(last4)
        m.logins_per_user = _per_user(last4)
        earlier = weeks[-4 - trend_weeks:-trend_weeks] if len(weeks) >= trend_weeks + 4 else []
        if earlier:
            m.utilization_before = _ratio(earlier)
            m.logins_per_user_before = _per_user(earlier)
            if m.utilization is not None and m.utilization_before is not None:
                m.usage_trend = m.utilization - m.utilization_before
        seen: set[str] = set()
        newest_first: date | None = None
        for w in weeks:
            fresh = set(w.features or []) - seen
            if fresh and seen:
                newest_first = w.week
            seen |= fresh
        m.features_ever = len(seen)
        m.features_left = max(0, acc.catalog - len(seen))
        m.features_now = len({f for w in last4 for f in (w.features or [])}) or max(w.features_used for w in last4)
        since = newest_first or weeks[0].week
        m.weeks_since_new_feature = (as_of - since).days // 7
        m.cite["usage"] = [f"usage:{acc.id}:{w.week.isoformat()}" for w in (earlier[-1:] + last4[-1:])]
        m.cite["features"] = [f"usage:{acc.id}:{since.isoformat()}", f"usage:{acc.id}:{last4[-1].week.isoformat()}"]
    start = datetime.combine(as_of - timedelta(days=support_days), datetime.min.time())
    end = datetime.combine(as_of, datetime.min.time())
    recent = [t for t in acc.tickets if start <= t.opened_at < end]
    m.tickets = len(recent)
    m.severe_tickets = sum(1 for t in recent if t.severity in ("high", "urgent"))
    m.slow_responses = sum(1 for t in recent if (t.first_response_at or end) - t.opened_at > timedelta(hours=slow_hours))
    m.open_tickets = sum(1 for t in acc.tickets if t.opened_at < end and (t.resolved_at is None or t.resolved_at >= end))
    if m.seats:
        m.tickets_per_100_seats = 100 * m.tickets / m.seats
    m.cite["support"] = [t.id for t in sorted(recent, key=lambda t: (t.severity not in ("high", "urgent"),
                                                                      -t.opened_at.timestamp()))[:3]]
    mk_start = datetime.combine(as_of - timedelta(days=marketing_days), datetime.min.time())
    touches = [t for t in acc.touches if mk_start <= t.occurred_at < end and t.kind != "pricing_page"]
    m.marketing_touches = len(touches)
    talks = [t for t in acc.talks if t[0] < end]
    if talks:
        m.days_since_talk = (as_of - talks[-1][0].date()).days
        m.last_talk_id = talks[-1][2]
    m.cite["engagement"] = ([m.last_talk_id] if m.last_talk_id else []) + [t.id for t in touches[-2:]]
    wins = acc.won(as_of)
    m.first_win = min((d.closed_on for d in wins if d.closed_on), default=None)
    renewals = sorted((d for d in acc.deals if d.deal_type == "renewal" and d.close_date and d.close_date >= as_of
                       and (d.closed_on is None or d.closed_on >= as_of)), key=lambda d: d.close_date or as_of)
    if renewals:
        m.renewal_due, m.renewal_deal_id = renewals[0].close_date, renewals[0].id
    return m
