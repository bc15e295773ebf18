"""Approved-but-unexecuted actions get an executor path; retry --mark-failed reports success honestly."""

from __future__ import annotations

import json

import pytest
from actions_world import EMAIL, build_world, principal
from typer.testing import CliRunner

from integrations.cli.common import set_copilot
from integrations.cli.main import app

runner = CliRunner()


@pytest.fixture
def cp(copilot):
    build_world(copilot.services.crm)
    set_copilot(copilot)
    yield copilot
    set_copilot(None)


def test_approved_with_no_execute_runs_later_exactly_once(cp):
    a = cp.services.actions.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="t", account_id="acc1")
    approved = cp.services.actions.approve(a.id, principal("rep1"), shown_hash=a.payload_hash, execute=False)
    assert approved.state.value == "approved"
    r = runner.invoke(app, ["actions", "run", "--json"])
    assert r.exit_code == 0, r.output
    assert [x["state"] for x in json.loads(r.stdout)] == ["executed"]
    again = runner.invoke(app, ["actions", "run", "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout) == []
    one = runner.invoke(app, ["actions", "run", a.id])
    assert one.exit_code == 1 and "already executed" in one.output


def test_mark_failed_exits_zero(cp):
    from sqlalchemy import update

    from copilot.actions.models import ActionRow

    a = cp.services.actions.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="t", account_id="acc1")
    cp.services.actions.approve(a.id, principal("rep1"), shown_hash=a.payload_hash, execute=False)
    with cp.services.crm.session() as s:  # a worker claimed it and died
        s.execute(update(ActionRow).where(ActionRow.id == a.id).values(state="executing", claimed_by="w#dead"))
    r = runner.invoke(app, ["actions", "retry", a.id, "--mark-failed", "--as", "rep1"])
    assert r.exit_code == 0, r.output
    assert "failed" in r.output and "error:" not in r.output
