"""Tie a call to a deal from free text (a Slack message, a file title): the account name must appear."""

from __future__ import annotations

import re

from sqlalchemy import select

from copilot.core.domain import OPEN_STAGES
from copilot.core.visibility import Scope
from knowledge.crm.models import Account, Deal
from knowledge.crm.scoping import apply_scope
from knowledge.crm.store import CrmStore


def find_deal(crm: CrmStore, scope: Scope, text: str) -> str | None:
    """The open deal whose account name (or its first word) appears in ``text``, among visible deals."""
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    low = text.lower()
    with crm.session() as s:
        stmt = (select(Deal.id, Account.name).join(Account, Account.id == Deal.account_id)
                .where(Deal.stage.in_([st.value for st in OPEN_STAGES])).order_by(Deal.updated_at.desc()))
        rows = s.execute(apply_scope(stmt, scope, Deal)).all()
    for deal_id, name in rows:
        if name and name.lower() in low:
            return deal_id
    for deal_id, name in rows:
        first = re.findall(r"[a-z0-9]+", (name or "").lower())
        if first and len(first[0]) > 3 and first[0] in words:
            return deal_id
    return None
