"""Link the names in a ``CrmQuery`` (people, teams, products, accounts, competitors) to CRM ids.

Matching is exact (case-insensitive) first, then fuzzy against the CRM's own names. Names of people
and accounts outside the asker's scope are refused without saying whether they exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select

from copilot.core.domain import Principal
from copilot.core.errors import NotFound, PermissionDenied
from copilot.core.visibility import Scope
from knowledge.crm.models import Account, Deal, Product, Team, User
from knowledge.crm.scoping import nameable_accounts, nameable_parents
from knowledge.crm.store import CrmStore
from tools.crm_query.schema import CrmQuery


@dataclass
class Directory:
    """Names of everything a query may refer to, loaded once per query."""

    users: dict[str, str] = field(default_factory=dict)  # id -> name
    user_team: dict[str, str | None] = field(default_factory=dict)
    user_manager: dict[str, str | None] = field(default_factory=dict)
    user_role: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)  # id -> name
    team_manager: dict[str, str | None] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)
    competitors: list[str] = field(default_factory=list)
    # the values the CRM holds for account and product facts: {"sector": ["retail", ...], "series": [...], ...}
    # (parent companies are matched per asker instead: ``nameable_parents``)
    values: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, crm: CrmStore) -> Directory:
        d = cls()
        with crm.session() as s:
            for uid, name, team, mgr, role in s.execute(select(User.id, User.name, User.team_id, User.manager_id,
                                                                User.role)):
                d.users[uid], d.user_team[uid], d.user_manager[uid], d.user_role[uid] = name, team, mgr, str(role)
            for tid, name, mgr in s.execute(select(Team.id, Team.name, Team.manager_id)):
                d.teams[tid], d.team_manager[tid] = name, mgr
            d.products = {pid: name for pid, name in s.execute(select(Product.id, Product.name))}
            d.competitors = sorted({c for c in s.scalars(select(Deal.competitor).distinct()) if c})
            d.values = fact_values(s)
        return d

    def manager_of(self, owner_id: str | None) -> str | None:
        if not owner_id:
            return None
        mgr = self.user_manager.get(owner_id) or self.team_manager.get(self.user_team.get(owner_id) or "")
        return self.users.get(mgr) if mgr else None


def best_name(ref: str, names: dict[str, str], cutoff: float = 85) -> str | None:
    """The id whose name matches ``ref``: exact id or name, then the best fuzzy match above ``cutoff``."""
    ref = (ref or "").strip()
    low = ref.lower()
    for key, name in names.items():
        if low in (key.lower(), name.lower()):
            return key
    hit = process.extractOne(ref, names, scorer=fuzz.WRatio, score_cutoff=cutoff)
    return hit[2] if hit else None


@dataclass
class Resolved:
    owner_ids: set[str] | None = None
    team_ids: set[str] | None = None
    product_id: str | None = None
    account_id: str | None = None
    competitor: str | None = None
    facts: dict[str, str] = field(default_factory=dict)  # sector/region/tier/parent/series -> the CRM's value
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (slot, the CRM's value or id) to leave out
    labels: dict[str, str] = field(default_factory=dict)  # slot -> the CRM's own name


def _one_person() -> PermissionDenied:
    return PermissionDenied("execs see aggregates by team, product or stage, not one person's figures",
                            hint="ask by team, or group by rep to see pseudonymized figures")


def resolve(q: CrmQuery, scope: Scope, crm: CrmStore, directory: Directory) -> Resolved:
    f, p, out = q.filters, scope.principal, Resolved()
    if f.owner:
        if f.owner.strip().lower() in ("me", "my", "mine", "myself", "i", p.user_id.lower()):
            uid: str | None = p.user_id
        else:
            uid = _person(f.owner, directory)
        if scope.aggregates_only and uid != p.user_id:
            raise _one_person()
        if not scope.aggregates_only and not scope.all_records and uid not in scope.owner_ids:
            raise PermissionDenied(f"you can't see {directory.users.get(uid or '', f.owner)}'s records",
                                   hint=_yours(p))
        out.owner_ids = {uid} if uid else set()
        out.labels["owner"] = "you" if uid == p.user_id else directory.users.get(uid or "", f.owner)
    if f.manager:
        mid = best_name(f.manager, directory.users)
        if mid is None:
            raise NotFound(f"no manager named {f.manager!r}", hint="use a name from 'copilot users'")
        if scope.aggregates_only:
            raise PermissionDenied("execs see aggregates by team, product or stage, not one person's figures",
                                   hint="ask by team, or group by manager to see pseudonymized figures")
        reports = {u for u in directory.users if directory.manager_of(u) == directory.users[mid]}
        if _outside(scope, reports, directory):
            raise PermissionDenied(f"you can't see the records of {directory.users[mid]}'s team",
                                   hint=_yours(p))
        out.owner_ids = reports if out.owner_ids is None else out.owner_ids & reports
        out.labels["manager"] = directory.users[mid]
    if f.team:
        if f.team.strip().lower() in ("mine", "my", "my team", "our", "our team", "us"):
            tid = p.team_id
            if tid is None:
                raise NotFound("you are not in a team", hint="name the team, e.g. 'East'")
        else:
            tid = best_name(f.team, directory.teams, cutoff=80)
            if tid is None:
                raise NotFound(f"no team named {f.team!r}",
                               hint=f"teams: {', '.join(sorted(directory.teams.values())) or 'none'}")
        members = {u for u, t in directory.user_team.items() if t == tid}
        if _outside(scope, members, directory, team_id=tid):
            raise PermissionDenied(f"you can't see team {directory.teams.get(tid, tid)}'s records", hint=_yours(p))
        out.team_ids = {tid}
        out.labels["team"] = directory.teams.get(tid, tid)
    if f.product:
        pid = best_name(f.product, directory.products, cutoff=80)
        if pid is None:
            raise NotFound(f"no product named {f.product!r}",
                           hint=f"products: {', '.join(sorted(directory.products.values()))}")
        out.product_id = pid
        out.labels["product"] = directory.products[pid]
    if f.competitor:
        comp = best_name(f.competitor, {c: c for c in directory.competitors}, cutoff=80)
        out.competitor = comp or f.competitor
        out.labels["competitor"] = out.competitor
    if f.account:
        out.account_id, out.labels["account"] = _account(f.account, scope, crm)
    for slot in FACT_SLOTS:
        ref = getattr(f, slot)
        if ref:
            out.facts[slot] = out.labels[slot] = _fact(slot, ref, _values(slot, scope, crm, directory))
    shown = []
    for x in f.exclude:
        value, label = _excluded(x.slot, x.value, scope, crm, directory)
        out.excluded.append((x.slot, value))
        shown.append(f"{label}'s deals" if x.slot == "owner" else
                     f"{FACT_WORDS.get(x.slot, x.slot.replace('_', ' '))} {label}")
    if shown:
        out.labels["exclude"] = ", ".join(shown)
    return out


def _person(ref: str, d: Directory) -> str:
    """The id of the user ``ref`` names, or NotFound."""
    uid = best_name(ref, d.users)
    if uid is None:
        raise NotFound(f"no person named {ref!r}", hint="use a name from 'copilot users'")
    return uid


def _values(slot: str, scope: Scope, crm: CrmStore, d: Directory) -> list[str]:
    """The values a fact may be matched to; a parent company only among those of the accounts the asker may name."""
    if slot != "parent":
        return d.values.get(slot, [])
    with crm.session() as s:
        return sorted({v for v in s.scalars(nameable_parents(scope)) if v and v.strip()})


def _excluded(slot: str, ref: str, scope: Scope, crm: CrmStore, d: Directory) -> tuple[str, str]:
    """(value to compare, name to show) of an exclusion, linked like the slot's own filter."""
    if slot == "product":
        pid = best_name(ref, d.products, cutoff=80)
        if pid is None:
            raise NotFound(f"no product named {ref!r}", hint=f"products: {', '.join(sorted(d.products.values()))}")
        return pid, d.products[pid]
    if slot == "owner":  # 'not counting Darcel': a total with and without one person gives away their figure
        uid = _person(ref, d)
        if scope.aggregates_only:
            raise _one_person()
        return uid, d.users[uid]
    if slot == "competitor":
        comp = best_name(ref, {c: c for c in d.competitors}, cutoff=80) or ref
        return comp, comp
    if slot in FACT_SLOTS:
        value = _fact(slot, ref, _values(slot, scope, crm, d))
        return value, value
    return ref, ref.replace("_", " ")


# the account's and product's own facts a query may filter or group on, and their columns
ACCOUNT_FACTS: dict[str, Any] = {"sector": Account.sector, "region": Account.region, "tier": Account.tier,
                                 "parent": Account.parent}
FACT_COLUMNS: dict[str, Any] = {**ACCOUNT_FACTS, "series": Product.series}
FACT_SLOTS = tuple(FACT_COLUMNS)


def fact_values(s: Any) -> dict[str, list[str]]:
    """The values the CRM holds for each fact but the parent company (``nameable_parents`` scopes those)."""
    return {slot: sorted({v for v in s.scalars(select(col).distinct()) if v and v.strip()})
            for slot, col in FACT_COLUMNS.items() if slot != "parent"}
FACT_WORDS = {"sector": "industry", "region": "region", "tier": "tier", "parent": "parent company",
              "series": "product series"}


def _fact(slot: str, ref: str, values: list[str]) -> str:
    """The CRM's own value for an account or product fact ('tech' -> 'technology'); these are the companies'
    public facts, not records, so naming the list of values reveals nothing of anyone's deals."""
    hit = best_name(ref, {v: v for v in values}, cutoff=80)
    if hit is None:
        if slot == "parent":  # company names: not listed (the asker may name only their accounts' parents)
            raise NotFound(f"no parent company matching {ref!r} among your accounts' parents",
                           hint="name the parent as it is written on the account, e.g. 'subsidiaries of Acme Corp'")
        shown = ", ".join(values[:12]) + (", ..." if len(values) > 12 else "")
        raise NotFound(f"no {FACT_WORDS[slot]} matching {ref!r} in the CRM",
                       hint=f"{FACT_WORDS[slot]} values: {shown}" if values else f"the CRM records no {FACT_WORDS[slot]}")
    return hit


def _yours(p: Principal) -> str:
    return "you see your own records" if p.role.value == "rep" else "you see your team's records"


def _outside(scope: Scope, owners: set[str], directory: Directory, team_id: str | None = None) -> bool:
    """A team or a manager's team none of whose records the asker may see: answering "0" would read as a
    fact about them, so it is refused like a named person outside the scope (execs see aggregates of any)."""
    if scope.aggregates_only or scope.all_records or not scope.records_allowed:
        return False
    if team_id is not None and team_id in scope.team_ids:
        return False
    return not (owners & set(scope.owner_ids))


def _account(ref: str, scope: Scope, crm: CrmStore) -> tuple[str, str]:
    with crm.session() as s:
        names = {aid: name for aid, name in s.execute(nameable_accounts(scope))}
    aid = best_name(ref, names, cutoff=85)
    if aid is None:
        raise NotFound(f"no account matching {ref!r} among the accounts you can see",
                       hint="check the spelling, or ask your manager if it belongs to another team")
    return aid, names[aid]
