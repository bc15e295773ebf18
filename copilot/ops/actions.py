"""The confirmation loop: list, show, decide (approve, edit or reject, exactly once), retry, run, adopt."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from copilot.core.domain import Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from copilot.actions.audit import VerifyReport
    from copilot.actions.schemas import Action, State


class ActionOps(Operations):
    def actions_list(self, principal: Principal, states: Iterable[State | str] | None = None, *,
                     stuck: bool = False, limit: int = 500) -> list[Action]:
        """Pending proposals this principal may see (``states`` for others; ``stuck``: left executing)."""
        return self.services.actions.list(principal, states, stuck=stuck, limit=limit)

    def actions_show(self, principal: Principal, action_id: str) -> Action:
        return self.services.actions.get(action_id, principal)

    def actions_history(self, principal: Principal, action_id: str) -> list[dict[str, Any]]:
        """The audit events of one action, oldest first."""
        return self.services.actions.history(action_id, principal)

    def actions_approve(self, principal: Principal, action_id: str, *, shown_hash: str,
                        confirm_recipients: Iterable[str] = (), execute: bool = True) -> Action:
        """Approve what the person was shown (``shown_hash``); runs it unless ``execute`` is False."""
        return self.services.actions.approve(action_id, principal, shown_hash=shown_hash,
                                             confirm_recipients=confirm_recipients, execute=execute)

    def actions_edit(self, principal: Principal, action_id: str, *, payload: dict[str, Any], shown_hash: str,
                     confirm_recipients: Iterable[str] = (), execute: bool = True) -> Action:
        return self.services.actions.edit(action_id, principal, payload=payload, shown_hash=shown_hash,
                                          confirm_recipients=confirm_recipients, execute=execute)

    def actions_reject(self, principal: Principal, action_id: str, *, reason: str = "") -> Action:
        return self.services.actions.reject(action_id, principal, reason=reason)

    def actions_retry(self, principal: Principal, action_id: str, *, force_resend: bool = False,
                      mark_failed: bool = False, reason: str = "", execute: bool = True) -> Action:
        return self.services.actions.retry(action_id, principal, force_resend=force_resend,
                                           mark_failed=mark_failed, reason=reason, execute=execute)

    def actions_run(self, action_id: str | None = None, *, worker: str = "worker") -> list[Action]:
        """Execute approved actions nobody has run yet: the worker's job (approved with ``execute=False``).
        It takes no principal: every action it runs was already decided by a person allowed to."""
        return self.services.actions.run_approved(action_id, worker=worker)

    def actions_stats(self, principal: Principal, *, since: datetime | None = None) -> dict[str, Any]:
        """Adoption by kind, tool, rep and team over what this principal may see."""
        return self.services.actions.stats(principal, scope=self.scope(principal), since=since)

    def actions_verify(self) -> VerifyReport:
        """Check the hash chain of every audit event and every payload against its hash."""
        return self.services.actions.verify()

    def actions_counts(self) -> dict[str, int]:
        """Actions by state and by decision (for metrics; no records, no names)."""
        from copilot.actions.counts import state_counts

        return state_counts(self.services.crm.engine)

    def actions_validate(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as it would be stored (validated, normalized); bad fields raise one UserError. For
        forms that check an edit before submitting it (the ledger validates again on ``actions_edit``)."""
        from copilot.actions.schemas import validate_payload

        return validate_payload(kind, payload)
