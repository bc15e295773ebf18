"""CRM tables. Ids are strings, stable across re-imports (``<source>:<kind>:<external id>``).

Every record that belongs to someone carries ``owner_id`` and ``team_id`` so visibility filters
are a plain ``WHERE`` (see ``copilot.core.visibility``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from copilot.core.db import Base


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    manager_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    role: Mapped[str] = mapped_column(String(20))  # rep | manager | exec | admin
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    manager_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    slack_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sector: Mapped[str | None] = mapped_column(String(100), nullable=True)
    employees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revenue: Mapped[float | None] = mapped_column(Float, nullable=True)  # annual, millions
    region: Mapped[str | None] = mapped_column(String(100), nullable=True)
    year_established: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tier: Mapped[str | None] = mapped_column(String(40), nullable=True)
    is_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    contacts: Mapped[list[Contact]] = relationship(back_populates="account", cascade="all, delete-orphan")


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # buying role: champion | economic_buyer | technical_buyer | user | blocker | influencer
    buying_role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(60), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    account: Mapped[Account] = relationship(back_populates="contacts")


class Product(Base):
    __tablename__ = "products"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    series: Mapped[str | None] = mapped_column(String(100), nullable=True)
    list_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")


class Deal(Base):
    __tablename__ = "deals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    product_id: Mapped[str | None] = mapped_column(ForeignKey("products.id"), nullable=True)
    stage: Mapped[str] = mapped_column(String(40), index=True)  # copilot.core.domain.Stage values
    amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    deal_type: Mapped[str] = mapped_column(String(20), default="new")  # new | expansion | renewal
    created_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # engage date
    close_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)  # expected or actual
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_step: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_step_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    forecast_category: Mapped[str | None] = mapped_column(String(20), nullable=True)  # commit|best_case|pipeline
    competitor: Mapped[str | None] = mapped_column(String(100), nullable=True)
    loss_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    history: Mapped[list[StageChange]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="StageChange.changed_on"
    )

    @property
    def is_closed(self) -> bool:
        return self.stage in ("closed_won", "closed_lost")

    @property
    def is_won(self) -> bool:
        return self.stage == "closed_won"


class StageChange(Base):
    """One row per change of stage, amount or close date: the deal's history."""

    __tablename__ = "stage_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    changed_on: Mapped[date] = mapped_column(Date)
    from_stage: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_stage: Mapped[str] = mapped_column(String(40))
    amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    close_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    changed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    deal: Mapped[Deal] = relationship(back_populates="history")


class Activity(Base):
    """Emails, meetings, notes and tasks. Email threads share ``thread_id``."""

    __tablename__ = "activities"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # email | meeting | note | task | call
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True)
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=True, index=True)
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    subject: Mapped[str | None] = mapped_column(String(500), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    direction: Mapped[str | None] = mapped_column(String(10), nullable=True)  # inbound | outbound
    thread_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)  # open | done (tasks)
    attendees: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")


class Call(Base):
    __tablename__ = "calls"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True)
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=True, index=True)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    audio_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    attendees: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    transcript: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # [{speaker,start,end,text}]
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="manual")


class ProductUsage(Base):
    """Monthly product usage per customer account, for customer health and renewals."""

    __tablename__ = "product_usage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer, default=0)
    active_users: Mapped[int] = mapped_column(Integer, default=0)
    logins: Mapped[int] = mapped_column(Integer, default=0)
    support_tickets: Mapped[int] = mapped_column(Integer, default=0)
    health_score: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0..100

    __table_args__ = (Index("ix_usage_account_month", "account_id", "month", unique=True),)


class ImportRun(Base):
    """One row per import, with its report, so `copilot status` can show what was loaded and when."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    mapping: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
