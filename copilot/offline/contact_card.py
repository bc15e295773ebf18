"""A contact's own details: "what's Beatriz Delaney's email", "phone number for Dana", "what's Omar's title".

The contact is found among the accounts the asker may see (``find_contact``: full name, a unique first name,
or a close spelling); execs, who see aggregates only, are refused like any record look-up.
"""

from __future__ import annotations

import re

from copilot.core.domain import Citation
from knowledge.crm.scoping import require_records
from tools.compose import Composer
from tools.context import ToolContext
from tools.entities import Entities
from tools.last_contact import contact_exists, find_contact

DETAIL = r"(?:e-?mail(?: address)?|phone(?: number)?|number|mobile|cell|title|job title|role|contact (?:info|details))"
_NAME = r"([a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,2}?)"
ASKED = [re.compile(rf"\b{_NAME}'s\s+{DETAIL}\b", re.I),  # "beatriz delaney's email"
         re.compile(rf"\b{DETAIL}\s+(?:of|for)\s+{_NAME}(?=\s*(?:$|[?.,!]|\bat\b|\bfrom\b|\bthe\b))", re.I)]
_NOT_A_NAME = {"my", "our", "your", "their", "his", "her", "the", "a", "an", "what", "whats", "what's", "who", "account",
               "deal", "champion", "contact", "customer", "buyer", "give", "me", "send", "get", "find", "is", "s"}


def asked_person(question: str) -> str | None:
    """The name whose email, phone or title is asked for, or None."""
    for pat in ASKED:
        for m in pat.finditer(question):
            words = [w for w in m.group(1).split() if w.lower() not in _NOT_A_NAME]
            if words:
                return " ".join(words[-2:])
    return None


def named_contact(ctx: ToolContext, question: str) -> bool:
    who = asked_person(question)
    return who is not None and not ctx.scope.aggregates_only and contact_exists(ctx, who)


def answer(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    require_records(ctx.scope, "contact records")
    contact, account = find_contact(ctx, asked_person(question) or "")
    role = (contact.buying_role or "").replace("_", " ")
    bits = [f"email {contact.email}" if contact.email else "no email on record",
            f"phone {contact.phone}" if contact.phone else "no phone on record",
            contact.title, role or None]
    cite = c.cite(Citation(source_id=f"crm:contact:{contact.id}", title=f"{contact.name} ({account.name})", kind="crm",
                           record=f"contact:{contact.id}", snippet=", ".join(b for b in bits if b)[:200]))
    c.add(f"**{contact.name}** ({account.name}): {', '.join(b for b in bits if b)} {cite}")
    return 0.85
