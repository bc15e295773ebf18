"""A small hand-made CRM for tests of tools, the agent and the offline engine (two teams, three reps)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from knowledge.crm.models import Account, Activity, Contact, Deal, StageChange, Team, User

TODAY = date(2026, 11, 20)


def seed_small_crm(store) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 11, 20, 9, 0)
    with store.session() as s:
        s.add_all([Team(id="east", name="East"), Team(id="west", name="West")])
        s.flush()
        s.add_all([
            User(id="m-east", name="Maria East", email="maria@skylarkdata.com", role="manager", team_id="east"),
            User(id="m-west", name="Walter West", email="walter@skylarkdata.com", role="manager", team_id="west"),
            User(id="r-ann", name="Ann Lee", email="ann@skylarkdata.com", role="rep", team_id="east", manager_id="m-east"),
            User(id="r-bob", name="Bob Stone", email="bob@skylarkdata.com", role="rep", team_id="east", manager_id="m-east"),
            User(id="r-cara", name="Cara Diaz", email="cara@skylarkdata.com", role="rep", team_id="west", manager_id="m-west"),
            User(id="x-eve", name="Eve Exec", email="eve@skylarkdata.com", role="exec"),
            User(id="admin", name="Admin", role="admin"),
        ])
        s.flush()
        s.add_all([
            Account(id="A-1", name="Acme Robotics", domain="acmerobotics.com", sector="manufacturing", employees=800,
                    owner_id="r-ann", team_id="east", updated_at=now),
            Account(id="A-2", name="Globex Shipping", domain="globex.com", sector="logistics", employees=5000,
                    owner_id="r-cara", team_id="west", updated_at=now),
            Account(id="A-3", name="Initech Foods", domain="initech.com", sector="food", employees=300,
                    owner_id="r-bob", team_id="east", updated_at=now),
        ])
        s.flush()
        s.add_all([
            Contact(id="C-1", account_id="A-1", name="Dana Park", email="dana@acmerobotics.com", title="VP Operations",
                    buying_role="champion"),
            Contact(id="C-2", account_id="A-1", name="Raj Patel", email="raj@acmerobotics.com", title="CFO",
                    buying_role="economic_buyer"),
            Contact(id="C-3", account_id="A-2", name="Gina Globex", email="gina@globex.com", title="CTO",
                    buying_role="champion"),
        ])
        s.flush()
        s.add_all([
            Deal(id="D-1", name="Acme Robotics - Observe", account_id="A-1", owner_id="r-ann", team_id="east",
                 stage="proposal", amount=45000, close_date=TODAY + timedelta(days=5), created_on=TODAY - timedelta(days=60),
                 next_step="Send revised proposal", competitor="Vantage IQ", updated_at=now),
            Deal(id="D-2", name="Acme Robotics - Pipelines", account_id="A-1", owner_id="r-ann", team_id="east",
                 stage="closed_won", amount=30000, close_date=date(2026, 3, 1), closed_on=date(2026, 3, 1), updated_at=now),
            Deal(id="D-3", name="Globex Shipping - Enterprise Suite", account_id="A-2", owner_id="r-cara", team_id="west",
                 stage="negotiation", amount=120000, close_date=TODAY + timedelta(days=3), updated_at=now),
            Deal(id="D-4", name="Initech Foods - Govern", account_id="A-3", owner_id="r-bob", team_id="east",
                 stage="demo", amount=60000, close_date=TODAY + timedelta(days=40), updated_at=now),
        ])
        s.flush()
        s.add_all([
            StageChange(deal_id="D-1", changed_on=TODAY - timedelta(days=60), to_stage="discovery",
                        close_date=TODAY - timedelta(days=10)),
            StageChange(deal_id="D-1", changed_on=TODAY - timedelta(days=20), from_stage="discovery", to_stage="proposal",
                        close_date=TODAY + timedelta(days=5)),
            Activity(id="E-1", kind="email", account_id="A-1", deal_id="D-1", contact_id="C-1", owner_id="r-ann",
                     team_id="east", occurred_at=now - timedelta(days=1), subject="Security questionnaire",
                     body="Dana asked for the SOC 2 report before the proposal review.", direction="inbound"),
            Activity(id="M-1", kind="meeting", account_id="A-2", deal_id="D-3", owner_id="r-cara", team_id="west",
                     occurred_at=now - timedelta(days=2), subject="Pricing negotiation",
                     body="Globex secret: they will sign for 110k if we include training."),
        ])
