"""What people add to the forecast: their own calls per period (AI vs human) and reviewers' overrides.

Both tables are append-only. A call is one person's forecast for one period: a submitted number for a
subject (their own deals, their team), or a category for one deal. An override is a reviewer's
probability for one deal with the reason; the newest row per deal is in force (a row with no probability
withdraws it), and the rows themselves are the audit trail: who, when, what it showed before, why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from copilot.core.db import Base

CATEGORIES = ("commit", "best_case", "pipeline", "omitted")


class ForecastCall(Base):
    __tablename__ = "forecast_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(20), index=True)
    caller_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))  # 'rep <user id>' | 'team <team id>' | 'company'
    deal_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    category: Mapped[str | None] = mapped_column(String(20), nullable=True)
    amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    made_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))  # cli | api | slack
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ForecastOverride(Base):
    __tablename__ = "forecast_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(String(64), index=True)
    probability: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: withdrawn
    previous: Mapped[float | None] = mapped_column(Float, nullable=True)  # what the deal showed before
    reason: Mapped[str] = mapped_column(Text)
    by_user: Mapped[str] = mapped_column(String(64))
    made_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class Override:
    deal_id: str
    probability: float
    previous: float | None
    reason: str
    by_user: str
    made_on: date

    def describe(self) -> str:
        was = f" (model {self.previous:.0%})" if self.previous is not None else ""
        return f"{self.probability:.0%}{was} set by {self.by_user} on {self.made_on}: {self.reason}"


class OverrideStore:
    def __init__(self, crm) -> None:  # type: ignore[no-untyped-def]
        self.crm = crm

    def add(self, deal_id: str, probability: float | None, *, previous: float | None, reason: str, by_user: str,
            made_on: date, now: datetime) -> None:
        with self.crm.session() as s:
            s.add(ForecastOverride(deal_id=deal_id, probability=probability, previous=previous, reason=reason,
                                   by_user=by_user, made_on=made_on, created_at=now))

    def in_force(self, as_of: date) -> dict[str, Override]:
        """The newest override per deal made on or before ``as_of`` (withdrawn ones left out)."""
        out: dict[str, Override] = {}
        with self.crm.session() as s:
            rows = s.scalars(select(ForecastOverride).where(ForecastOverride.made_on <= as_of)
                             .order_by(ForecastOverride.id))
            for r in rows:
                if r.probability is None:
                    out.pop(r.deal_id, None)
                else:
                    out[r.deal_id] = Override(r.deal_id, r.probability, r.previous, r.reason, r.by_user, r.made_on)
        return out

    def history(self, since: date | None = None) -> list[dict]:  # type: ignore[type-arg]
        with self.crm.session() as s:
            q = select(ForecastOverride).order_by(ForecastOverride.id)
            if since is not None:
                q = q.where(ForecastOverride.made_on >= since)
            return [{"deal_id": r.deal_id, "probability": r.probability, "previous": r.previous, "reason": r.reason,
                     "by": r.by_user, "made_on": r.made_on.isoformat()} for r in s.scalars(q)]


class CallStore:
    def __init__(self, crm) -> None:  # type: ignore[no-untyped-def]
        self.crm = crm

    def add(self, **fields) -> int:  # type: ignore[no-untyped-def]
        with self.crm.session() as s:
            row = ForecastCall(**fields)
            s.add(row)
            s.flush()
            return int(row.id)

    def for_period(self, period: str) -> list[ForecastCall]:
        with self.crm.session() as s:
            rows = list(s.scalars(select(ForecastCall).where(ForecastCall.period == period).order_by(ForecastCall.id)))
            s.expunge_all()
            return rows
