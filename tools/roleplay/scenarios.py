"""Scenarios built from real CRM records: "practise the objection from last Tuesday's call with Acme".

A deal gives the account, the buying contact, the competitor and the stage (hence the call's goal); a call
adds the objections its summary found. Both are read through the trainee's ``Scope``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from copilot.core.errors import NotFound
from copilot.core.visibility import Scope
from knowledge.crm.models import Account, Call, Contact, Deal
from knowledge.crm.store import CrmStore
from tools.roleplay.personas import Persona, build_scenario

_ROLE_ORDER = ["economic_buyer", "champion", "technical_buyer", "influencer", "user", "blocker"]


def _base_for(account: str | None, library: dict[str, Persona]) -> Persona | None:
    return next((p for p in library.values() if account and p.account == account), None)


def _contact(s: Any, account_id: str | None) -> Contact | None:
    if not account_id:
        return None
    contacts = list(s.scalars(select(Contact).where(Contact.account_id == account_id)))
    contacts.sort(key=lambda c: _ROLE_ORDER.index(c.buying_role) if c.buying_role in _ROLE_ORDER else 99)
    return contacts[0] if contacts else None


def _objection_texts(summary: dict[str, Any] | None) -> list[str]:
    out: list[str] = []
    for item in (summary or {}).get("objections") or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.append(" ".join(str(item.get(k) or "") for k in ("category", "type", "label", "text", "quote")))
    return [t for t in out if t.strip()]


def scenario_from_deal(crm: CrmStore, scope: Scope, deal_id: str, library: dict[str, Persona],
                       *, objections: list[str] | None = None, source: str | None = None) -> Persona:
    with crm.session() as s:
        deal = s.get(Deal, deal_id)
        if deal is None or not scope.records_allowed or not scope.allows(deal.owner_id, deal.team_id):
            raise NotFound(f"no deal {deal_id!r} visible to you", hint="'copilot deals' lists the ones you can see")
        account = s.get(Account, deal.account_id) if deal.account_id else None
        contact = _contact(s, deal.account_id)
        base = _base_for(account.name if account else None, library)
        return build_scenario(
            base, scenario_id=f"deal:{deal_id}", title=f"{deal.name}: practise the live deal",
            name=contact.name if contact else (base.name if base else "The buyer"),
            role=(contact.title if contact and contact.title else (base.role if base else "Buyer")),
            company=account.name if account else (base.company if base else "the customer"),
            industry=account.sector if account else None, competitor=deal.competitor, stage=deal.stage,
            deal_type=deal.deal_type, objection_texts=objections or [], source=source or f"crm:deal:{deal_id}")


def scenario_from_call(crm: CrmStore, scope: Scope, call_id: str, library: dict[str, Persona]) -> Persona:
    with crm.session() as s:
        call = s.get(Call, call_id)
        if call is None or not scope.records_allowed or not scope.allows(call.owner_id, call.team_id):
            raise NotFound(f"no call {call_id!r} visible to you", hint="'copilot call list' shows your calls")
        deal_id, account_id, summary, title = call.deal_id, call.account_id, call.summary, call.title
        if deal_id is None and account_id:
            deal_id = s.scalars(select(Deal.id).where(Deal.account_id == account_id)
                                .order_by(Deal.close_date.desc())).first()
    objections = _objection_texts(summary)
    if deal_id is None:
        raise NotFound(f"call {call_id!r} is not linked to a deal", hint="link it to a deal, or practise a library scenario")
    persona = scenario_from_deal(crm, scope, deal_id, library, objections=objections, source=f"call:{call_id}")
    return persona.model_copy(update={"id": f"call:{call_id}", "title": f"{title}: practise the objections"})
