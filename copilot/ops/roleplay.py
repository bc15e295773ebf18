"""Role-play: practise with a simulated buyer, get scored on the rubric, follow progress over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from copilot.core.domain import Principal
from copilot.core.errors import NotFound, PermissionDenied, UserError
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from tools.roleplay.personas import Persona
    from tools.roleplay.scoring import Score
    from tools.roleplay.session import RoleplaySession
    from tools.roleplay.simulator import BuyerTurn


class RoleplayOps(Operations):
    def roleplay_scenarios(self) -> list[Persona]:
        """The persona cards of the library (what a trainee can practise)."""
        return self.services.roleplay.scenarios()

    def roleplay_start(self, principal: Principal, scenario_id: str) -> RoleplaySession:
        """A new practice session for this trainee; the buyer's opening line is ``session.opening``."""
        return self.services.roleplay.start(scenario_id, principal, self.scope(principal))

    def roleplay_session(self, principal: Principal, session_id: str) -> RoleplaySession:
        """One of this trainee's sessions (only the trainee may continue or finish it)."""
        session = self.services.roleplay.resume(session_id, self.scope(principal))
        if session.trainee_id != principal.user_id:
            raise PermissionDenied(f"session {session_id} is {session.trainee_id}'s practice; only they may continue it")
        return session

    def roleplay_turn(self, principal: Principal, session_id: str, text: str) -> tuple[RoleplaySession, BuyerTurn]:
        """Say one line to the buyer; returns the session and the buyer's answer."""
        session = self.roleplay_session(principal, session_id)
        if session.status == "finished":
            raise UserError(f"session {session_id} is finished", hint="start a new one")
        return session, session.reply(text)

    def roleplay_finish(self, principal: Principal, session_id: str) -> Score:
        """End the session and score it on the rubric (stored for the trainee's progress)."""
        return self.roleplay_session(principal, session_id).finish()

    def roleplay_score(self, principal: Principal | None, *, text: str | None = None, call_id: str | None = None,
                       scenario_id: str | None = None, rep_names: set[str] | None = None) -> Score:
        """Score a finished transcript (``text``) or a real call from the CRM (``call_id``) with the rubric."""
        svc = self.services.roleplay
        if call_id is not None:
            if principal is None:
                raise UserError("scoring a CRM call needs to know who asks", hint="pass --as USER")
            return svc.score_call(call_id, principal, self.scope(principal))
        if not text:
            raise UserError("nothing to score", hint="give a transcript with 'Rep:' and 'Customer:' lines")
        return svc.score_text(text, principal=principal, scenario_id=scenario_id, rep_names=rep_names)

    def roleplay_report(self, principal: Principal, *, trainee: str | None = None) -> dict[str, Any]:
        """Progress per rubric check and what to practise next (a manager sees the team, or one trainee)."""
        scope = self.scope(principal)
        trainee_id = None
        if trainee:
            person = self.principal(trainee)
            if person.user_id != principal.user_id and not scope.allows(person.user_id, person.team_id):
                raise NotFound(f"no trainee {trainee!r} in your team", hint="managers see the people they manage")
            trainee_id = person.user_id
        return self.services.roleplay.report(principal, scope, trainee_id=trainee_id)
