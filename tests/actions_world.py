"""A tiny CRM world for the action-ledger tests (the demo company is built elsewhere)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from copilot.core.domain import Principal, Role
from knowledge.crm.models import Account, Call, Contact, Deal, Team, User
from knowledge.crm.store import CrmStore

T0 = datetime(2026, 3, 2, 9, 0, 0)

USERS = [
    # id, name, role, team, manager
    ("rep1", "Riley Rep", "rep", "east", "mgr1"),
    ("rep2", "Sam Rep", "rep", "east", "mgr1"),
    ("rep3", "Jo West", "rep", "west", "mgr2"),
    ("mgr1", "Morgan East", "manager", "east", None),
    ("mgr2", "Alex West", "manager", "west", None),
    ("exec1", "Erin Exec", "exec", None, None),
    ("admin1", "Ada Admin", "admin", None, None),
]


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


def build_world(crm: CrmStore) -> None:
    with crm.session() as s:
        s.add_all([Team(id="east", name="East", manager_id="mgr1"), Team(id="west", name="West", manager_id="mgr2")])
        s.flush()
        for uid, name, role, team, mgr in USERS:
            s.add(User(id=uid, name=name, email=f"{uid}@skylarkdata.com", role=role, team_id=team, manager_id=mgr))
        s.flush()
        s.add(Account(id="acc1", name="Brightwell Health", domain="brightwell.example", owner_id="rep1",
                      team_id="east"))
        s.add(Account(id="acc3", name="Nimbus Retail", domain="nimbus.example", owner_id="rep3", team_id="west"))
        s.flush()
        s.add(Contact(id="c1", account_id="acc1", name="Dana Whitfield", email="dana.whitfield@brightwell.example"))
        s.add(Contact(id="c2", account_id="acc1", name="Pat Outside", email="pat@gmail.com"))
        s.add(Deal(id="d1", name="Brightwell Health - Observe", account_id="acc1", owner_id="rep1", team_id="east",
                   stage="discovery", amount=45000.0, close_date=date(2026, 6, 30)))
        s.flush()
        s.add(Call(id="call1", title="Brightwell discovery", account_id="acc1", deal_id="d1", owner_id="rep1",
                   team_id="east", occurred_at=T0 - timedelta(days=1), summary={"objections": ["security"]}))


def principal(uid: str) -> Principal:
    for u, name, role, team, _ in USERS:
        if u == uid:
            return Principal(user_id=u, name=name, email=f"{u}@skylarkdata.com", role=Role(role), team_id=team)
    raise KeyError(uid)


EMAIL = {"to": ["dana.whitfield@brightwell.example"], "cc": [], "subject": "Technical demo next week",
         "body": "Hi Dana,\n\nAs discussed, here are times for the technical demo.\n"}
