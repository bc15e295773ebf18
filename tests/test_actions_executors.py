"""Executors write where they should (CRM rows, outbox .eml, .ics); recipients are guarded; the CLI flow."""

from __future__ import annotations

import json
from datetime import date
from email import message_from_bytes
from pathlib import Path

import pytest
from actions_world import EMAIL, build_world, principal
from sqlalchemy import select
from typer.testing import CliRunner

from copilot.actions.schemas import State
from copilot.core.errors import PermissionDenied
from integrations.cli.common import set_copilot
from integrations.cli.main import app
from knowledge.crm.models import Activity, Call, Deal, StageChange

REP = principal("rep1")


@pytest.fixture
def cp(copilot):
    build_world(copilot.services.crm)
    set_copilot(copilot)
    yield copilot
    set_copilot(None)


def _run(cp, kind, payload, **kw):
    a = cp.services.actions.propose(kind, payload, owner_id="rep1", rationale="r", tool="t", **kw)
    return cp.services.actions.approve(a.id, REP, shown_hash=a.payload_hash)


def test_update_deal_writes_fields_and_stage_history(cp) -> None:
    done = _run(cp, "update_deal", {"deal_id": "d1", "fields": {"stage": "demo", "amount": 50000,
                                                                 "next_step": "technical demo"}})
    assert done.state is State.EXECUTED and done.account_id == "acc1"
    assert done.result["changed"]["stage"] == ["discovery", "demo"]
    with cp.services.crm.session() as s:
        deal = s.get(Deal, "d1")
        assert (deal.stage, deal.amount, deal.next_step) == ("demo", 50000.0, "technical demo")
        hist = list(s.scalars(select(StageChange).where(StageChange.deal_id == "d1")))
        assert [(h.from_stage, h.to_stage, h.amount, h.changed_by) for h in hist] == [("discovery", "demo", 50000.0, "rep1")]
    _run(cp, "update_deal", {"deal_id": "d1", "fields": {"next_step_date": "2026-03-09"}})
    with cp.services.crm.session() as s:
        assert s.get(Deal, "d1").next_step_date == date(2026, 3, 9)
        assert len(list(s.scalars(select(StageChange)))) == 1  # no stage/amount/close change, no history row


def test_task_call_summary_and_meeting(cp) -> None:
    t = _run(cp, "create_task", {"title": "Send security pack", "due_on": "2026-03-06", "deal_id": "d1"})
    n = _run(cp, "log_call_summary", {"call_id": "call1", "summary": "Security review needed; Vantage IQ in play."})
    m = _run(cp, "schedule_meeting", {"title": "Technical demo", "start": "2026-03-10T15:00:00",
                                      "duration_minutes": 45, "attendees": ["dana.whitfield@brightwell.example"],
                                      "description": "Observe demo, HIPAA questions"}, account_id="acc1")
    with cp.services.crm.session() as s:
        task = s.get(Activity, t.result["activity_id"])
        assert (task.kind, task.status, task.due_on, task.account_id, task.team_id) == \
            ("task", "open", date(2026, 3, 6), "acc1", "east")
        call = s.get(Call, "call1")
        assert call.summary["text"].startswith("Security review") and call.summary["objections"] == ["security"]
        note = s.get(Activity, n.result["activity_id"])
        assert note.kind == "note" and note.deal_id == "d1"
    ics = Path(m.result["path"]).read_text()
    assert Path(m.result["path"]).parent == cp.settings.resolved_home / "calendar"
    assert "DTSTART:20260310T150000" in ics and "DTEND:20260310T154500" in ics
    assert "ATTENDEE;RSVP=TRUE:mailto:dana.whitfield@brightwell.example" in ics
    assert "DESCRIPTION:Observe demo\\, HIPAA questions" in ics


def test_outbox_and_recipient_guard(cp) -> None:
    ledger = cp.services.actions
    ok = _run(cp, "send_email", {**EMAIL, "cc": ["rep2@skylarkdata.com", "pat@gmail.com"]}, account_id="acc1")
    msg = message_from_bytes(Path(ok.result["path"]).read_bytes())
    assert Path(ok.result["path"]).parent == cp.settings.outbox_dir
    assert msg["To"] == "dana.whitfield@brightwell.example" and msg["From"] == "rep1@skylarkdata.com"
    assert msg["X-Copilot-Action"] == ok.id

    a = ledger.propose("send_email", {**EMAIL, "to": ["someone@evil.example"]}, owner_id="rep1",
                       rationale="r", tool="t", account_id="acc1")
    with pytest.raises(PermissionDenied, match="someone@evil.example"):
        ledger.approve(a.id, REP, shown_hash=a.payload_hash)
    assert ledger.get(a.id, REP).state is State.PROPOSED
    done = ledger.approve(a.id, REP, shown_hash=a.payload_hash, confirm_recipients=["someone@evil.example"])
    assert done.state is State.EXECUTED and done.confirmed_recipients == ["someone@evil.example"]

    b = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="t", account_id="acc1")
    with pytest.raises(PermissionDenied, match="new@evil.example"):  # an edit cannot sneak a recipient in
        ledger.edit(b.id, REP, payload={**EMAIL, "to": ["new@evil.example"]}, shown_hash=b.payload_hash)
    assert ledger.get(b.id, REP).state is State.PROPOSED


def test_propose_writes_only_the_ledger(cp) -> None:
    from knowledge.crm.models import Base

    crm_tables = [m.local_table for m in Base.registry.mappers if m.class_.__module__ == "knowledge.crm.models"]

    def snapshot():
        with cp.services.crm.session() as s:
            return {t.name: s.execute(t.select()).all() for t in crm_tables}

    before = snapshot()
    for kind, payload in [("send_email", EMAIL), ("create_task", {"title": "x", "due_on": "2026-03-06"}),
                          ("update_deal", {"deal_id": "d1", "fields": {"stage": "demo"}})]:
        cp.services.actions.propose(kind, payload, owner_id="rep1", rationale="r", tool="t", deal_id="d1")
    assert snapshot() == before
    assert not cp.settings.outbox_dir.exists()


def test_cli_review_flow(cp) -> None:
    runner = CliRunner()
    ledger = cp.services.actions
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="demo next step", tool="followup",
                       account_id="acc1")
    b = ledger.propose("update_deal", {"deal_id": "d1", "fields": {"stage": "demo"}}, owner_id="rep1",
                       rationale="r", tool="crm")
    c = ledger.propose("create_task", {"title": "x", "due_on": "2026-03-06"}, owner_id="rep1", rationale="r", tool="t")

    out = runner.invoke(app, ["actions", "list", "--json", "--as", "Riley Rep"])
    assert out.exit_code == 0 and {x["id"] for x in json.loads(out.stdout)} == {a.id, b.id, c.id}
    assert json.loads(runner.invoke(app, ["actions", "list", "--json", "--as", "rep3"]).stdout) == []

    shown = json.loads(runner.invoke(app, ["actions", "show", a.id, "--json", "--as", "rep1"]).stdout)
    assert shown["payload_hash"] == a.payload_hash and shown["history"][0]["to"] == "proposed"

    out = runner.invoke(app, ["actions", "approve", a.id, "--hash", "0" * 64, "--as", "rep1"])
    assert out.exit_code == 1 and "changed since it was shown" in out.stderr

    out = runner.invoke(app, ["actions", "approve", a.id, "--as", "rep1"])
    assert out.exit_code == 0, out.output
    assert "Technical demo next week" in out.stdout and "executed" in out.stdout
    assert (cp.settings.outbox_dir / f"{a.id}.eml").exists()

    out = runner.invoke(app, ["actions", "edit", b.id, "--set", "fields.stage=proposal", "--set",
                              "fields.amount=52000", "--json", "--as", "mgr1"])
    assert out.exit_code == 0, out.output
    edited = json.loads(out.stdout)
    assert edited["state"] == "executed" and edited["decision"] == "edited"
    assert edited["payload"]["fields"] == {"stage": "proposal", "amount": 52000.0}
    with cp.services.crm.session() as s:
        assert s.get(Deal, "d1").stage == "proposal"

    out = runner.invoke(app, ["actions", "edit", c.id, "--set", "due_on=someday", "--as", "rep1"])
    assert out.exit_code == 1 and "due_on" in out.stderr
    out = runner.invoke(app, ["actions", "reject", c.id, "--reason", "already done", "--json", "--as", "rep1"])
    assert json.loads(out.stdout)["reason"] == "already done"
    out = runner.invoke(app, ["actions", "reject", c.id, "--as", "rep1"])
    assert out.exit_code == 1 and "already decided" in out.stderr
    out = runner.invoke(app, ["actions", "approve", a.id, "--as", "exec1"])
    assert out.exit_code == 1

    st = json.loads(runner.invoke(app, ["actions", "stats", "--json", "--as", "admin1"]).stdout)
    assert st["total"]["decided"] == 3 and st["total"]["adoption_rate"] == round(2 / 3, 4)
    assert st["by_kind"]["update_deal"]["edited"] == 1
    assert runner.invoke(app, ["actions", "stats", "--as", "mgr1"]).exit_code == 0
    everything = json.loads(runner.invoke(app, ["actions", "list", "--all", "--json", "--as", "admin1"]).stdout)
    assert sorted(x["state"] for x in everything) == ["executed", "executed", "rejected"]


def test_cli_edit_in_editor(cp, monkeypatch) -> None:
    a = cp.services.actions.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="t", account_id="acc1")
    monkeypatch.setenv("EDITOR", "sed -i s/Technical/Tech/")
    monkeypatch.setenv("VISUAL", "sed -i s/Technical/Tech/")
    out = CliRunner().invoke(app, ["actions", "edit", a.id, "--no-execute", "--json", "--as", "rep1"])
    assert out.exit_code == 0, out.output
    got = json.loads(out.stdout)
    assert got["state"] == "edited" and got["payload"]["subject"] == "Tech demo next week"
    assert got["edit_distance"] == 5
