"""Assigned role-play scenarios: a manager (or admin) assigns a scenario to a trainee with an optional due
date; trainees see theirs; an assignment is done once the trainee finishes a session of that scenario."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from copilot.core.domain import Principal, Role
from copilot.core.errors import InvalidRequest, NotFound, PermissionDenied
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from tools.roleplay.assignments import Assignment, AssignmentStore, SessionLine
    from tools.roleplay.scoring import Score
    from tools.roleplay.session import RoleplaySession

NOTE_MAX = 500


class CoachingOps(Operations):
    def _assignments(self) -> AssignmentStore:
        from tools.roleplay.assignments import AssignmentStore

        return AssignmentStore(self.services.crm)

    def roleplay_assign(self, principal: Principal, trainee: str, scenario_id: str, *, due_on: date | None = None,
                        note: str = "") -> Assignment:
        """Assign a scenario to someone in the asker's team (managers) or anyone (admins)."""
        if principal.role not in (Role.MANAGER, Role.ADMIN):
            raise PermissionDenied(f"only managers and admins assign role-play scenarios; {principal.label} may not",
                                   hint="ask your manager to assign one, or start a scenario yourself")
        scope = self.scope(principal)
        try:
            person = self.principal(trainee)
        except NotFound:
            person = None
        if person is None or person.user_id == principal.user_id or not scope.allows(person.user_id, person.team_id):
            raise NotFound(f"no trainee {trainee!r} in your team", hint="use a user id, email or full name")
        self.services.roleplay.scenario(scenario_id, scope)  # an unknown scenario: NotFound naming the list
        if due_on is not None and due_on < self.settings.current_date():
            raise InvalidRequest(f"the due date {due_on} is in the past", hint="pick today or a later date")
        note = " ".join(note.split())
        if len(note) > NOTE_MAX:
            raise InvalidRequest(f"the note is {len(note)} characters; keep it under {NOTE_MAX}")
        store = self._assignments()
        aid = store.add(trainee_id=person.user_id, team_id=person.team_id, scenario_id=scenario_id,
                        assigned_by=principal.user_id, due_on=due_on, note=note, now=datetime.now())
        return next(a for a in self.roleplay_assignments(principal, trainee=person.user_id) if a.id == aid)

    def roleplay_assignments(self, principal: Principal, *, trainee: str | None = None) -> list[Assignment]:
        """Assignments the asker may see (trainees: their own; managers: their team's), newest first, each
        open, overdue or done (with the score of the session that completed it)."""
        from tools.roleplay.assignments import Assignment, status_of

        scope = self.scope(principal)
        trainee_id = None
        if trainee:
            person = self.principal(trainee)
            if person.user_id != principal.user_id and not scope.allows(person.user_id, person.team_id):
                raise NotFound(f"no trainee {trainee!r} in your team", hint="managers see the people they manage")
            trainee_id = person.user_id
        store = self._assignments()
        rows = store.visible(scope, trainee_id=trainee_id)
        done = store.completions(rows)
        titles = {p.id: p.title for p in self.services.roleplay.scenarios()}
        names: dict[str, str] = {}

        def name(uid: str) -> str:
            if uid not in names:
                try:
                    names[uid] = self.principal(uid).name
                except NotFound:  # an erased or removed user keeps the id
                    names[uid] = uid
            return names[uid]

        today = self.settings.current_date()
        out = []
        for r in rows:
            hit = done.get(r.id)
            out.append(Assignment(id=r.id, trainee_id=r.trainee_id, trainee=name(r.trainee_id),
                                  scenario_id=r.scenario_id, scenario=titles.get(r.scenario_id, r.scenario_id),
                                  assigned_by=name(r.assigned_by), due_on=r.due_on, note=r.note,
                                  assigned_at=r.created_at, status=status_of(r, hit, today),
                                  done_at=hit.scored_at if hit else None, session_id=hit.session_id if hit else None,
                                  score=hit.score if hit else None, passed=hit.passed if hit else None))
        return out

    def roleplay_unassign(self, principal: Principal, assignment_id: str) -> None:
        """Withdraw an assignment (managers and admins who see it); the row is kept."""
        row = self._assignments().get(assignment_id, self.scope(principal))
        if principal.role not in (Role.MANAGER, Role.ADMIN):
            raise PermissionDenied("only managers and admins withdraw assignments")
        self._assignments().cancel(row.id, by_user=principal.user_id, now=datetime.now())

    def roleplay_sessions(self, principal: Principal, *, trainee: str | None = None) -> list[SessionLine]:
        """A trainee's practice sessions (their own, or a manager's person's), newest first."""
        from tools.roleplay.assignments import trainee_sessions

        scope = self.scope(principal)
        person = self.principal(trainee) if trainee else principal
        if person.user_id != principal.user_id and not scope.allows(person.user_id, person.team_id):
            raise NotFound(f"no trainee {trainee!r} in your team", hint="managers see the people they manage")
        return trainee_sessions(self.services.crm, scope, person.user_id)

    def roleplay_review(self, principal: Principal, session_id: str) -> tuple[RoleplaySession, Score | None]:
        """Read one session's transcript (the trainee, or their manager; nobody else), with the rubric's
        result per check and the turn behind it once it is finished (re-scored as stored; never changed)."""
        try:
            session = self.services.roleplay.resume(session_id, self.scope(principal))
        except PermissionDenied:  # someone else's practice: as if it did not exist
            raise NotFound(f"no role-play session {session_id!r} that you can see") from None
        return session, session.finish() if session.status == "finished" else None
