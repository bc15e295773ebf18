"""Every legal and illegal transition, permission to decide, payload binding and expiry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from actions_world import EMAIL, Clock, build_world, principal
from sqlalchemy import select, text

from copilot.actions.ledger import ActionLedger
from copilot.actions.models import ActionEvent
from copilot.actions.schemas import TRANSITIONS, State, payload_hash
from copilot.core.errors import CopilotError, NotFound, PermissionDenied, UserError
from copilot.schema import upgrade
from knowledge.crm.store import CrmStore

TASK = {"title": "Send HIPAA security pack", "due_on": "2026-03-06", "deal_id": "d1"}


class Toggle:
    """An executor that fails while ``fail`` is set."""

    def __init__(self) -> None:
        self.fail = False
        self.runs = 0

    def run(self, action):
        self.runs += 1
        if self.fail:
            raise RuntimeError("downstream unavailable")
        return {"ok": True}


@pytest.fixture
def world(tmp_path: Path):
    crm = CrmStore(f"sqlite:///{tmp_path / 'crm.db'}")
    upgrade(crm.engine)
    build_world(crm)
    clock, toggle = Clock(), Toggle()
    ledger = ActionLedger(crm, outbox_dir=tmp_path / "outbox", calendar_dir=tmp_path / "cal", smtp_url=None,
                          clock=clock, executors={"create_task": toggle})
    yield ledger, clock, toggle
    crm.dispose()


REP = principal("rep1")


def reach(ledger: ActionLedger, clock: Clock, toggle: Toggle, state: State) -> str:
    a = ledger.propose("create_task", TASK, owner_id="rep1", rationale="next step from the call", tool="followup",
                       expires_in=timedelta(hours=1))
    h = a.payload_hash
    if state is State.APPROVED:
        ledger.approve(a.id, REP, shown_hash=h, execute=False)
    elif state is State.EDITED:
        ledger.edit(a.id, REP, payload={**TASK, "title": "Send the security pack"}, shown_hash=h, execute=False)
    elif state is State.REJECTED:
        ledger.reject(a.id, REP, reason="not now")
    elif state is State.EXPIRED:
        clock.advance(hours=2)
        assert ledger.expire_due() == 1
    elif state is State.EXECUTING:  # a worker claimed it and died
        ledger.approve(a.id, REP, shown_hash=h, execute=False)
        assert ledger._transition(a.id, "approved", "executing", "dead-worker", extra={"claimed_by": "dead-worker"})
    elif state is State.EXECUTED:
        ledger.approve(a.id, REP, shown_hash=h)
    elif state is State.FAILED:
        toggle.fail = True
        assert ledger.approve(a.id, REP, shown_hash=h).state is State.FAILED
        toggle.fail = False
    assert ledger.get(a.id, REP).state is state
    return a.id


def _op(ledger: ActionLedger, clock: Clock, op: str, action_id: str) -> None:
    h = ledger.get(action_id, REP).payload_hash
    if op == "approve":
        ledger.approve(action_id, REP, shown_hash=h, execute=False)
    elif op == "edit":
        ledger.edit(action_id, REP, payload={**TASK, "title": "Changed"}, shown_hash=h, execute=False)
    elif op == "reject":
        ledger.reject(action_id, REP)
    elif op == "execute":
        ledger.execute(action_id)
    elif op == "retry":
        ledger.retry(action_id, REP)
    elif op == "retry_force":
        ledger.retry(action_id, REP, force_resend=True)
    elif op == "retry_mark_failed":
        ledger.retry(action_id, REP, mark_failed=True)
    elif op == "expire":
        clock.advance(hours=2)
        ledger.expire_due()


E = "error"
# from state -> {operation: resulting state, or E when refused (state unchanged)}
TABLE: dict[State, dict[str, str]] = {
    State.PROPOSED: {"approve": "approved", "edit": "edited", "reject": "rejected", "execute": E, "retry": E,
                     "retry_force": E, "retry_mark_failed": E, "expire": "expired"},
    State.APPROVED: {"approve": E, "edit": E, "reject": E, "execute": "executed", "retry": E, "retry_force": E,
                     "retry_mark_failed": E, "expire": "approved"},
    State.EDITED: {"approve": E, "edit": E, "reject": E, "execute": "executed", "retry": E, "retry_force": E,
                   "retry_mark_failed": E, "expire": "edited"},
    State.REJECTED: {"approve": E, "edit": E, "reject": E, "execute": E, "retry": E, "retry_force": E,
                     "retry_mark_failed": E, "expire": "rejected"},
    State.EXPIRED: {"approve": E, "edit": E, "reject": E, "execute": E, "retry": E, "retry_force": E,
                    "retry_mark_failed": E, "expire": "expired"},
    State.EXECUTING: {"approve": E, "edit": E, "reject": E, "execute": E, "retry": E, "retry_force": "executed",
                      "retry_mark_failed": "failed", "expire": "executing"},
    State.EXECUTED: {"approve": E, "edit": E, "reject": E, "execute": E, "retry": E, "retry_force": E,
                     "retry_mark_failed": E, "expire": "executed"},
    State.FAILED: {"approve": E, "edit": E, "reject": E, "execute": E, "retry": "executed", "retry_force": "executed",
                   "retry_mark_failed": E, "expire": "failed"},
}
CASES = [(s, op, want) for s, ops in TABLE.items() for op, want in ops.items()]


@pytest.mark.parametrize(("start", "op", "want"), CASES, ids=[f"{s.value}-{op}" for s, op, _ in CASES])
def test_transition_table(world, start: State, op: str, want: str) -> None:
    ledger, clock, toggle = world
    action_id = reach(ledger, clock, toggle, start)
    runs_before = toggle.runs
    if want == E:
        with pytest.raises(UserError):
            _op(ledger, clock, op, action_id)
        assert ledger.get(action_id, REP).state is start
        assert toggle.runs == runs_before  # a refused operation never executes anything
    else:
        _op(ledger, clock, op, action_id)
        assert ledger.get(action_id, REP).state.value == want
    # every recorded event is a legal transition, and the chain verifies
    with ledger._session() as s:
        events = list(s.scalars(select(ActionEvent).where(ActionEvent.action_id == action_id)))
    assert events[0].from_state is None and events[0].to_state == "proposed"
    for ev in events[1:]:
        assert (State(ev.from_state), State(ev.to_state)) in TRANSITIONS
    assert ledger.verify().ok


DECIDERS = {"rep1": True, "mgr1": True, "admin1": True, "rep2": False, "rep3": False, "mgr2": False,
            "exec1": False}


@pytest.mark.parametrize(("who", "allowed"), DECIDERS.items())
def test_permission_to_decide(world, who: str, allowed: bool) -> None:
    ledger, _, _ = world
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="follow up", tool="followup",
                       account_id="acc1")
    p = principal(who)
    if allowed:
        assert ledger.approve(a.id, p, shown_hash=a.payload_hash, execute=False).decided_by == who
        assert [x.id for x in ledger.list(p, [State.APPROVED])] == [a.id]
    else:
        for decide in (lambda: ledger.approve(a.id, p, shown_hash=a.payload_hash),
                       lambda: ledger.reject(a.id, p, reason="no"),
                       lambda: ledger.edit(a.id, p, payload=EMAIL, shown_hash=a.payload_hash)):
            with pytest.raises((NotFound, PermissionDenied)):
                decide()
        assert ledger.list(p) == []  # not even visible
        assert ledger.get(a.id, REP).state is State.PROPOSED


def test_approval_binds_to_the_payload_shown(world) -> None:
    ledger, _, _ = world
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="followup", account_id="acc1")
    assert a.payload_hash == payload_hash(a.payload)
    with pytest.raises(UserError, match="changed since it was shown"):
        ledger.approve(a.id, REP, shown_hash=payload_hash({**a.payload, "subject": "other"}))
    # the stored draft changes behind the reviewer's back (e.g. re-drafted): the old hash no longer approves
    changed = {**a.payload, "body": "Different text"}
    with ledger._session() as s, s.begin():
        s.execute(text("UPDATE actions SET payload = :p, payload_hash = :h WHERE id = :i"),
                  {"p": __import__("json").dumps(changed), "h": payload_hash(changed), "i": a.id})
    with pytest.raises(UserError, match="changed since it was shown"):
        ledger.approve(a.id, REP, shown_hash=a.payload_hash)
    assert ledger.get(a.id, REP).state is State.PROPOSED
    assert ledger.approve(a.id, REP, shown_hash=payload_hash(changed)).state is State.EXECUTED


def test_expired_action_cannot_be_decided(world) -> None:
    ledger, clock, _ = world
    a = ledger.propose("send_email", EMAIL, owner_id="rep1", rationale="r", tool="followup", account_id="acc1",
                       expires_in=timedelta(hours=4))
    assert a.expires_at == clock.at + timedelta(hours=4)
    clock.advance(hours=5)
    with pytest.raises(UserError, match="expired"):
        ledger.approve(a.id, REP, shown_hash=a.payload_hash)
    got = ledger.get(a.id, REP)
    assert got.state is State.EXPIRED and got.decided_by == "system"
    with pytest.raises(UserError, match="already decided"):
        ledger.reject(a.id, REP)


def test_deciding_twice_is_refused(world) -> None:
    ledger, _, _ = world
    a = ledger.propose("create_task", TASK, owner_id="rep1", rationale="r", tool="t")
    ledger.reject(a.id, principal("mgr1"), reason="duplicate")
    with pytest.raises(UserError, match="already decided: it is rejected"):
        ledger.approve(a.id, REP, shown_hash=a.payload_hash)


@pytest.mark.parametrize(("kind", "payload", "needle"), [
    ("send_email", {**EMAIL, "to": []}, "to"),
    ("send_email", {**EMAIL, "to": ["not-an-address"]}, "not an email address"),
    ("update_deal", {"deal_id": "d1", "fields": {}}, "at least one"),
    ("update_deal", {"deal_id": "d1", "fields": {"stage": "won-ish"}}, "stage"),
    ("create_task", {"title": "x", "due_on": "next tuesday"}, "due_on"),
    ("schedule_meeting", {"title": "x", "start": "2026-03-03T10:00", "duration_minutes": 1}, "duration_minutes"),
    ("send_fax", {}, "unknown action kind"),
    ("create_task", {**TASK, "surprise": 1}, "surprise"),
])
def test_bad_payloads_are_clear_errors(world, kind: str, payload: dict, needle: str) -> None:
    ledger, _, _ = world
    with pytest.raises(UserError, match=needle) as info:
        ledger.propose(kind, payload, owner_id="rep1", rationale="r", tool="t")
    assert isinstance(info.value, CopilotError)
    assert ledger.list(principal("admin1"), list(State)) == []  # nothing stored
