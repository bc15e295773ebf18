"""A manager sees their reporting tree: not another manager's reps in the same office (the Maven import
makes each regional office one team), but the reports of managers under them, and the team's shared docs."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.crm.models import Deal, Team, User


@pytest.fixture
def office(copilot):
    with copilot.services.crm.session() as s:
        s.add(Team(id="central", name="Central"))
        s.flush()
        s.add_all([
            User(id="vp", name="Vera Head", role="manager", team_id="central"),
            User(id="m1", name="Mia One", role="manager", team_id="central", manager_id="vp"),
            User(id="m2", name="Max Two", role="manager", team_id="central"),
            User(id="r1", name="Rob Ray", role="rep", team_id="central", manager_id="m1"),
            User(id="r2", name="Rae Roe", role="rep", team_id="central", manager_id="m2"),
        ])
        s.flush()
        for i, owner in enumerate(["r1", "r1", "r2"]):
            s.add(Deal(id=f"D{i}", name=f"Deal {i}", owner_id=owner, team_id="central", stage="proposal",
                       amount=1000.0 * (i + 1), close_date=date(2026, 12, 1)))
    return copilot


def test_manager_sees_own_reports_only(office):
    ids = {r["id"] for r in office.ask(office.principal("m1"), "list open deals").data["crm"]["records"]}
    assert ids == {"D0", "D1"}
    ids = {r["id"] for r in office.ask(office.principal("m2"), "list open deals").data["crm"]["records"]}
    assert ids == {"D2"}


def test_manager_above_managers_sees_the_whole_tree(office):
    ids = {r["id"] for r in office.ask(office.principal("vp"), "list open deals").data["crm"]["records"]}
    assert ids == {"D0", "D1"}  # Mia's reps (through Mia), not Max's


def test_another_managers_rep_is_refused_by_name(office):
    a = office.ask(office.principal("m1"), "what is Rae Roe's open pipeline?")
    assert "refused: outside your scope" in a.notes and "3,000" not in a.text
