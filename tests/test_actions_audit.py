"""The hash-chained audit trail detects edits and deletions; stats match a hand-computed history;
acceptance history calibrates the confidence shown on new proposals."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from actions_world import EMAIL, Clock, build_world, principal
from sqlalchemy import text
from typer.testing import CliRunner

from copilot.actions.ledger import ActionLedger
from copilot.actions.stats import calibrated
from copilot.app import Copilot
from copilot.schema import upgrade
from integrations.cli.common import set_copilot
from integrations.cli.main import app
from knowledge.crm.store import CrmStore

TASK = {"title": "Send HIPAA security pack", "due_on": "2026-03-06", "deal_id": "d1"}
TASK_WEST = {"title": "Send HIPAA security pack", "due_on": "2026-03-06"}  # rep3 (West) may not name East's d1


class Flaky:
    def __init__(self) -> None:
        self.fail = False

    def run(self, action):
        if self.fail:
            raise RuntimeError("task system down")
        return {"ok": True}


@pytest.fixture
def world(tmp_path: Path):
    crm = CrmStore(f"sqlite:///{tmp_path / 'crm.db'}")
    upgrade(crm.engine)
    build_world(crm)
    clock, flaky = Clock(), Flaky()
    ledger = ActionLedger(crm, outbox_dir=tmp_path / "outbox", calendar_dir=tmp_path / "cal", smtp_url=None,
                          clock=clock, executors={"create_task": flaky})
    yield ledger, clock, flaky
    crm.dispose()



def _sql(ledger: ActionLedger, stmt: str) -> None:
    with ledger.crm.engine.begin() as conn:
        conn.execute(text(stmt))


@pytest.mark.parametrize(("tamper", "needle"), [
    ("UPDATE action_events SET actor = 'mallory' WHERE seq = 2", "event 2 "),
    ("UPDATE action_events SET note = 'approved by the CEO' WHERE seq = 3", "event 3 "),
    ("DELETE FROM action_events WHERE seq = 3", "events 3..3 are missing"),
    ("DELETE FROM action_events WHERE seq = 4", "newest events up to 4 are missing"),
    ("UPDATE actions SET state = 'executed' WHERE state = 'rejected'", "but its last event says rejected"),
])
def test_verify_detects_tampering(world, tamper: str, needle: str) -> None:
    ledger, _, _ = world
    rep = principal("rep1")
    a = ledger.propose("create_task", TASK, owner_id="rep1", rationale="r", tool="t")   # seq 1
    b = ledger.propose("create_task", TASK, owner_id="rep1", rationale="r", tool="t")   # seq 2
    ledger.approve(a.id, rep, shown_hash=a.payload_hash, execute=False)                 # seq 3
    ledger.reject(b.id, rep, reason="dup")                                              # seq 4
    assert ledger.verify().ok and ledger.verify().events == 4
    _sql(ledger, tamper)
    report = ledger.verify()
    assert not report.ok
    assert any(needle in p for p in report.problems), report.problems


def test_cli_verify_reports_tampering(tmp_path: Path) -> None:
    from conftest import make_settings

    cp = Copilot(make_settings(tmp_path / "home"))
    build_world(cp.services.crm)
    set_copilot(cp)
    try:
        a = cp.services.actions.propose("create_task", TASK, owner_id="rep1", rationale="r", tool="t")
        cp.services.actions.reject(a.id, principal("rep1"))
        runner = CliRunner()
        ok = runner.invoke(app, ["actions", "verify", "--json"])
        assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
        _sql(cp.services.actions, "UPDATE action_events SET to_state = 'approved' WHERE seq = 2")
        bad = runner.invoke(app, ["actions", "verify"])
        assert bad.exit_code == 1 and "event 2" in bad.stderr
    finally:
        set_copilot(None)
        cp.close()


def test_stats_match_a_scripted_history(world) -> None:
    ledger, clock, flaky = world
    rep1, rep3 = principal("rep1"), principal("rep3")

    def prop(kind, payload, owner, **kw):
        return ledger.propose(kind, payload, owner_id=owner, rationale="r", tool=kw.pop("tool", "followup"),
                              account_id="acc1" if owner == "rep1" else "acc3", **kw)

    a1 = prop("send_email", EMAIL, "rep1")
    a2 = prop("send_email", EMAIL, "rep1")
    a3 = prop("send_email", EMAIL, "rep1")
    prop("send_email", EMAIL, "rep1", expires_in=timedelta(hours=1))  # a4: expires
    b1 = prop("create_task", TASK_WEST, "rep3", tool="crm")
    b2 = prop("create_task", TASK_WEST, "rep3", tool="crm")
    clock.advance(seconds=30)
    flaky.fail = True
    assert ledger.approve(b1.id, rep3, shown_hash=b1.payload_hash).state.value == "failed"   # 30 s
    flaky.fail = False
    assert ledger.retry(b1.id, rep3).state.value == "executed"
    clock.advance(seconds=30)
    ledger.approve(a1.id, rep1, shown_hash=a1.payload_hash)                                    # 60 s
    clock.advance(seconds=30)
    ledger.reject(b2.id, principal("mgr2"), reason="not needed")                               # 90 s
    clock.advance(seconds=30)
    ledger.edit(a2.id, rep1, payload={**EMAIL, "subject": "Technical demo next weeks"},        # 120 s, 1 char
                shown_hash=a2.payload_hash)
    clock.advance(seconds=180)
    ledger.reject(a3.id, principal("mgr1"), reason="too pushy")                                # 300 s
    clock.advance(hours=1)
    assert ledger.expire_due() == 1                                                            # a4

    s = ledger.stats(principal("admin1"))
    email, task = s["by_kind"]["send_email"], s["by_kind"]["create_task"]
    assert {k: email[k] for k in ("proposed", "approved", "edited", "rejected", "expired", "decided")} == \
        {"proposed": 4, "approved": 1, "edited": 1, "rejected": 1, "expired": 1, "decided": 3}
    assert email["adoption_rate"] == round(2 / 3, 4)
    assert email["mean_edit_distance"] == 0.5               # (0 + 1) / 2
    assert email["median_decision_seconds"] == 120.0 and email["mean_decision_seconds"] == 160.0
    assert email["executed"] == 2 and email["failures"] == 0
    assert task["adoption_rate"] == 0.5 and task["failures"] == 1 and task["executed"] == 1
    assert task["median_decision_seconds"] == 60.0
    total = s["total"]
    assert total["adoption_rate"] == 0.6 and total["decided"] == 5 and total["expired"] == 1
    assert total["median_decision_seconds"] == 90.0 and total["mean_edit_distance"] == round(1 / 3, 2)
    assert set(s["by_tool"]) == {"followup", "crm"} and s["by_tool"]["crm"]["proposed"] == 2
    assert s["by_rep"]["rep1"]["adoption_rate"] == round(2 / 3, 4) and s["by_rep"]["rep3"]["adoption_rate"] == 0.5
    assert s["by_team"]["east"]["proposed"] == 4 and s["by_team"]["west"]["proposed"] == 2
    assert list(s["by_week"]) == ["2026-W10"] and s["by_week"]["2026-W10"]["decided"] == 5

    # visibility: a manager sees their team, a rep their own, an exec aggregates with small groups hidden
    assert ledger.stats(principal("mgr1"))["total"]["proposed"] == 4
    assert ledger.stats(rep3)["total"]["proposed"] == 2
    from copilot.core.visibility import scope_for

    exec_view = ledger.stats(principal("exec1"), scope=scope_for(principal("exec1")))
    assert exec_view["total"]["proposed"] == 6
    assert "rep1" not in exec_view["by_rep"] and len(exec_view["by_rep"]) == 1   # rep3 (2 actions) suppressed

    # calibration: Beta prior around the tool's 0.8 with n0 = 4; rep1 accepted 2 of 3 emails
    new = prop("send_email", EMAIL, "rep1", confidence=0.8)
    assert new.tool_confidence == 0.8 and new.confidence == round((0.8 * 4 + 2) / (4 + 3), 4)
    assert prop("send_email", EMAIL, "rep3", confidence=0.8).confidence == 0.8   # no history: the tool's own
    assert calibrated(0.5, 0, 0) == 0.5 and calibrated(0.5, 10, 10) == pytest.approx(12 / 14)
