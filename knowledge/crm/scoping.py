"""Apply a visibility ``Scope`` to a SQLAlchemy select over an owned CRM table.

This is the only place record-level CRM queries get their visibility filter; the filter is ANDed
onto whatever the caller (a tool, hence possibly a model) asked for, so it can only narrow results.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false, or_, select

from copilot.core.errors import PermissionDenied
from copilot.core.visibility import Scope

S = TypeVar("S", bound=Select[*tuple[Any, ...]])  # a select of any row shape


def apply_scope(stmt: S, scope: Scope, model: Any) -> S:
    """AND the scope's filter onto ``stmt`` for ``model`` (which has owner_id and team_id columns)."""
    if scope.aggregates_only:
        return stmt.where(false())
    if scope.all_records:
        return stmt
    clauses = []
    if scope.owner_ids:
        clauses.append(model.owner_id.in_(sorted(scope.owner_ids)))
    if scope.team_ids:
        team = model.team_id.in_(sorted(scope.team_ids))
        # reporting-tree managers: a team match opens only unowned rows, never other managers' reps' records
        clauses.append(team & model.owner_id.is_(None) if scope.owner_records_only else team)
    return stmt.where(or_(*clauses)) if clauses else stmt.where(false())


def require_records(scope: Scope, what: str = "individual CRM records") -> None:
    """Refuse record-level access for aggregate-only principals (execs) with a useful message."""
    if scope.aggregates_only:
        raise PermissionDenied(
            f"{scope.principal.name} is an exec and sees aggregates only, not {what}",
            hint="ask a pipeline or forecast question (e.g. 'win rate by team last quarter')",
        )


def nameable_accounts(scope: Scope) -> Select[str, str]:
    """(id, name) of the accounts the asker may name in a question: those in scope, and those of the deals in
    scope (an import may give an account one owner while several reps hold deals on it: 'what have I closed
    with Cheers'). Naming one narrows what the asker already sees; it opens nothing of the account itself,
    whose card, contacts and activities stay under ``apply_scope``. Execs name any account (the aggregate
    rules decide what they see of it)."""
    from knowledge.crm.models import Account, Deal

    stmt = select(Account.id, Account.name)
    if scope.aggregates_only or scope.all_records:
        return stmt
    return stmt.where(or_(Account.id.in_(apply_scope(select(Account.id), scope, Account)),
                          Account.id.in_(apply_scope(select(Deal.account_id), scope, Deal))))


def nameable_parents(scope: Scope) -> Select[Any]:
    """The parent companies of the accounts the asker may name: 'subsidiaries of X' may only name those, so a
    parent known only from other teams' accounts is no more confirmed than the accounts themselves."""
    from knowledge.crm.models import Account

    ids = nameable_accounts(scope).subquery()
    return select(Account.parent).where(Account.id.in_(select(ids.c.id)), Account.parent.is_not(None)).distinct()

