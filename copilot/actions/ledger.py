"""The action ledger: tools propose, people decide, a worker executes exactly once, everything is audited.

States (``schemas.TRANSITIONS`` is the full table): proposed -> approved | edited | rejected | expired,
then approved/edited -> executing -> executed | failed.

Exactly once: ``execute`` claims the row with ``UPDATE actions SET state='executing' ... WHERE id=? AND
state=<the runnable state it read>`` and commits (with its audit event) before the executor runs; only
the caller whose update hit one row runs it. A crash after the claim leaves the action ``executing``
(``list(stuck=True)``); nothing re-runs it by itself. A person then either:

- ``retry(id, p, force_resend=True)``: executing -> approved -> executing again (may send twice if the
  first attempt got out before the crash; the person checked), or
- ``retry(id, p, mark_failed=True)``: executing -> failed without sending; a later ``retry`` of the
  failed action sends it.

Decisions are compare-and-set too: ``WHERE state='proposed' AND payload_hash=<hash shown to the person>
AND not expired``, so deciding twice, deciding after expiry or approving a payload that changed since it
was shown is refused, never half-applied. ``propose`` writes only the ledger tables.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from rapidfuzz.distance import Levenshtein
from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from copilot.actions import audit, stats
from copilot.actions.access import may_act, visible_filter
from copilot.actions.authorize import principal_of, referenced, require_visible
from copilot.actions.executors import Executor, default_executors, unknown_recipients
from copilot.actions.models import ActionEvent, ActionRow
from copilot.actions.schemas import (
    RUNNABLE,
    Action,
    State,
    canonical_json,
    payload_diff,
    payload_hash,
    validate_payload,
)
from copilot.core.domain import Citation, Principal, Role
from copilot.core.errors import CopilotError, NotFound, PermissionDenied, UserError
from copilot.core.visibility import MIN_GROUP_SIZE, Scope
from knowledge.crm.models import Deal, User
from knowledge.crm.people import to_principal
from knowledge.crm.store import CrmStore

_NO_SYNC = {"synchronize_session": False}


def _hits(result: Any) -> int:
    """Rows matched by a conditional UPDATE: 1 means this caller won the compare-and-set."""
    return int(cast(CursorResult[Any], result).rowcount)


def _naive(at: datetime) -> datetime:
    return at.astimezone().replace(tzinfo=None) if at.tzinfo else at


def to_action(row: ActionRow) -> Action:
    data = {c.key: getattr(row, c.key) for c in ActionRow.__table__.columns}
    data["confirmed_recipients"] = data.get("confirmed_recipients") or []
    data["citations"] = data.get("citations") or []
    return Action.model_validate(data)


class ActionLedger:
    """Tables are created with ``metadata.create_all`` here (idempotent; see ``models``)."""

    def __init__(self, crm: CrmStore, *, outbox_dir: Path, calendar_dir: Path, smtp_url: str | None,
                 clock: Callable[[], datetime] = datetime.now, executors: dict[str, Executor] | None = None,
                 internal_domains: Iterable[str] = (), default_ttl: timedelta | None = timedelta(days=14)) -> None:
        self.crm = crm
        self.clock = clock
        self.internal_domains = tuple(internal_domains)
        self.default_ttl = default_ttl
        self.executors: dict[str, Executor] = default_executors(
            crm, outbox_dir=outbox_dir, calendar_dir=calendar_dir, smtp_url=smtp_url, clock=clock,
            internal_domains=self.internal_domains)
        self.executors.update(executors or {})
        audit.ensure_head(crm.engine)

    def _now(self) -> datetime:
        return _naive(self.clock())

    def _session(self) -> Session:
        return Session(self.crm.engine, expire_on_commit=False)

    # ---- proposing -------------------------------------------------------------------------------
    def propose(self, kind: str, payload: dict[str, Any], *, owner_id: str, rationale: str, tool: str,
                citations: Sequence[Citation] = (), confidence: float = 0.5, account_id: str | None = None,
                deal_id: str | None = None, call_id: str | None = None,
                expires_in: timedelta | None = None) -> Action:
        """Store a proposal (state ``proposed``); the only write is to the ledger tables."""
        clean = validate_payload(kind, payload)
        if not 0.0 <= confidence <= 1.0:
            raise UserError(f"confidence must be between 0 and 1, got {confidence}")
        deal_id = deal_id or clean.get("deal_id")
        account_id = account_id or clean.get("account_id")
        call_id = call_id or clean.get("call_id")
        now = self._now()
        with self.crm.session() as s:
            owner = s.get(User, owner_id)
            if owner is None:
                raise NotFound(f"no user {owner_id!r} to own this action", hint="pass an existing user id")
            if deal_id and account_id is None:
                deal = s.get(Deal, deal_id)
                account_id = deal.account_id if deal else None
            team_id = owner.team_id
            owner_p = to_principal(owner)
        require_visible(self.crm, referenced(clean, ("deal_id", deal_id), ("account_id", account_id),
                                             ("call_id", call_id)), [owner_p])
        ttl = expires_in if expires_in is not None else self.default_ttl
        with self._session() as s, s.begin():
            accepted, decided = self._history(s, kind, owner_id)
            h = payload_hash(clean)
            row = ActionRow(
                id="A-" + uuid.uuid4().hex[:12], kind=kind, state=State.PROPOSED.value, payload=clean,
                payload_hash=h, proposed_payload=clean, rationale=rationale,
                citations=[c.model_dump(mode="json") for c in citations],
                confidence=round(stats.calibrated(confidence, accepted, decided), 4), tool_confidence=confidence,
                tool=tool, owner_id=owner_id, team_id=team_id, account_id=account_id, deal_id=deal_id,
                call_id=call_id, created_at=now, expires_at=now + ttl if ttl else None, confirmed_recipients=[],
                attempts=0)
            s.add(row)
            s.flush()
            audit.append_event(s, action_id=row.id, actor=f"tool:{tool}", at=now, from_state=None,
                               to_state=State.PROPOSED.value, payload_hash=h)
        return to_action(row)

    def _history(self, s: Session, kind: str, owner_id: str) -> tuple[int, int]:
        rows = s.execute(select(ActionRow.decision, func.count()).where(
            ActionRow.kind == kind, ActionRow.owner_id == owner_id,
            ActionRow.decision.in_(["approved", "edited", "rejected"])).group_by(ActionRow.decision)).all()
        counts = dict(rows)  # type: ignore[arg-type]
        accepted = counts.get("approved", 0) + counts.get("edited", 0)
        return accepted, accepted + counts.get("rejected", 0)

    # ---- reading ---------------------------------------------------------------------------------
    def _row(self, s: Session, action_id: str, principal: Principal | None) -> ActionRow:
        row = s.get(ActionRow, action_id)
        if row is None or (principal is not None and not may_act(self.crm, principal, row.owner_id, row.team_id)):
            raise NotFound(f"no action {action_id!r} visible to you", hint="'copilot actions list --all' shows yours")
        return row

    def get(self, action_id: str, principal: Principal) -> Action:
        with self._session() as s:
            return to_action(self._row(s, action_id, principal))

    def history(self, action_id: str, principal: Principal) -> list[dict[str, Any]]:
        with self._session() as s:
            self._row(s, action_id, principal)
            events = s.scalars(select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.seq))
            return [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "from": e.from_state, "to": e.to_state,
                     "payload_hash": e.payload_hash, "diff": e.diff, "note": e.note} for e in events]

    def list(self, principal: Principal, states: Iterable[State | str] | None = None, *, stuck: bool = False,
             limit: int = 500) -> list[Action]:
        """Pending (``proposed``) by default; ``stuck`` lists actions left ``executing``."""
        self.expire_due()
        wanted = [State.EXECUTING.value] if stuck else [State(x).value for x in (states or [State.PROPOSED])]
        with self._session() as s:
            q = (select(ActionRow).where(visible_filter(self.crm, principal), ActionRow.state.in_(wanted))
                 .order_by(ActionRow.created_at.desc()).limit(limit))
            return [to_action(r) for r in s.scalars(q)]

    # ---- deciding --------------------------------------------------------------------------------
    def approve(self, action_id: str, principal: Principal, *, shown_hash: str,
                confirm_recipients: Iterable[str] = (), execute: bool = True) -> Action:
        self._decide(action_id, principal, State.APPROVED, shown_hash=shown_hash, confirm=confirm_recipients)
        return self.execute(action_id, worker=f"user:{principal.user_id}") if execute else self.get(action_id, principal)

    def edit(self, action_id: str, principal: Principal, *, payload: dict[str, Any], shown_hash: str,
             confirm_recipients: Iterable[str] = (), execute: bool = True) -> Action:
        """Replace the payload with the person's version and approve it (recorded as ``edited``; an edit
        that changes nothing is recorded as ``approved``)."""
        self._decide(action_id, principal, State.EDITED, shown_hash=shown_hash, confirm=confirm_recipients,
                     new_payload=payload)
        return self.execute(action_id, worker=f"user:{principal.user_id}") if execute else self.get(action_id, principal)

    def reject(self, action_id: str, principal: Principal, *, reason: str = "") -> Action:
        self._decide(action_id, principal, State.REJECTED, shown_hash=None, reason=reason or None)
        return self.get(action_id, principal)

    def _decide(self, action_id: str, principal: Principal, to: State, *, shown_hash: str | None,
                confirm: Iterable[str] = (), new_payload: dict[str, Any] | None = None,
                reason: str | None = None) -> None:
        now = self._now()
        with self._session() as s:
            row = self._row(s, action_id, principal)
        if not may_act(self.crm, principal, row.owner_id, row.team_id):
            raise PermissionDenied(f"{principal.label} may not decide action {action_id}")
        if row.state != State.PROPOSED.value:
            raise UserError(f"action {action_id} was already decided: it is {row.state}"
                            + (f" (by {row.decided_by} at {row.decided_at:%Y-%m-%d %H:%M})" if row.decided_at else ""))
        if row.expires_at is not None and row.expires_at <= now:
            self.expire_due()
            raise UserError(f"action {action_id} expired at {row.expires_at:%Y-%m-%d %H:%M} without a decision",
                            hint="ask the copilot for a fresh proposal")
        if shown_hash is not None and shown_hash != row.payload_hash:
            raise UserError(f"action {action_id} changed since it was shown to you (payload hash differs)",
                            hint="show it again and decide on the current version")
        values: dict[str, Any] = {"state": to.value, "decision": to.value, "decided_by": principal.user_id,
                                  "decided_at": now, "reason": reason, "edit_distance": 0}
        diff = None
        final = row.payload
        if new_payload is not None:
            final = validate_payload(row.kind, new_payload)
            diff = payload_diff(row.payload, final)
            if not diff:
                values["state"] = values["decision"] = State.APPROVED.value
            values.update(payload=final, payload_hash=payload_hash(final), edit_distance=Levenshtein.distance(
                canonical_json(row.proposed_payload), canonical_json(final)))
        if to is State.REJECTED:
            values["edit_distance"] = None
        else:
            require_visible(self.crm, referenced(final, ("deal_id", row.deal_id), ("account_id", row.account_id),
                                                 ("call_id", row.call_id)),
                            [principal, principal_of(self.crm, row.owner_id)])
            confirmed = sorted({a.strip().lower() for a in confirm if a.strip()})
            probe = to_action(row).model_copy(update={"payload": final})
            unknown = sorted(set(unknown_recipients(self.crm, probe, self.internal_domains)) - set(confirmed))
            if unknown:
                raise PermissionDenied(
                    f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a known contact of the account "
                    "or on a company domain", hint="check the address, then confirm it explicitly with "
                    + " ".join(f"--confirm-recipient {a}" for a in unknown))
            values["confirmed_recipients"] = confirmed
        with self._session() as s, s.begin():
            hit = _hits(s.execute(update(ActionRow).where(
                ActionRow.id == action_id, ActionRow.state == State.PROPOSED.value,
                ActionRow.payload_hash == row.payload_hash,
                or_(ActionRow.expires_at.is_(None), ActionRow.expires_at > now)).values(**values),
                execution_options=_NO_SYNC))
            if hit != 1:
                raise UserError(f"action {action_id} was decided by someone else a moment ago",
                                hint=f"'copilot actions show {action_id}' shows what happened")
            audit.append_event(s, action_id=action_id, actor=principal.user_id, at=now,
                               from_state=State.PROPOSED.value, to_state=values["state"],
                               payload_hash=values.get("payload_hash", row.payload_hash), diff=diff, note=reason)

    def expire_due(self) -> int:
        """Move proposals past their expiry to ``expired`` (one event each). Returns how many."""
        now = self._now()
        with self._session() as s:
            due = list(s.scalars(select(ActionRow.id).where(
                ActionRow.state == State.PROPOSED.value, ActionRow.expires_at <= now)))
        n = 0
        for action_id in due:
            with self._session() as s, s.begin():
                hit = _hits(s.execute(update(ActionRow).where(ActionRow.id == action_id,
                                                        ActionRow.state == State.PROPOSED.value)
                                .values(state="expired", decision="expired", decided_at=now, decided_by="system"),
                                execution_options=_NO_SYNC))
                if hit == 1:
                    h = s.scalar(select(ActionRow.payload_hash).where(ActionRow.id == action_id)) or ""
                    audit.append_event(s, action_id=action_id, actor="system", at=now, from_state="proposed",
                                       to_state="expired", payload_hash=h)
                    n += 1
        return n

    # ---- executing -------------------------------------------------------------------------------
    def _transition(self, action_id: str, src: str, dst: str, actor: str, *, extra: dict[str, Any] | None = None,
                    where: Any = None, note: str | None = None) -> bool:
        """Compare-and-set one state change plus its audit event, in one transaction."""
        now = self._now()
        cond = and_(ActionRow.id == action_id, ActionRow.state == src, *([where] if where is not None else []))
        with self._session() as s, s.begin():
            hit = _hits(s.execute(update(ActionRow).where(cond).values(state=dst, **(extra or {})),
                            execution_options=_NO_SYNC))
            if hit != 1:
                return False
            h = s.scalar(select(ActionRow.payload_hash).where(ActionRow.id == action_id)) or ""
            audit.append_event(s, action_id=action_id, actor=actor, at=now, from_state=src, to_state=dst,
                               payload_hash=h, note=note)
        return True

    def execute(self, action_id: str, worker: str = "worker") -> Action:
        """Claim and run an approved/edited action. Returns it ``executed`` or ``failed``; refuses anything
        else (a stuck ``executing`` action is never re-run here)."""
        with self._session() as s:
            row = self._row(s, action_id, None)
        if row.state not in [x.value for x in RUNNABLE]:
            raise UserError(self._not_runnable(row))
        claim = f"{worker}#{uuid.uuid4().hex[:8]}"
        now = self._now()
        if not self._transition(action_id, row.state, State.EXECUTING.value, claim, extra={
                "claimed_by": claim, "claimed_at": now, "attempts": ActionRow.attempts + 1}):
            with self._session() as s:
                raise UserError(self._not_runnable(self._row(s, action_id, None)))
        with self._session() as s:
            stored = self._row(s, action_id, None)
            action = to_action(stored)
        try:
            if payload_hash(action.payload) != stored.payload_hash:
                raise PermissionDenied("the stored payload does not match the hash that was approved; not executed",
                                       hint="reject it and ask for a fresh proposal")
            require_visible(self.crm, referenced(action.payload, ("deal_id", stored.deal_id),
                                                 ("account_id", stored.account_id), ("call_id", stored.call_id)),
                            [principal_of(self.crm, stored.owner_id), principal_of(self.crm, stored.decided_by)])
            result, error = self.executors[action.kind].run(action), None
        except CopilotError as exc:
            result, error = None, str(exc)
        except Exception as exc:  # noqa: BLE001 - any executor crash becomes a visible failure
            result, error = None, f"{type(exc).__name__}: {exc}"
        dst = State.FAILED.value if error else State.EXECUTED.value
        self._transition(action_id, State.EXECUTING.value, dst, claim, note=error,
                         extra={"finished_at": self._now(), "result": result, "error": error},
                         where=ActionRow.claimed_by == claim)
        with self._session() as s:
            return to_action(self._row(s, action_id, None))

    @staticmethod
    def _not_runnable(row: ActionRow) -> str:
        if row.state == State.EXECUTING.value:
            return (f"action {row.id} is already executing (claimed by {row.claimed_by} at {row.claimed_at}); it is "
                    f"not run again automatically. If that worker died, a person decides: 'copilot actions retry "
                    f"{row.id} --mark-failed' or '--force-resend'")
        if row.state == State.EXECUTED.value:
            return f"action {row.id} was already executed at {row.finished_at}; not running it again"
        if row.state == State.FAILED.value:
            return f"action {row.id} failed ({row.error}); a person may run 'copilot actions retry {row.id}'"
        if row.state == State.PROPOSED.value:
            return f"action {row.id} has not been approved yet"
        return f"action {row.id} was {row.state}; it will not be executed"

    def retry(self, action_id: str, principal: Principal, *, force_resend: bool = False, mark_failed: bool = False,
              reason: str = "", execute: bool = True) -> Action:
        """A person's second chance: failed -> approved (-> executed); for a stuck ``executing`` action either
        ``mark_failed`` (no send) or ``force_resend`` (send again, knowing the first may have gone out)."""
        with self._session() as s:
            row = self._row(s, action_id, principal)
        if not may_act(self.crm, principal, row.owner_id, row.team_id):
            raise PermissionDenied(f"{principal.label} may not retry action {action_id}")
        who = principal.user_id
        if row.state == State.FAILED.value and not mark_failed:
            ok = self._transition(action_id, "failed", "approved", who, note=reason or "retry after failure",
                                  extra={"error": None})
        elif row.state == State.EXECUTING.value and mark_failed:
            ok = self._transition(action_id, "executing", "failed", who,
                                  note=reason or f"stuck claim {row.claimed_by} marked failed",
                                  extra={"error": f"marked failed by {who}: {reason or 'stuck executing'}",
                                         "finished_at": self._now()}, where=ActionRow.claimed_by == row.claimed_by)
            execute = False
        elif row.state == State.EXECUTING.value and force_resend:
            ok = self._transition(action_id, "executing", "approved", who,
                                  note=reason or f"forced resend of stuck claim {row.claimed_by}",
                                  where=ActionRow.claimed_by == row.claimed_by)
        elif row.state == State.EXECUTING.value:
            raise UserError(f"action {action_id} is stuck executing since {row.claimed_at} (claim {row.claimed_by}); "
                            "it may already have been carried out",
                            hint=f"check, then 'copilot actions retry {action_id} --mark-failed' (no resend) or "
                                 "'--force-resend' (run it again)")
        else:
            raise UserError(f"only failed or stuck actions can be retried; action {action_id} is {row.state}")
        if not ok:
            raise UserError(f"action {action_id} changed while you retried it", hint="show it again")
        return self.execute(action_id, worker=f"user:{who}") if execute else self.get(action_id, principal)

    def run_approved(self, action_id: str | None = None, worker: str = "worker") -> builtins.list[Action]:
        """Execute approved (or edited) actions nobody has run yet: one, or every one waiting."""
        with self._session() as s:
            stmt = select(ActionRow.id).where(ActionRow.state.in_([x.value for x in RUNNABLE]))
            ids = list(s.scalars(stmt.where(ActionRow.id == action_id) if action_id else stmt.order_by(ActionRow.decided_at)))
        if action_id and not ids:
            with self._session() as s:
                raise UserError(self._not_runnable(self._row(s, action_id, None)))
        return [self.execute(i, worker=worker) for i in ids]

    # ---- metrics and audit -----------------------------------------------------------------------
    def stats(self, principal: Principal, *, scope: Scope | None = None, since: datetime | None = None) -> dict[str, Any]:
        """Adoption metrics over the actions this principal may see; execs get aggregates over everything
        with reps pseudonymized and groups smaller than MIN_GROUP_SIZE suppressed."""
        is_exec = principal.role is Role.EXEC
        with self._session() as s:
            q = select(ActionRow)
            if not is_exec:
                q = q.where(visible_filter(self.crm, principal))
            if since is not None:
                q = q.where(ActionRow.created_at >= since)
            rows = list(s.scalars(q))
            ids = [r.id for r in rows]
            fails = dict(s.execute(select(ActionEvent.action_id, func.count()).where(
                ActionEvent.to_state == "failed", ActionEvent.action_id.in_(ids)).group_by(ActionEvent.action_id)).all())
        label = (scope.pseudonym if scope is not None and is_exec else (lambda x: x))
        return stats.compute(rows, fails, rep_label=label,  # type: ignore[arg-type]
                             min_group=(scope.min_group_size if scope else MIN_GROUP_SIZE) if is_exec else 0)

    def verify(self) -> audit.VerifyReport:
        return audit.verify_chain(self.crm.engine)

    # ---- erasure (see copilot.erasure) -------------------------------------------------------------
    REDACTABLE = ("payload", "proposed_payload", "rationale", "citations", "result", "error", "reason",
                  "confirmed_recipients", "account_id", "deal_id", "call_id")

    def withdraw(self, action_id: str, actor: str, *, reason: str) -> bool:
        """Stop an approved action nobody has run, without running it: claimed and marked failed, the two
        transitions a stuck claim marked failed goes through. (Proposals are rejected with ``reject``.)"""
        with self._session() as s:
            row = self._row(s, action_id, None)
        if row.state not in [x.value for x in RUNNABLE]:
            return False
        claim = f"{actor}#{uuid.uuid4().hex[:8]}"
        now = self._now()
        if not self._transition(action_id, row.state, State.EXECUTING.value, actor, note=reason, extra={
                "claimed_by": claim, "claimed_at": now}):
            return False
        return self._transition(action_id, State.EXECUTING.value, State.FAILED.value, actor, note=reason,
                                extra={"error": reason, "finished_at": now}, where=ActionRow.claimed_by == claim)

    def redact(self, action_ids: Iterable[str], scrub: Callable[[str, Any], Any], *, actor: str, note: str) -> int:
        """Rewrite the free text of these actions with ``scrub(column, value)``, keeping each one's state,
        and record it: one event per action (from = to = its state) carrying the new payload's hash.

        The chain stays valid because no event is touched: events hash a payload's hash, never the
        payload. Earlier events keep the hash of what was proposed and approved (proof that it was,
        not of what it said); the redaction event records the hash of what is stored now, so ``verify``
        finds every payload matching its row's hash and every row's hash matching its last event.
        Returns how many actions changed."""
        n = 0
        for action_id in action_ids:
            with self._session() as s, s.begin():
                row = s.get(ActionRow, action_id)
                if row is None:
                    continue
                values = {c: scrub(c, getattr(row, c)) for c in self.REDACTABLE}
                values["payload_hash"] = payload_hash(values["payload"])
                hit = _hits(s.execute(update(ActionRow).where(ActionRow.id == action_id, ActionRow.state == row.state)
                                      .values(**values), execution_options=_NO_SYNC))
                if hit != 1:
                    raise UserError(f"action {action_id} changed while it was being erased", hint="run the erasure again")
                audit.append_event(s, action_id=action_id, actor=actor, at=self._now(), from_state=row.state,
                                   to_state=row.state, payload_hash=values["payload_hash"], note=note)
            n += 1
        return n
