"""Customer-health tables: weekly product usage, support tickets, marketing and web touches, and what the
daily health scan remembers (its runs and the interventions it proposed, so it never proposes twice).

Usage, tickets and touches belong to an account; visibility follows the account's owner and team (join
``Account`` and scope it). They are filled by the same declarative import as the CRM (``import_signals``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from copilot.core.db import Base


class UsageWeek(Base):
    """One account's product usage in one week (``week`` is the Monday it starts)."""

    __tablename__ = "usage_weeks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    week: Mapped[date] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer, default=0)
    active_users: Mapped[int] = mapped_column(Integer, default=0)
    logins: Mapped[int] = mapped_column(Integer, default=0)
    features_used: Mapped[int] = mapped_column(Integer, default=0)  # distinct features used that week
    features: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # their names, when known
    source: Mapped[str] = mapped_column(String(40), default="manual")

    __table_args__ = (Index("ix_usage_weeks_account_week", "account_id", "week", unique=True),)


class SupportTicket(Base):
    __tablename__ = "support_tickets"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    severity: Mapped[str] = mapped_column(String(20), default="normal")  # low | normal | high | urgent
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")


class MarketingTouch(Base):
    """A marketing or web touch: pricing-page visit, content download, trial sign-up, webinar, event."""

    __tablename__ = "marketing_touches"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    kind: Mapped[str] = mapped_column(String(40))  # pricing_page | content_download | trial_signup | webinar | event
    detail: Mapped[str | None] = mapped_column(String(300), nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")


class HealthScan(Base):
    """One run of the daily health scan: when, as of which day, and what it found (JSON)."""

    __tablename__ = "health_scans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[list[Any]] = mapped_column(JSON)


class HealthIntervention(Base):
    """An intervention the health rules proposed to the ledger, so the same rule is not proposed again for
    the same account while the first proposal is recent."""

    __tablename__ = "health_interventions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(80))
    action_id: Mapped[str] = mapped_column(String(40))
    proposed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

