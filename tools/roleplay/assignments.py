"""Assigned role-play scenarios: a manager (or admin) gives a trainee a scenario to practise, with an optional
due date; the trainee sees it; it counts as done once the trainee finishes a scored session of that scenario
after it was assigned (read from the scores, so every way of practising counts: web, Slack, CLI, API).

Visibility follows the trainee, like scores: a trainee sees their own assignments, a manager those of the
people in their scope, an admin all; execs none (they see aggregates only).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import Date, DateTime, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from copilot.core.db import Base
from copilot.core.errors import NotFound
from copilot.core.visibility import Scope
from knowledge.crm.store import CrmStore
from tools.roleplay.store import RoleplayScoreRow


class RoleplayAssignment(Base):
    __tablename__ = "roleplay_assignments"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    trainee_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    scenario_id: Mapped[str] = mapped_column(String(200))
    assigned_by: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Assignment(BaseModel):
    """One assignment and where it stands: ``open``, ``overdue`` or ``done`` (with the first session's score)."""

    id: str
    trainee_id: str
    trainee: str
    scenario_id: str
    scenario: str
    assigned_by: str
    due_on: date | None
    note: str
    assigned_at: datetime
    status: str
    done_at: datetime | None = None
    session_id: str | None = None
    score: float | None = None
    passed: bool | None = None


class AssignmentStore:
    def __init__(self, crm: CrmStore) -> None:
        self.crm = crm

    def add(self, *, trainee_id: str, team_id: str | None, scenario_id: str, assigned_by: str, due_on: date | None,
            note: str, now: datetime) -> str:
        row = RoleplayAssignment(id="as-" + uuid.uuid4().hex[:12], trainee_id=trainee_id, team_id=team_id,
                                 scenario_id=scenario_id, assigned_by=assigned_by, due_on=due_on, note=note,
                                 created_at=now)
        with self.crm.session() as s:
            s.add(row)
        return row.id

    def get(self, assignment_id: str, scope: Scope) -> RoleplayAssignment:
        """One assignment the scope may see; anything else (absent, cancelled, another team's) is NotFound."""
        with self.crm.session() as s:
            row = s.get(RoleplayAssignment, assignment_id)
        if row is None or row.cancelled_at is not None or not _visible(row, scope):
            raise NotFound(f"no assignment {assignment_id!r} that you can see",
                           hint="'copilot roleplay assignments' lists them")
        return row

    def cancel(self, assignment_id: str, *, by_user: str, now: datetime) -> None:
        with self.crm.session() as s:
            row = s.get(RoleplayAssignment, assignment_id)
            if row is not None and row.cancelled_at is None:
                row.cancelled_at, row.cancelled_by = now, by_user

    def visible(self, scope: Scope, *, trainee_id: str | None = None) -> list[RoleplayAssignment]:
        """Assignments in force the scope may see (one trainee's with ``trainee_id``), newest first."""
        if scope.aggregates_only:
            return []
        q = select(RoleplayAssignment).where(RoleplayAssignment.cancelled_at.is_(None))
        if trainee_id:
            q = q.where(RoleplayAssignment.trainee_id == trainee_id)
        with self.crm.session() as s:
            rows = list(s.scalars(q.order_by(RoleplayAssignment.created_at.desc(), RoleplayAssignment.id)))
        return [r for r in rows if _visible(r, scope)]

    def completions(self, rows: list[RoleplayAssignment]) -> dict[str, RoleplayScoreRow]:
        """Per assignment id: the trainee's first scored session of that scenario since it was assigned."""
        if not rows:
            return {}
        with self.crm.session() as s:
            scores = list(s.scalars(select(RoleplayScoreRow).where(
                RoleplayScoreRow.trainee_id.in_(sorted({r.trainee_id for r in rows})),
                RoleplayScoreRow.session_id.is_not(None)).order_by(RoleplayScoreRow.scored_at, RoleplayScoreRow.id)))
        out: dict[str, RoleplayScoreRow] = {}
        for r in rows:
            hit = next((x for x in scores if x.trainee_id == r.trainee_id and x.scenario_id == r.scenario_id
                        and x.scored_at >= r.created_at), None)
            if hit is not None:
                out[r.id] = hit
        return out


class SessionLine(BaseModel):
    """One of a trainee's practice sessions, for the coach's list (the transcript is opened by id)."""

    id: str
    trainee_id: str
    scenario_id: str
    scenario: str
    status: str
    started_at: datetime
    turns: int
    score: float | None = None
    passed: bool | None = None


def trainee_sessions(crm: CrmStore, scope: Scope, trainee_id: str, *, limit: int = 20) -> list[SessionLine]:
    """A trainee's sessions the scope may see (their own, or a manager's people), newest first."""
    from tools.roleplay.store import RoleplaySessionRow

    if scope.aggregates_only:
        return []
    with crm.session() as s:
        rows = list(s.scalars(select(RoleplaySessionRow).where(RoleplaySessionRow.trainee_id == trainee_id)
                              .order_by(RoleplaySessionRow.started_at.desc()).limit(limit)))
        rows = [r for r in rows if r.trainee_id == scope.principal.user_id or scope.allows(r.trainee_id, r.team_id)]
        scores = {x.session_id: x for x in s.scalars(select(RoleplayScoreRow).where(
            RoleplayScoreRow.session_id.in_([r.id for r in rows])))} if rows else {}
    return [SessionLine(id=r.id, trainee_id=r.trainee_id, scenario_id=r.scenario_id,
                        scenario=str((r.persona or {}).get("title") or r.scenario_id), status=r.status,
                        started_at=r.started_at, turns=len(r.turns or []),
                        score=scores[r.id].score if r.id in scores else None,
                        passed=scores[r.id].passed if r.id in scores else None) for r in rows]


def _visible(row: RoleplayAssignment, scope: Scope) -> bool:
    return row.trainee_id == scope.principal.user_id or scope.allows(row.trainee_id, row.team_id)


def status_of(row: RoleplayAssignment, done: RoleplayScoreRow | None, today: date) -> str:
    if done is not None:
        return "done"
    return "overdue" if row.due_on is not None and row.due_on < today else "open"
