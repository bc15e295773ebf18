"""Erasure of an account or a person from the CRM tables (the knowledge indexes are cleared separately
by ``KnowledgeStore.forget``). Returns what was removed so the caller can report it."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from copilot.core.errors import NotFound
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, ProductUsage, StageChange
from knowledge.crm.store import CrmStore


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


def erase_account(crm: CrmStore, account_id: str) -> dict[str, int]:
    with crm.session() as s:
        deal_ids = list(s.scalars(select(Deal.id).where(Deal.account_id == account_id)))
        counts = {
            "activities": s.execute(delete(Activity).where(or_(Activity.account_id == account_id,
                                                               Activity.deal_id.in_(deal_ids)))).rowcount,
            "calls": s.execute(delete(Call).where(or_(Call.account_id == account_id, Call.deal_id.in_(deal_ids)))).rowcount,
            "stage_changes": s.execute(delete(StageChange).where(StageChange.deal_id.in_(deal_ids))).rowcount,
            "deals": s.execute(delete(Deal).where(Deal.id.in_(deal_ids))).rowcount,
            "contacts": s.execute(delete(Contact).where(Contact.account_id == account_id)).rowcount,
            "usage": s.execute(delete(ProductUsage).where(ProductUsage.account_id == account_id)).rowcount,
            "accounts": s.execute(delete(Account).where(Account.id == account_id)).rowcount,
        }
    return counts


def erase_contact(crm: CrmStore, contact_id: str) -> dict[str, int]:
    """Remove the person and every activity addressed to or from them (emails, meetings with them)."""
    with crm.session() as s:
        contact = s.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"no contact {contact_id!r}")
        conds = [Activity.contact_id == contact_id]
        if contact.email:
            conds.append(Activity.body.contains(contact.email))
        counts = {"activities": s.execute(delete(Activity).where(or_(*conds))).rowcount,
                  "contacts": s.execute(delete(Contact).where(Contact.id == contact_id)).rowcount}
    return counts
