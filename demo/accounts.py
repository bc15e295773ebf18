"""Teams, users, accounts and contacts of the demo company."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from demo.catalog import (
    ACCOUNT_WORDS,
    DOMAIN,
    FIRST_NAMES,
    HISTORY_DAYS,
    LAST_NAMES,
    MANAGERS,
    NAMED_ACCOUNTS,
    PEOPLE,
    SECTORS,
    SOURCE,
    TEAM_REGIONS,
    TEAMS,
    TITLES,
)
from demo.library import Story

N_ACCOUNTS = 120
ROLE_MIX = ["champion", "economic_buyer", "technical_buyer", "user", "blocker"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class AccountPlan:
    id: str
    name: str
    domain: str
    sector: str
    owner_id: str
    team_id: str
    contacts: list[dict] = field(default_factory=list)
    declining: bool = False  # product usage trends down (renewal at risk)

    def role_ids(self, role: str) -> list[str]:
        return [c["id"] for c in self.contacts if c["buying_role"] == role]


def people_rows() -> tuple[list[dict], list[dict]]:
    teams = [{"id": tid, "name": name, "manager_id": MANAGERS[tid], "source": SOURCE} for tid, name in TEAMS.items()]
    users = []
    for p in PEOPLE:
        first = p.name.split()[0].lower()
        last = p.name.split()[-1].lower()
        manager = MANAGERS.get(p.team or "") if p.role == "rep" else ("u-rachel-adeyemi" if p.role == "manager" else None)
        users.append({"id": p.id, "name": p.name, "email": f"{first}.{last}@{DOMAIN}", "role": p.role,
                      "team_id": p.team, "manager_id": manager, "title": p.title, "active": True,
                      "source": SOURCE})
    return teams, users


def reps() -> list[str]:
    return [p.id for p in PEOPLE if p.role == "rep"]


def team_of(user_id: str) -> str:
    return next(p.team for p in PEOPLE if p.id == user_id)  # type: ignore[return-value]


class _Names:
    """Distinct person names across the whole demo."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.taken = set(taken)

    def take(self, name: str) -> str:
        self.taken.add(name)
        return name

    def new(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self.taken:
                return self.take(name)


def _contact(acc: AccountPlan, n: int, name: str, title: str, role: str, when: datetime) -> dict:
    first, last = name.split()[0].lower(), name.split()[-1].lower()
    return {"id": f"demo:contact:{slug(acc.name)}:{n}", "account_id": acc.id, "name": name,
            "email": f"{first}.{last}@{acc.domain}", "title": title, "buying_role": role,
            "phone": None, "updated_at": when, "source": SOURCE}


def plan_accounts(rng: random.Random, anchor: date, stories: list[Story]) -> list[AccountPlan]:
    """120 accounts: the four named ones, one per story, the rest generated; 2-5 contacts each."""
    names = _Names(rng, {p.name for p in PEOPLE})
    rep_ids = reps()
    fixed: list[tuple[str, str, str, list[tuple[str, str, str]]]] = []
    for na in NAMED_ACCOUNTS:
        fixed.append((na.name, na.sector, na.owner_id, [(na.contact.name, na.contact.title, na.contact.role)]))
    for st in stories:
        fixed.append((st.account, st.sector, st.owner_id, [(st.champion, st.champion_title, "champion")]))
    used = {f[0] for f in fixed}
    words = list(ACCOUNT_WORDS)
    rng.shuffle(words)
    generated: list[tuple[str, str, str, list]] = []
    sectors = sorted(SECTORS)
    i = 0
    while len(fixed) + len(generated) < N_ACCOUNTS:
        sector = sectors[i % len(sectors)] if i < 2 * len(sectors) else rng.choice(sectors)
        name = f"{words[i % len(words)]} {rng.choice(SECTORS[sector])}"
        i += 1
        if name in used:
            continue
        used.add(name)
        generated.append((name, sector, rep_ids[len(generated) % len(rep_ids)], []))
    plans = []
    when = datetime.combine(anchor - timedelta(days=3), datetime.min.time()).replace(hour=10)
    for name, sector, owner, given in fixed + generated:
        acc = AccountPlan(id=f"demo:account:{slug(name)}", name=name, domain=slug(name).replace("-", "") + ".com",
                          sector=sector, owner_id=owner, team_id=team_of(owner))
        for cname, title, role in given:
            acc.contacts.append(_contact(acc, len(acc.contacts) + 1, names.take(cname), title, role, when))
        n = rng.randint(2, 5)
        roles = list(ROLE_MIX)
        rng.shuffle(roles)
        if rng.random() < 0.35 and not given:  # some accounts have no champion at all
            roles.remove("champion")
            roles.append("user")
        for role in roles:
            if len(acc.contacts) >= n:
                break
            if any(c["buying_role"] == role for c in acc.contacts) and role != "user":
                continue
            acc.contacts.append(_contact(acc, len(acc.contacts) + 1, names.new(), rng.choice(TITLES[role]), role, when))
        while len(acc.contacts) < 2:
            acc.contacts.append(_contact(acc, len(acc.contacts) + 1, names.new(), rng.choice(TITLES["user"]),
                                         "user", when))
        plans.append(acc)
    for acc in plans:
        acc.declining = acc.name == "Alder Financial" or (
            acc.name not in used_names(fixed) and rng.random() < 0.14)
    return plans


def used_names(fixed: list) -> set[str]:
    return {f[0] for f in fixed}


def account_rows(rng: random.Random, plans: list[AccountPlan], anchor: date, customers: set[str]) -> list[dict]:
    rows = []
    for acc in plans:
        employees = int(rng.choice([250, 400, 800, 1500, 3000, 6000, 12000, 25000]) * rng.uniform(0.8, 1.25))
        revenue = round(employees * rng.uniform(0.12, 0.45), 1)
        created = anchor - timedelta(days=HISTORY_DAYS + 5 + rng.randint(0, 400))
        rows.append({
            "id": acc.id, "name": acc.name, "domain": acc.domain, "sector": acc.sector, "employees": employees,
            "revenue": revenue, "region": rng.choice(TEAM_REGIONS[acc.team_id]),
            "year_established": rng.randint(1952, 2016), "parent": None,
            "tier": "enterprise" if employees >= 5000 else ("mid-market" if employees >= 1000 else "commercial"),
            "is_customer": acc.id in customers, "owner_id": acc.owner_id, "team_id": acc.team_id,
            "description": f"{acc.name} is a {acc.sector} company with about {employees:,} employees.",
            "created_at": datetime.combine(created, datetime.min.time()).replace(hour=9),
            "updated_at": datetime.combine(anchor - timedelta(days=2), datetime.min.time()).replace(hour=16),
            "source": SOURCE,
        })
    return rows
