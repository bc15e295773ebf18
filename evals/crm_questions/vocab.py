"""What a CRM actually holds, for the generator: people, teams, products, competitors, accounts, and which
slots carry data at all (the Maven export has no activities, competitors, forecast categories or next steps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from evals.crm_gold import CrmData

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


@dataclass
class Person:
    id: str
    name: str
    role: str
    team_id: str | None
    team: str | None
    manager_id: str | None = None

    @property
    def first(self) -> str:
        return self.name.split()[0]


@dataclass
class Vocab:
    name: str  # demo | maven
    today: date
    people: list[Person]
    teams: dict[str, str]  # id -> name
    products: list[str]
    competitors: list[str]
    stages: list[str]  # open stages present
    forecast: list[str]
    deal_types: list[str]
    accounts: list[str]  # accounts with at least one deal
    amounts: set[float]
    features: set[str] = field(default_factory=set)  # activities, next_steps, pushes, forecast, competitors, ...
    unique_first: set[str] = field(default_factory=set)  # first names that name one person
    account_short: dict[str, str] = field(default_factory=dict)  # account -> unique first word
    account_people: dict[str, set[str]] = field(default_factory=dict)  # account -> owners and teams of its deals

    def role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]

    def reps_of(self, team_id: str | None) -> list[Person]:
        return [p for p in self.people if p.role == "rep" and p.team_id == team_id]

    def accounts_of(self, who: Person) -> list[str]:
        """Accounts the person works on (their deals, or their team's); everyone's for execs and admins."""
        if who.role in ("exec", "admin"):
            return self.accounts
        key = who.id if who.role == "rep" else who.team_id
        return [a for a in self.accounts if key in self.account_people.get(a, set())] or self.accounts

    def product_short(self, name: str) -> str:
        """'Acme Observe' -> 'Observe' when the company prefix is shared by every product."""
        heads = {p.split()[0] for p in self.products}
        return name.split(" ", 1)[1] if len(heads) == 1 and " " in name else name


def build_vocab(crm: CrmData, name: str, today: date) -> Vocab:
    users, deals = crm.users, crm.deals
    teams = dict(zip(crm.teams["id"], crm.teams["name"], strict=True))
    people = [Person(r.id, r.name, r.role, r.team_id, teams.get(r.team_id), r.manager_id)
              for r in users.itertuples() if r.active in (1, True, None) or pd.isna(r.active)]
    open_deals = deals[deals["status"] == "open"]
    firsts = pd.Series([p.first.lower() for p in people]).value_counts()
    accounts = sorted(set(deals["account_name"].dropna()))
    heads = pd.Series([a.split()[0].lower() for a in crm.accounts["name"]]).value_counts()
    feats = set()
    if len(crm.activities):
        feats.add("activities")
    if deals["has_next_step"].any():
        feats.add("next_steps")
    if open_deals["next_step_date"].notna().any():
        feats.add("next_step_dates")
    if (deals["pushes"] > 0).sum() >= 10:
        feats.add("pushes")
    if open_deals["close_date"].notna().mean() > 0.5:
        feats.add("open_close_dates")
    if open_deals["forecast_category"].notna().any():
        feats.add("forecast")
    if deals["competitor"].notna().any():
        feats.add("competitors")
    if deals["deal_type"].nunique() > 1:
        feats.add("deal_types")
    if len(crm.contacts):
        feats.add("contacts")
    return Vocab(
        name=name, today=today, people=people, teams=teams, products=sorted(set(deals["product_name"].dropna())),
        competitors=sorted(set(deals["competitor"].dropna())), stages=[s for s in (
            "prospecting", "qualification", "discovery", "demo", "proposal", "negotiation")
            if (open_deals["stage"] == s).any()],
        forecast=sorted(set(open_deals["forecast_category"].dropna())), deal_types=sorted(set(deals["deal_type"].dropna())),
        accounts=accounts, amounts=set(deals["amount"].dropna().round(2)), features=feats,
        unique_first={f for f, n in firsts.items() if n == 1},
        account_short={a: a.split()[0] for a in accounts if heads.get(a.split()[0].lower(), 0) == 1
                       and len(a.split()) > 1 and len(a.split()[0]) > 3},
        account_people={a: set(g["owner_id"].dropna()) | set(g["team_id"].dropna())
                        for a, g in deals.groupby("account_name")})
