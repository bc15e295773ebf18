"""Who sees what: the one function that turns a principal into filters (DESIGN.md section 2).

Every CRM query and every retrieval takes a ``Scope`` built here and ANDs it onto whatever the user
or the model asked for. Nothing a model writes can widen it: the scope is computed from the principal,
which is resolved server-side.

- rep: their own accounts, deals, activities and calls
- manager: everything owned by their reports, including the reports of managers under them; where the CRM
  has no reporting lines for them, everything owned by their team
- exec: aggregates only (no record-level CRM rows); small groups suppressed, names pseudonymized
- admin: everything
Shared case-library documents (no owner) are visible to everyone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from copilot.core.domain import Principal, Role

MIN_GROUP_SIZE = 3


@dataclass(frozen=True)
class Scope:
    principal: Principal
    all_records: bool = False
    team_ids: frozenset[str] = field(default_factory=frozenset)
    owner_ids: frozenset[str] = field(default_factory=frozenset)
    aggregates_only: bool = False
    min_group_size: int = MIN_GROUP_SIZE
    # A manager with a reporting tree: owned records by owner only; team_ids then opens just the team's
    # unowned, shared content (team playbooks), never another manager's reps' records in the same team.
    owner_records_only: bool = False

    @property
    def records_allowed(self) -> bool:
        """May this principal see individual CRM records at all?"""
        return not self.aggregates_only

    def allows(self, owner_id: str | None, team_id: str | None) -> bool:
        """May this principal see a record with this owner and team? Unowned shared content: yes."""
        if owner_id is None and team_id is None:
            return True
        if self.aggregates_only:
            return False
        if self.all_records:
            return True
        if owner_id is not None and owner_id in self.owner_ids:
            return True
        if owner_id is not None and self.owner_records_only:
            return False
        return team_id is not None and team_id in self.team_ids

    def allows_metadata(self, meta: Mapping[str, Any]) -> bool:
        """Filter for knowledge-store chunks: shared documents have empty owner and team."""
        owner = meta.get("owner") or None
        team = meta.get("team") or None
        return self.allows(owner, team)

    def pseudonym(self, name: str) -> str:
        """Stable pseudonym for a person's name in aggregate views (execs)."""
        if not self.aggregates_only:
            return name
        return "Person-" + hashlib.sha256(name.encode()).hexdigest()[:6]


def scope_for(principal: Principal, team_members: frozenset[str] = frozenset(),
              reports: frozenset[str] = frozenset()) -> Scope:
    """The visibility rule. ``reports`` are the user ids reporting to a manager, directly or through managers
    under them; ``team_members`` the user ids in their team (used only when no reporting lines are known)."""
    if principal.role is Role.ADMIN:
        return Scope(principal, all_records=True)
    if principal.role is Role.EXEC:
        return Scope(principal, aggregates_only=True)
    if principal.role is Role.MANAGER and reports:
        teams = frozenset({principal.team_id}) if principal.team_id else frozenset()
        return Scope(principal, team_ids=teams, owner_ids=reports | {principal.user_id}, owner_records_only=True)
    if principal.role is Role.MANAGER:
        teams = frozenset({principal.team_id}) if principal.team_id else frozenset()
        return Scope(principal, team_ids=teams, owner_ids=team_members | {principal.user_id})
    return Scope(principal, owner_ids=frozenset({principal.user_id}))
