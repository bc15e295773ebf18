"""Erasure of an account or a person from the CRM tables (the knowledge indexes, the ledger and the
files are handled by ``copilot.erasure``, which calls this). Returns what was removed so the caller can
report it.

``subject_of_account`` / ``subject_of_contact`` read, before anything is deleted, what identifies the
subject: the record ids to delete by and the names and emails no other record may keep. Records that
survive (another account's email thread, a call on the account when only one person is erased) have
those mentions replaced by ``[erased]`` by ``redact_mentions``. ``compact`` then rewrites the SQLite
file so deleted rows survive in no free page or WAL frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, text, update

from copilot.core.errors import NotFound
from knowledge.crm.health_models import (
    HealthIntervention,
    HealthScan,
    MarketingTouch,
    SupportTicket,
    UsageWeek,
)
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, ProductUsage, StageChange
from knowledge.crm.store import CrmStore
from knowledge.crm.tags import AccountTag
from knowledge.mentions import Mentions


@dataclass
class Subject:
    """Who is erased: ids to delete by, and the names and emails to find wherever they were copied."""

    kind: str  # "account" | "contact"
    id: str
    account_ids: list[str] = field(default_factory=list)
    contact_ids: list[str] = field(default_factory=list)
    deal_ids: list[str] = field(default_factory=list)
    call_ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # account, contacts, deals, emails, the account's domain
    audio: list[str] = field(default_factory=list)  # call recordings the CRM points to

    @property
    def ids(self) -> list[str]:
        return [*self.account_ids, *self.contact_ids, *self.deal_ids, *self.call_ids]

    def mentions(self) -> Mentions:
        return Mentions(self.names, self.ids)


def _n(result: Any) -> int:
    """Rows a DELETE removed."""
    return int(cast("CursorResult[Any]", result).rowcount)


def resolve_account_id(crm: CrmStore, ref: str) -> str:
    with crm.session() as s:
        acc = s.get(Account, ref) or s.scalars(select(Account).where(func.lower(Account.name) == ref.lower())).first()
        if acc is None:
            raise NotFound(f"no account {ref!r}", hint="use the account id or its exact name")
        return acc.id


def resolve_contact_id(crm: CrmStore, ref: str) -> str:
    with crm.session() as s:
        c = s.get(Contact, ref) or s.scalars(select(Contact).where(
            or_(func.lower(Contact.email) == ref.lower(), func.lower(Contact.name) == ref.lower()))).first()
        if c is None:
            raise NotFound(f"no contact {ref!r}", hint="use the contact id, email or exact name")
        return c.id


def subject_of_account(crm: CrmStore, account_id: str) -> Subject:
    with crm.session() as s:
        acc = s.get(Account, account_id)
        if acc is None:
            raise NotFound(f"no account {account_id!r}", hint="use the account id or its exact name")
        contacts = list(s.scalars(select(Contact).where(Contact.account_id == account_id)))
        deals = list(s.scalars(select(Deal).where(Deal.account_id == account_id)))
        deal_ids = [d.id for d in deals]
        calls = list(s.scalars(select(Call).where(or_(Call.account_id == account_id, Call.deal_id.in_(deal_ids)))))
        domain = (acc.domain or "").lower().removeprefix("www.")
        names = [acc.name, *(c.name for c in contacts), *(c.email or "" for c in contacts), *(d.name for d in deals)]
        if "." in domain:
            names.append(domain)
        return Subject(kind="account", id=acc.id, account_ids=[acc.id], contact_ids=[c.id for c in contacts],
                       deal_ids=deal_ids, call_ids=[c.id for c in calls], names=[n for n in names if n],
                       audio=[c.audio_path for c in calls if c.audio_path])


def subject_of_contact(crm: CrmStore, contact_id: str) -> Subject:
    with crm.session() as s:
        c = s.get(Contact, contact_id)
        if c is None:
            raise NotFound(f"no contact {contact_id!r}", hint="use the contact id, email or exact name")
        return Subject(kind="contact", id=c.id, contact_ids=[c.id], names=[n for n in (c.name, c.email) if n])


def erase_account(crm: CrmStore, account_id: str) -> dict[str, int]:
    with crm.session() as s:
        deal_ids = list(s.scalars(select(Deal.id).where(Deal.account_id == account_id)))
        counts = {
            "activities": _n(s.execute(delete(Activity).where(or_(Activity.account_id == account_id,
                                                                  Activity.deal_id.in_(deal_ids))))),
            "calls": _n(s.execute(delete(Call).where(or_(Call.account_id == account_id, Call.deal_id.in_(deal_ids))))),
            "stage_changes": _n(s.execute(delete(StageChange).where(StageChange.deal_id.in_(deal_ids)))),
            "deals": _n(s.execute(delete(Deal).where(Deal.id.in_(deal_ids)))),
            "contacts": _n(s.execute(delete(Contact).where(Contact.account_id == account_id))),
            "usage": _n(s.execute(delete(ProductUsage).where(ProductUsage.account_id == account_id))),
            "usage_weeks": _n(s.execute(delete(UsageWeek).where(UsageWeek.account_id == account_id))),
            "support_tickets": _n(s.execute(delete(SupportTicket).where(SupportTicket.account_id == account_id))),
            "marketing_touches": _n(s.execute(delete(MarketingTouch).where(MarketingTouch.account_id == account_id))),
            "health_interventions": _n(s.execute(delete(HealthIntervention)
                                                 .where(HealthIntervention.account_id == account_id))),
            "health_findings": _drop_findings(s, account_id),
            "account_tags": _n(s.execute(delete(AccountTag).where(AccountTag.account_id == account_id))),
            "accounts": _n(s.execute(delete(Account).where(Account.id == account_id))),
        }
    return counts


def _drop_findings(s: Any, account_id: str) -> int:
    """Remove the account's findings from stored health scans (they hold its name and figures)."""
    dropped = 0
    for scan in s.scalars(select(HealthScan)):
        kept = [f for f in scan.findings if f.get("account_id") != account_id]
        if len(kept) != len(scan.findings):
            dropped += len(scan.findings) - len(kept)
            scan.findings = kept
    return dropped


def erase_contact(crm: CrmStore, contact_id: str) -> dict[str, int]:
    """Remove the person and every activity addressed to or from them (emails, meetings with them)."""
    with crm.session() as s:
        contact = s.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"no contact {contact_id!r}")
        conds = [Activity.contact_id == contact_id]
        if contact.email:
            conds.append(Activity.body.contains(contact.email))
        counts = {"activities": _n(s.execute(delete(Activity).where(or_(*conds)))),
                  "marketing_touches": _n(s.execute(delete(MarketingTouch).where(MarketingTouch.contact_id == contact_id))),
                  "contacts": _n(s.execute(delete(Contact).where(Contact.id == contact_id)))}
    return counts


# Free text (and JSON holding text) of records that may survive an erasure yet name the subject.
_TEXT: dict[Any, tuple[str, ...]] = {
    Account: ("name", "description", "parent"),
    Contact: ("title",),
    Deal: ("name", "next_step", "loss_reason"),
    Activity: ("subject", "body", "attendees"),
    Call: ("title", "attendees", "transcript", "summary"),
    AccountTag: ("note",),
}


def redact_mentions(crm: CrmStore, mentions: Mentions) -> int:
    """Replace mentions of the subject in the records that remain; returns how many records changed.
    Reads every row of these tables once (an erasure is rare; a prefilter in SQL would miss JSON-escaped
    names)."""
    if not mentions:
        return 0
    changed = 0
    with crm.session() as s:
        for model, columns in _TEXT.items():
            cols = [getattr(model, c) for c in columns]
            updates = []
            for row in s.execute(select(model.id, *cols)).yield_per(1000):
                values = {c: mentions.scrub(v) for c, v in zip(columns, row[1:], strict=True)
                          if v is not None and mentions.found(v)}
                if values:
                    updates.append((row[0], values))
            for pk, values in updates:
                s.execute(update(model).where(model.id == pk).values(**values))
            changed += len(updates)
    return changed


def compact(crm: CrmStore) -> str:
    """Rewrite a SQLite CRM file without its free pages and truncate its WAL, so deleted rows are gone
    from disk too. Other databases are left to their own vacuum (say so in the receipt)."""
    engine = crm.engine
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return f"not compacted ({engine.dialect.name}: run VACUUM FULL on the CRM tables)"
    engine.dispose()  # idle pooled connections would keep the old WAL frames readable
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        conn.execute(text("VACUUM"))
        busy = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()[0]
    return "vacuumed" if not busy else "vacuumed; the WAL is still held by a reader and truncates when it finishes"
