"""What a chat surface (Slack) remembers, in the CRM database: the replay guard, answers as posted with
the votes on them, and threads bound to something stateful (a role-play session).

Product state, not adapter logic: the Slack adapter reaches it only through the facade's ``chat_*``
operations (``copilot.ops.chat``). The tables keep their ``slack_*`` names (erasure knows them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, DateTime, Engine, Index, Integer, String, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from copilot.core.db import Base
from copilot.core.domain import Answer
from copilot.core.errors import NotFound


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


@dataclass(frozen=True)
class ThreadBinding:
    """A chat thread bound to a session: ``key`` is ``<channel>:<thread_ts>``, ``ref`` the session id,
    ``chat_user`` who started it (only they may speak in it)."""

    key: str
    kind: str
    ref: str
    chat_user: str


class ChatState:
    """The replay guard, the answer log with its votes, and the thread bindings, over one engine."""

    def __init__(self, engine: Engine, *, keep: timedelta = timedelta(days=3)) -> None:
        self.engine = engine
        self.keep = keep

    # -- exactly one answer per delivery --------------------------------------------------------------
    def claim(self, key: str) -> bool:
        """True for the first delivery of ``key``, False for every later one. The key is inserted under
        a primary key, so of any number of concurrent or repeated deliveries exactly one wins (the
        database decides, which also holds across several API workers)."""
        try:
            with Session(self.engine) as s, s.begin():
                s.add(SeenRow(key=key[:200], created_at=datetime.now()))
        except IntegrityError:
            return False
        return True

    def prune(self) -> int:
        """Forget deliveries older than ``keep`` (Slack stops retrying long before)."""
        with Session(self.engine) as s, s.begin():
            res: Any = s.execute(delete(SeenRow).where(SeenRow.created_at < datetime.now() - self.keep))
            return int(res.rowcount or 0)

    # -- answers and votes (one vote per person per answer; pressing again changes it) ----------------
    def record_answer(self, *, user_id: str, slack_user: str, channel: str, thread_ts: str | None,
                      question: str, answer: Answer, visibility: str, answer_id: str | None = None) -> str:
        """``answer_id``: a stable id chosen by the caller (the web's answers are voted on by their own id)."""
        answer_id = answer_id or "ans-" + uuid.uuid4().hex[:12]
        with Session(self.engine) as s, s.begin():
            s.add(AnswerRow(id=answer_id, user_id=user_id, slack_user=slack_user, channel=channel,
                            thread_ts=thread_ts, visibility=visibility, question=question,
                            answer=answer.model_dump_json(), created_at=datetime.now()))
        return answer_id

    def set_posted(self, answer_id: str, *, message_ts: str | None, visibility: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(update(AnswerRow).where(AnswerRow.id == answer_id)
                      .values(message_ts=message_ts, visibility=visibility))

    def vote(self, answer_id: str, *, slack_user: str, user_id: str | None, helpful: bool) -> None:
        with Session(self.engine) as s, s.begin():
            if s.get(AnswerRow, answer_id) is None:
                raise NotFound(f"no answer {answer_id!r}", hint="vote on an answer the copilot posted")
            row = s.scalars(select(FeedbackRow).where(FeedbackRow.answer_id == answer_id,
                                                      FeedbackRow.slack_user == slack_user)).first()
            if row is None:
                s.add(FeedbackRow(answer_id=answer_id, slack_user=slack_user, user_id=user_id, helpful=helpful,
                                  created_at=datetime.now()))
            else:
                row.helpful, row.created_at = helpful, datetime.now()

    def answer(self, answer_id: str) -> dict[str, Any] | None:
        with Session(self.engine) as s:
            row = s.get(AnswerRow, answer_id)
            if row is None:
                return None
            return {c.key: getattr(row, c.key) for c in AnswerRow.__table__.columns}

    def votes(self, answer_id: str) -> dict[str, int]:
        with Session(self.engine) as s:
            rows = s.execute(select(FeedbackRow.helpful, func.count()).where(FeedbackRow.answer_id == answer_id)
                             .group_by(FeedbackRow.helpful)).all()
        counts = {bool(h): int(n) for h, n in rows}
        return {"helpful": counts.get(True, 0), "not_helpful": counts.get(False, 0)}

    def vote_of(self, answer_id: str, voter: str) -> bool | None:
        """This voter's vote on the answer (True helpful, False not), or None."""
        with Session(self.engine) as s:
            found = s.scalar(select(FeedbackRow.helpful).where(FeedbackRow.answer_id == answer_id,
                                                               FeedbackRow.slack_user == voter))
        return None if found is None else bool(found)

    # -- threads bound to sessions --------------------------------------------------------------------
    def bind_thread(self, key: str, *, kind: str, ref: str, chat_user: str) -> ThreadBinding:
        with Session(self.engine) as s, s.begin():
            s.add(ThreadRow(key=key, kind=kind, ref=ref, slack_user=chat_user, created_at=datetime.now()))
        return ThreadBinding(key, kind, ref, chat_user)

    def thread(self, key: str) -> ThreadBinding | None:
        with Session(self.engine) as s:
            row = s.get(ThreadRow, key)
            return ThreadBinding(row.key, row.kind, row.ref, row.slack_user) if row is not None else None
