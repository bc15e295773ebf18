"""Answers posted in Slack and the helpful / not-helpful votes on them (one vote per person per
answer; pressing again changes the vote)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from copilot.core.domain import Answer
from copilot.core.errors import NotFound
from integrations.slack.tables import AnswerRow, FeedbackRow, ensure_tables


class FeedbackLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_tables(engine)

    def record_answer(self, *, user_id: str, slack_user: str, channel: str, thread_ts: str | None,
                      question: str, answer: Answer, visibility: str) -> str:
        answer_id = "ans-" + uuid.uuid4().hex[:12]
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
