"""Exactly once: 20 concurrent approve-and-execute calls send one email to a real SMTP server; a worker
killed between claim and send leaves the action visibly stuck, and it is never sent twice by itself."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from actions_world import EMAIL, build_world, principal
from aiosmtpd.controller import Controller
from conftest import make_settings
from typer.testing import CliRunner

from copilot.actions.schemas import State
from copilot.app import Copilot
from copilot.core.errors import CopilotError, UserError
from integrations.cli.common import set_copilot
from integrations.cli.main import app

REPO = Path(__file__).resolve().parents[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = _free_port()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    yield inbox, f"smtp://127.0.0.1:{port}"
    ctl.stop()


@pytest.fixture
def cp(tmp_path: Path, smtp):
    _, url = smtp
    copilot = Copilot(make_settings(tmp_path / "home", smtp_url=url))
    build_world(copilot.services.crm)
    set_copilot(copilot)
    yield copilot
    set_copilot(None)
    copilot.close()


def _wait_for(inbox: Inbox, n: int, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while len(inbox.messages) < n and time.monotonic() < end:
        time.sleep(0.02)


def test_twenty_threads_send_exactly_one_email(cp: Copilot, smtp) -> None:
    inbox, _ = smtp
    ledger = cp.services.actions
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="demo follow-up", tool="followup",
                       account_id="acc1")
    deciders = [principal(u) for u in ("rep1", "mgr1", "admin1", "rep1")] * 5
    barrier = threading.Barrier(len(deciders))
    approved, executed, refused = [], [], []

    def click(p) -> None:
        barrier.wait()
        try:
            ledger.approve(a.id, p, shown_hash=a.payload_hash, execute=False)
            approved.append(p.user_id)
        except CopilotError:
            refused.append("approve")
        try:
            if ledger.execute(a.id, worker=f"w-{threading.get_ident()}").state is State.EXECUTED:
                executed.append(p.user_id)
        except CopilotError:
            refused.append("execute")

    threads = [threading.Thread(target=click, args=(p,)) for p in deciders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    _wait_for(inbox, 1)
    time.sleep(0.2)
    assert len(approved) == 1 and len(executed) == 1
    assert len(refused) == 19 + 19
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg.rcpt_tos == ["dana.whitfield@brightwell.example"] and msg.mail_from == "rep1@skylarkdata.com"
    assert b"Subject: Technical demo next week" in msg.content
    final = ledger.get(a.id, principal("rep1"))
    assert final.state is State.EXECUTED and final.attempts == 1 and final.result["delivered"] == "smtp"
    assert ledger.verify().ok


CRASH = """
import os, sys
sys.path[:0] = [{repo!r}, {tests!r}]
from conftest import make_settings
from copilot.app import Copilot
from copilot.actions.ledger import ActionLedger

class DieBeforeSending:
    def run(self, action):
        os._exit(9)  # the worker dies after the claim committed, before anything is sent

cp = Copilot(make_settings({home!r}, smtp_url={url!r}))
s = cp.settings
ledger = ActionLedger(cp.services.crm, outbox_dir=s.outbox_dir, calendar_dir=s.resolved_home / "calendar",
                      smtp_url=s.smtp_url, executors={{"send_email": DieBeforeSending()}})
ledger.execute({action_id!r}, worker="crashing-worker")
print("unreachable")
"""


def test_crash_between_claim_and_send_is_stuck_not_resent(cp: Copilot, smtp) -> None:
    inbox, url = smtp
    ledger = cp.services.actions
    rep = principal("rep1")
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="followup", account_id="acc1")
    ledger.approve(a.id, rep, shown_hash=a.payload_hash, execute=False)
    script = CRASH.format(repo=str(REPO), tests=str(REPO / "tests"), home=str(cp.settings.home), url=url,
                          action_id=a.id)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 9, proc.stderr
    assert "unreachable" not in proc.stdout

    stuck = ledger.get(a.id, rep)
    assert stuck.state is State.EXECUTING and stuck.claimed_by.startswith("crashing-worker")
    assert [x.id for x in ledger.list(rep, stuck=True)] == [a.id]
    with pytest.raises(UserError, match="already executing"):
        ledger.execute(a.id, worker="second-worker")

    runner = CliRunner()
    out = runner.invoke(app, ["actions", "list", "--stuck", "--json", "--as", "rep1"])
    assert out.exit_code == 0, out.output
    listed = json.loads(out.stdout)
    assert [x["id"] for x in listed] == [a.id] and listed[0]["state"] == "executing"

    out = runner.invoke(app, ["actions", "retry", a.id, "--as", "rep1"])
    assert out.exit_code == 1 and "--force-resend" in out.stderr
    _wait_for(inbox, 1, timeout=0.5)
    assert inbox.messages == []

    out = runner.invoke(app, ["actions", "retry", a.id, "--force-resend", "--json", "--as", "mgr1"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["state"] == "executed"
    _wait_for(inbox, 1)
    assert len(inbox.messages) == 1

    with pytest.raises(UserError, match="already executed"):
        ledger.execute(a.id)
    out = runner.invoke(app, ["actions", "retry", a.id, "--force-resend", "--as", "rep1"])
    assert out.exit_code == 1
    time.sleep(0.2)
    assert len(inbox.messages) == 1
    history = [(e["from"], e["to"]) for e in ledger.history(a.id, rep)]
    assert history == [(None, "proposed"), ("proposed", "approved"), ("approved", "executing"),
                       ("executing", "approved"), ("approved", "executing"), ("executing", "executed")]
    assert ledger.verify().ok


def test_stuck_action_marked_failed_then_retried(cp: Copilot, smtp) -> None:
    inbox, _ = smtp
    ledger = cp.services.actions
    rep = principal("rep1")
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="followup", account_id="acc1")
    ledger.approve(a.id, rep, shown_hash=a.payload_hash, execute=False)
    assert ledger._transition(a.id, "approved", "executing", "ghost", extra={"claimed_by": "ghost"})
    failed = ledger.retry(a.id, rep, mark_failed=True, reason="checked the mail server: not sent")
    assert failed.state is State.FAILED and "not sent" in failed.error
    assert inbox.messages == []
    assert ledger.retry(a.id, rep).state is State.EXECUTED
    _wait_for(inbox, 1)
    assert len(inbox.messages) == 1


def test_smtp_down_fails_visibly_and_retry_sends(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens here
    copilot = Copilot(make_settings(tmp_path / "home", smtp_url=f"smtp://127.0.0.1:{port}"))
    build_world(copilot.services.crm)
    ledger = copilot.services.actions
    rep = principal("rep1")
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="followup", account_id="acc1")
    got = ledger.approve(a.id, rep, shown_hash=a.payload_hash)
    assert got.state is State.FAILED and "SMTP server 127.0.0.1" in got.error
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        assert ledger.retry(a.id, rep).state is State.EXECUTED
        _wait_for(inbox, 1)
        assert len(inbox.messages) == 1
    finally:
        ctl.stop()
        copilot.close()
    assert ledger.stats(principal("admin1"))["total"]["failures"] == 1
