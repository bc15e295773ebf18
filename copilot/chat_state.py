"""Slack-side tables, in the CRM database with their own metadata (created idempotently, like the
ledger and conversation tables): replay guard, answers with their feedback, and role-play threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Engine, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from copilot.core.db import Base, create_tables


class SeenRow(Base):
    """One row per Slack delivery already taken on (event id, button press, file id, ...)."""

    __tablename__ = "slack_seen"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class AnswerRow(Base):
    """An answer as posted in Slack, so feedback can be tied to the exact text and citations."""

    __tablename__ = "slack_answers"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    slack_user: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(64), nullable=True)
    visibility: Mapped[str] = mapped_column(String(20))  # thread | ephemeral | command
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)  # Answer JSON
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FeedbackRow(Base):
    __tablename__ = "slack_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(String(40), index=True)
    slack_user: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ux_slack_feedback_answer_user", "answer_id", "slack_user", unique=True),)


class ThreadRow(Base):
    """A Slack thread bound to something stateful (a role-play session)."""

    __tablename__ = "slack_threads"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "<channel>:<thread_ts>"
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(100))
    slack_user: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


def ensure_tables(engine: Engine) -> None:
    create_tables(engine, SeenRow, AnswerRow, FeedbackRow, ThreadRow)
