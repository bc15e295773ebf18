"""The audit trail: every transition of an action is an append-only, hash-chained event.

``hash = sha256(prev_hash + canonical JSON of the event)`` over one global sequence. Appending first
updates the single ``action_chain_head`` row, which takes the write lock on SQLite and a row lock on
Postgres, so concurrent appenders serialize and the chain never forks. ``verify`` recomputes every hash
and reports edited rows (hash mismatch), deleted rows (sequence gap or broken link; a deleted newest
event shows against the head row) and actions whose state disagrees with their last event.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from copilot.actions.models import ActionEvent, ActionRow, ChainHead
from copilot.actions.schemas import canonical_json, payload_hash

GENESIS = "0" * 64


class VerifyReport(BaseModel):
    ok: bool
    events: int
    head_seq: int
    problems: list[str] = Field(default_factory=list)


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


def _fields(ev: ActionEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq, "action_id": ev.action_id, "actor": ev.actor, "at": ev.at.isoformat(),
        "from": ev.from_state, "to": ev.to_state, "payload_hash": ev.payload_hash,
        "diff": ev.diff, "note": ev.note,
    }


def ensure_head(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        if s.get(ChainHead, 1) is None:
            s.add(ChainHead(id=1, seq=0, hash=GENESIS))


def append_event(
    s: Session, *, action_id: str, actor: str, at: datetime, from_state: str | None, to_state: str,
    payload_hash: str, diff: list[dict[str, Any]] | None = None, note: str | None = None,
) -> ActionEvent:
    """Append one event inside the caller's transaction (committed together with the state change)."""
    s.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=ChainHead.seq + 1))
    head = s.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).one()
    ev = ActionEvent(seq=head.seq, action_id=action_id, actor=actor, at=at, from_state=from_state,
                     to_state=to_state, payload_hash=payload_hash, diff=diff or None, note=note,
                     prev_hash=head.hash, hash="")
    ev.hash = event_hash(head.hash, _fields(ev))
    s.add(ev)
    s.execute(update(ChainHead).where(ChainHead.id == 1).values(hash=ev.hash))
    return ev


def verify_chain(engine: Engine) -> VerifyReport:
    problems: list[str] = []
    with Session(engine) as s:
        head = s.get(ChainHead, 1)
        events = list(s.scalars(select(ActionEvent).order_by(ActionEvent.seq)))
        last_state: dict[str, str] = {}
        last_hash: dict[str, str] = {}
        prev_hash, expected = GENESIS, 1
        for ev in events:
            if ev.seq != expected:
                problems.append(f"events {expected}..{ev.seq - 1} are missing (deleted)")
            if ev.prev_hash != prev_hash:
                problems.append(f"event {ev.seq}: link to the previous event is broken")
            if event_hash(ev.prev_hash, _fields(ev)) != ev.hash:
                problems.append(f"event {ev.seq} ({ev.action_id}): contents do not match its hash (edited)")
            prev_hash, expected = ev.hash, ev.seq + 1
            last_state[ev.action_id] = ev.to_state
            last_hash[ev.action_id] = ev.payload_hash
        head_seq = head.seq if head else 0
        if head is None:
            problems.append("the chain head row is missing")
        elif head.seq != expected - 1 or head.hash != prev_hash:
            problems.append(f"the newest events up to {head.seq} are missing (deleted), "
                            f"chain ends at {expected - 1}")
        for row in s.scalars(select(ActionRow)):
            logged = last_state.get(row.id)
            if logged is None:
                problems.append(f"action {row.id} has no audit events")
            elif logged != row.state:
                problems.append(f"action {row.id} is {row.state} but its last event says {logged}")
            if payload_hash(row.payload) != row.payload_hash:
                problems.append(f"action {row.id}: its payload does not match its hash (changed outside the ledger)")
            elif logged is not None and last_hash.get(row.id) != row.payload_hash:
                problems.append(f"action {row.id}: its payload hash differs from the one its audit events record")
    return VerifyReport(ok=not problems, events=len(events), head_seq=head_seq, problems=problems)
