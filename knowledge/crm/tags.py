"""Pre-sales tags: technical pains someone who can see an account noted on it (a theme and a line of note).

Tags belong to the account, so they are visible to exactly those who may see the account's records (its
owner, their managers, admins; never execs). Removing a tag keeps the row (who removed it and when), so
the history of what pre-sales saw stays readable. Scope is checked by the caller (``tools.needs``); this
module only stores and reads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from copilot.core.db import Base
from knowledge.crm.store import CrmStore


class AccountTag(Base):
    __tablename__ = "account_tags"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    theme: Mapped[str] = mapped_column(String(60), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    by_user: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    removed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


@dataclass(frozen=True)
class Tag:
    id: str
    account_id: str
    theme: str
    note: str
    by_user: str
    created_at: datetime


def _tag(row: AccountTag) -> Tag:
    return Tag(row.id, row.account_id, row.theme, row.note, row.by_user, row.created_at)


class TagStore:
    def __init__(self, crm: CrmStore) -> None:
        self.crm = crm

    def add(self, account_id: str, theme: str, note: str, *, by_user: str, now: datetime) -> Tag:
        row = AccountTag(id="tag-" + uuid.uuid4().hex[:12], account_id=account_id, theme=theme, note=note,
                         by_user=by_user, created_at=now)
        with self.crm.session() as s:
            s.add(row)
        return _tag(row)

    def get(self, tag_id: str) -> Tag | None:
        with self.crm.session() as s:
            row = s.get(AccountTag, tag_id)
            return _tag(row) if row is not None and row.removed_at is None else None

    def remove(self, tag_id: str, *, by_user: str, now: datetime) -> None:
        with self.crm.session() as s:
            row = s.get(AccountTag, tag_id)
            if row is not None and row.removed_at is None:
                row.removed_at, row.removed_by = now, by_user

    def for_accounts(self, account_ids: list[str] | None = None) -> list[Tag]:
        """Tags in force on these accounts (every account with None), oldest first."""
        q = select(AccountTag).where(AccountTag.removed_at.is_(None)).order_by(AccountTag.created_at, AccountTag.id)
        if account_ids is not None:
            if not account_ids:
                return []
            q = q.where(AccountTag.account_id.in_(account_ids))
        with self.crm.session() as s:
            return [_tag(r) for r in s.scalars(q)]
