"""Role-play sessions and scores, per trainee, in the CRM database (own tables, created on first use).

Sessions are stored whole (persona, buyer state, turns) so a later process (a Slack DM, another CLI run)
can continue one by id. Scores carry the trainee's owner and team ids so reports filter by ``Scope``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Engine, Float, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from copilot.core.db import Base
from copilot.core.errors import NotFound, PermissionDenied
from copilot.core.visibility import Scope


class RoleplaySessionRow(Base):
    __tablename__ = "roleplay_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    trainee_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    scenario_id: Mapped[str] = mapped_column(String(200))
    persona: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    turns: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | finished
    mode: Mapped[str] = mapped_column(String(20), default="offline")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    transcript_path: Mapped[str | None] = mapped_column(String(500), nullable=True)


class RoleplayScoreRow(Base):
    __tablename__ = "roleplay_scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    trainee_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    scenario_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scored_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    checks: Mapped[dict[str, Any]] = mapped_column(JSON)  # {check_id: true|false|null}
    source: Mapped[str] = mapped_column(String(20), default="roleplay")  # roleplay | transcript


class RoleplayStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _s(self) -> Session:
        return self._sessions()

    def save_session(self, row: dict[str, Any]) -> None:
        with self._s() as s, s.begin():
            s.merge(RoleplaySessionRow(**row))

    def get_session(self, session_id: str, scope: Scope) -> RoleplaySessionRow:
        with self._s() as s:
            row = s.get(RoleplaySessionRow, session_id)
        if row is None:
            raise NotFound(f"no role-play session {session_id!r}", hint="'copilot roleplay start' prints the id")
        if row.trainee_id != scope.principal.user_id and not scope.allows(row.trainee_id, row.team_id):
            raise PermissionDenied(f"session {session_id} belongs to someone outside your team")
        return row

    def add_score(self, *, trainee_id: str, team_id: str | None, scenario_id: str | None, score: float,
                  passed: bool, checks: dict[str, bool | None], source: str, session_id: str | None = None,
                  when: datetime | None = None) -> int:
        with self._s() as s, s.begin():
            row = RoleplayScoreRow(session_id=session_id, trainee_id=trainee_id, team_id=team_id,
                                   scenario_id=scenario_id, scored_at=when or datetime.now(), score=score,
                                   passed=passed, checks=checks, source=source)
            s.add(row)
            s.flush()
            return int(row.id)

    def scores(self, scope: Scope, *, trainee_id: str | None = None) -> list[RoleplayScoreRow]:
        """Scores visible to ``scope`` (own for reps, team for managers), oldest first."""
        q = select(RoleplayScoreRow).order_by(RoleplayScoreRow.scored_at, RoleplayScoreRow.id)
        if trainee_id:
            q = q.where(RoleplayScoreRow.trainee_id == trainee_id)
        with self._s() as s:
            rows = list(s.scalars(q))
        me = scope.principal.user_id
        return [r for r in rows if r.trainee_id == me or scope.allows(r.trainee_id, r.team_id)]
