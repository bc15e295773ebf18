"""Red team: a person can never write to a record outside their scope through the confirmation loop.

Attacks as found: a West rep edits his own pending action to name an East deal or account (API and
ledger), a payload changed in the database after approval, a tool proposal naming another team's deal.
"""

from __future__ import annotations

import pytest
from api_world import auth, build, client
from sqlalchemy import update

from copilot.actions.models import ActionRow
from copilot.core.errors import PermissionDenied
from knowledge.crm.models import Deal


@pytest.fixture
def world(copilot):
    app, keys = build(copilot)
    with client(app) as c:
        yield copilot, c, keys


def _pending(cp, owner: str, kind: str, payload: dict) -> dict:
    a = cp.services.actions.propose(kind, payload, owner_id=owner, rationale="r", tool="test")
    return {"id": a.id, "hash": a.payload_hash}


def _deal(cp, deal_id: str) -> tuple:
    with cp.services.crm.session() as s:
        d = s.get(Deal, deal_id)
        return d.amount, d.next_step


def test_editing_own_update_deal_to_name_another_teams_deal_is_refused(world):
    cp, c, keys = world
    before = _deal(cp, "D-1")  # Ann's (East) deal
    a = _pending(cp, "r-cara", "update_deal", {"deal_id": "D-3", "fields": {"next_step": "call"}})  # Cara: West
    r = c.post(f"/v1/actions/{a['id']}/edit", headers=auth(keys["r-cara"]),
               json={"payload_hash": a["hash"], "payload": {"deal_id": "D-1", "fields": {"amount": 1, "next_step": "x"}}})
    assert r.status_code == 403, r.text
    assert "D-1" in r.json()["error"]["message"] and "Acme" not in r.text
    assert _deal(cp, "D-1") == before
    assert c.get(f"/v1/actions/{a['id']}", headers=auth(keys["r-cara"])).json()["state"] == "proposed"


def test_editing_own_task_to_name_another_teams_account_is_refused(world):
    cp, c, keys = world
    a = _pending(cp, "r-cara", "create_task", {"title": "t", "due_on": "2026-12-01", "account_id": "A-2"})
    r = c.post(f"/v1/actions/{a['id']}/edit", headers=auth(keys["r-cara"]),
               json={"payload_hash": a["hash"], "payload": {"title": "t", "due_on": "2026-12-01", "account_id": "A-1"}})
    assert r.status_code == 403


def test_proposal_naming_another_teams_deal_is_refused_at_proposal(world):
    cp, _, _ = world
    with pytest.raises(PermissionDenied):
        cp.services.actions.propose("update_deal", {"deal_id": "D-1", "fields": {"amount": 1}}, owner_id="r-cara",
                           rationale="r", tool="test")


def test_payload_changed_in_the_database_after_approval_does_not_run(world):
    cp, c, keys = world
    before = _deal(cp, "D-1")
    a = _pending(cp, "r-cara", "update_deal", {"deal_id": "D-3", "fields": {"next_step": "call"}})
    r = c.post(f"/v1/actions/{a['id']}/approve", headers=auth(keys["r-cara"]),
               json={"payload_hash": a["hash"], "execute": False})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    with cp.services.crm.session() as s:  # an attacker with database access swaps the deal id
        s.execute(update(ActionRow).where(ActionRow.id == a["id"]).values(
            payload={"deal_id": "D-1", "fields": {"amount": 1}}))
    done = cp.services.actions.execute(a["id"])
    assert done.state.value == "failed" and "does not match the hash" in (done.error or "")
    assert _deal(cp, "D-1") == before


def test_tampered_payload_with_matching_hash_still_cannot_leave_scope(world):
    from copilot.actions.schemas import payload_hash

    cp, c, keys = world
    before = _deal(cp, "D-1")
    a = _pending(cp, "r-cara", "update_deal", {"deal_id": "D-3", "fields": {"next_step": "call"}})
    c.post(f"/v1/actions/{a['id']}/approve", headers=auth(keys["r-cara"]),
           json={"payload_hash": a["hash"], "execute": False})
    evil = {"deal_id": "D-1", "fields": {"amount": 1.0}}
    with cp.services.crm.session() as s:
        s.execute(update(ActionRow).where(ActionRow.id == a["id"]).values(payload=evil, payload_hash=payload_hash(evil)))
    done = cp.services.actions.execute(a["id"])
    assert done.state.value == "failed" and "cannot see" in (done.error or "")
    assert _deal(cp, "D-1") == before


def test_same_team_edit_still_works(world):
    cp, c, keys = world
    a = _pending(cp, "r-ann", "update_deal", {"deal_id": "D-1", "fields": {"next_step": "call"}})
    r = c.post(f"/v1/actions/{a['id']}/edit", headers=auth(keys["r-ann"]),
               json={"payload_hash": a["hash"], "payload": {"deal_id": "D-1", "fields": {"next_step": "demo"}}})
    assert r.status_code == 200 and r.json()["state"] == "executed"
    assert _deal(cp, "D-1")[1] == "demo"


def test_exec_pipeline_api_refuses_one_person_one_account_and_per_account_rows(world):
    cp, c, keys = world
    h = auth(keys["x-eve"])
    for params in ({"metric": "won_revenue", "rep": "Ann Lee"}, {"metric": "pipeline_value", "account": "Acme Robotics"},
                   {"metric": "won_revenue", "group_by": "account"}):
        r = c.post("/v1/pipeline", headers=h, json=params)
        assert r.status_code == 403, (params, r.text)
        assert "$" not in r.text and "45000" not in r.text


def test_verify_reports_a_payload_changed_in_the_database(world):
    cp, c, keys = world
    a = _pending(cp, "r-cara", "update_deal", {"deal_id": "D-3", "fields": {"next_step": "call"}})
    assert cp.services.actions.verify().ok
    with cp.services.crm.session() as s:
        s.execute(update(ActionRow).where(ActionRow.id == a["id"]).values(
            payload={"deal_id": "D-1", "fields": {"amount": 1}}))
    report = cp.services.actions.verify()
    assert not report.ok and any("does not match its hash" in p for p in report.problems)


def test_editing_own_activity_log_to_name_another_teams_account_is_refused(world):
    cp, c, keys = world
    a = _pending(cp, "r-cara", "log_activity", {"kind": "call", "subject": "Call", "body": "notes",
                                                "occurred_on": "2026-11-20", "account_id": "A-2"})
    r = c.post(f"/v1/actions/{a['id']}/edit", headers=auth(keys["r-cara"]),
               json={"payload_hash": a["hash"], "payload": {"kind": "call", "subject": "Call", "body": "x",
                                                            "occurred_on": "2026-11-20", "account_id": "A-1"}})
    assert r.status_code == 403
    with pytest.raises(PermissionDenied):
        cp.services.actions.propose("log_activity", {"kind": "note", "subject": "s", "occurred_on": "2026-11-20",
                                                     "account_id": "A-1"}, owner_id="r-cara", rationale="r", tool="t")
