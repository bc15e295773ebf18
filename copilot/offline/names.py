"""Account names in a question: one the asker may not see, and whether a name is any CRM account at all.

A name of an account outside the asker's scope is 'not found', from the CRM and from library pages that
mention it alike; a name that is no account may be a topic the library uses ('sign in with LDAP').
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from knowledge.crm.models import Account
from knowledge.crm.scoping import nameable_accounts, nameable_parents
from tools.context import ToolContext


def hidden_account(ctx: ToolContext, question: str) -> str | None:
    """The name of a CRM account the question names (whole, or by its first two words when it has more) that
    the asker may not see, or None. Asked about by name, such an account is 'not found', and library pages
    that mention it (a playbook's example, a persona card) are not quoted either. Exec scopes are left to
    the aggregate rules."""
    if ctx.scope.aggregates_only or ctx.scope.all_records:
        return None
    low = re.sub(r"[^\w&]+", " ", question.lower())
    with ctx.crm.session() as s:
        names = [n for n in s.scalars(select(Account.name)) if n]
    spans = _spans(low)
    named = [n for n in names if _forms(n) & spans  # a one-word name only as written ('Summit', not 'summit')
             and (len(n.split()) > 1 or re.search(rf"(?<!\w){re.escape(n)}(?!\w)", question))]
    if not named:
        return None
    with ctx.crm.session() as s:  # an account of one of the asker's deals is not hidden from them, nor the parent
        seen = {n for _, n in s.execute(nameable_accounts(ctx.scope))}  # company of one of their accounts
        seen |= {p for p in s.scalars(nameable_parents(ctx.scope)) if p}
    return next((n for n in named if n not in seen and not (_forms(n) & {f for v in seen for f in _forms(v)})), None)


def _forms(name: str) -> set[str]:
    words = re.sub(r"[^\w&]+", " ", name.lower()).split()
    return {" ".join(words)} | ({" ".join(words[:2])} if len(words) > 2 else set())


def _spans(low: str) -> set[str]:
    words = low.split()
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + 6) + 1)}


def is_crm_account(ctx: ToolContext, name: str) -> bool:
    """Is ``name`` an account in the CRM, seen or not? Only for routing: a hidden account stays 'not found'
    rather than being answered from library pages that talk about it."""
    with ctx.crm.session() as s:
        found = s.scalar(select(func.count()).select_from(Account)
                         .where(func.lower(Account.name).startswith(name.lower().strip())))
    return bool(found)
