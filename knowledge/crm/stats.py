"""Sizes and reachability of the CRM database, for status and readiness."""

from __future__ import annotations

from sqlalchemy import func, select, text

from knowledge.crm.models import Account, Activity, Call, Contact, Deal, Team, User
from knowledge.crm.store import CrmStore


def table_counts(crm: CrmStore) -> dict[str, int]:
    """Rows per CRM table."""
    with crm.session() as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Team, User, Account, Contact, Deal, Activity, Call)}


def ping(crm: CrmStore) -> str:
    with crm.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return "reachable"
