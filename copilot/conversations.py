"""Conversation history per thread, in the project's own table (no framework memory classes).

A thread belongs to one user: the same thread id used by another person is a different history, so
a Slack thread shared by two reps never leaks one's answers into the other's context.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from copilot.agent import Turn
from copilot.core.db import Base
from knowledge.crm.store import CrmStore


class TurnRow(Base):
    __tablename__ = "conversation_turns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    thread_id: Mapped[str] = mapped_column(String(128), index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text, nullable=True)  # offline engine state (JSON)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)  # the full Answer JSON for assistant turns
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ConversationStore:
    def __init__(self, crm: CrmStore, max_turns: int = 12) -> None:
        self.crm = crm
        self.max_turns = max_turns

    @staticmethod
    def new_thread() -> str:
        return "t-" + uuid.uuid4().hex[:12]

    def history(self, thread_id: str, user_id: str) -> tuple[list[Turn], dict[str, Any]]:
        with self.crm.session() as s:
            rows = list(s.scalars(select(TurnRow).where(TurnRow.thread_id == thread_id, TurnRow.user_id == user_id)
                                  .order_by(TurnRow.id.desc()).limit(self.max_turns)))
        rows.reverse()
        state: dict[str, Any] = {}
        for r in rows:
            if r.state:
                state = json.loads(r.state)
        return [Turn(r.role, r.content) for r in rows], state

    def append(self, thread_id: str, user_id: str, question: str, answer_text: str, *,
               state: dict[str, Any] | None = None, answer_json: str | None = None) -> None:
        now = datetime.now()
        with self.crm.session() as s:
            s.add(TurnRow(thread_id=thread_id, user_id=user_id, role="user", content=question, created_at=now))
            s.add(TurnRow(thread_id=thread_id, user_id=user_id, role="assistant", content=answer_text,
                          state=json.dumps(state or {}), answer=answer_json, created_at=now))

    def recent(self, user_id: str, limit: int = 20) -> list[tuple[str, str, datetime, str]]:
        """This user's newest answered exchanges, newest first: (thread id, question, when, answer JSON)."""
        with self.crm.session() as s:
            answers = list(s.scalars(select(TurnRow).where(TurnRow.user_id == user_id, TurnRow.role == "assistant",
                                                           TurnRow.answer.is_not(None))
                                     .order_by(TurnRow.id.desc()).limit(limit)))
            out = []
            for a in answers:
                q = s.scalar(select(TurnRow.content).where(TurnRow.thread_id == a.thread_id, TurnRow.user_id == user_id,
                                                           TurnRow.role == "user", TurnRow.id < a.id)
                             .order_by(TurnRow.id.desc()).limit(1))
                out.append((a.thread_id, q or "", a.created_at, a.answer or "{}"))
        return out

    def forget(self, mentions: Callable[[str], bool]) -> int:
        """Erasure: delete every exchange (the question and its answer, stored together) in which the
        question, the answer text, the answer JSON or the engine state mentions the subject. A thread
        keeps its other exchanges. Returns how many turns were deleted."""
        hit: set[tuple[str, str, datetime]] = set()
        with self.crm.session() as s:
            rows = s.execute(select(TurnRow.thread_id, TurnRow.user_id, TurnRow.created_at, TurnRow.content,
                                    TurnRow.answer, TurnRow.state)).yield_per(1000)
            for thread_id, user_id, at, *texts in rows:
                if any(t and mentions(t) for t in texts):
                    hit.add((thread_id, user_id, at))
            n = 0
            for thread_id, user_id, at in hit:
                done = s.execute(delete(TurnRow).where(TurnRow.thread_id == thread_id, TurnRow.user_id == user_id,
                                                       TurnRow.created_at == at))
                n += int(cast("CursorResult[Any]", done).rowcount)
        return n
