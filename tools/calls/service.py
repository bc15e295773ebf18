"""The calls service the facade exposes as ``Copilot.calls``: transcribe, summarize, follow up.

Dependencies are passed in (``knowledge`` and ``ledger`` as zero-argument callables, so a command that
only transcribes never builds them). Every read of a deal or call checks the caller's ``Scope``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from copilot.core.errors import NotFound, PermissionDenied, UserError
from copilot.core.speech import Transcriber
from copilot.core.visibility import Scope
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, User
from knowledge.crm.store import CrmStore
from tools.calls import followup as fu
from tools.calls.audio import FORMATS
from tools.calls.summarize import CallContext, CallSummary, Summarizer
from tools.calls.transcribe import Transcript, transcribe_audio

TEXT_FORMATS = (".txt", ".md", ".json")


class CallService:
    def __init__(self, crm: CrmStore, transcriber: Callable[[], Transcriber], summarizer: Callable[[], Summarizer], *,
                 knowledge: Callable[[], Any] | None = None, ledger: Callable[[], Any] | None = None,
                 silence_days: int = 5) -> None:
        self.crm = crm
        self._transcriber = transcriber
        self._summarizer = summarizer
        self._knowledge = knowledge
        self._ledger = ledger
        self.silence_days = silence_days

    # -- transcription -------------------------------------------------------------------------
    def transcriber(self) -> Transcriber:
        return self._transcriber()

    def transcribe(self, path: str | Path, *, names: dict[str, str] | None = None, progress: bool = False,
                   num_speakers: int | None = None) -> Transcript:
        return transcribe_audio(path, self._transcriber(), names=names, num_speakers=num_speakers, progress=progress)

    def load_transcript(self, path: str | Path, *, names: dict[str, str] | None = None,
                        progress: bool = False) -> Transcript:
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in TEXT_FORMATS:
            if not p.is_file():
                raise UserError(f"no transcript file at {p}", hint="check the path")
            text = p.read_text(errors="replace")
            if suffix == ".json":
                import json

                try:
                    return Transcript.model_validate(json.loads(text))
                except ValueError as exc:
                    raise UserError(f"{p.name} is not a transcript JSON ({exc.__class__.__name__})",
                                    hint="use the output of 'copilot call transcribe --json'") from None
            return Transcript.from_text(text, names=names)
        if suffix and suffix not in FORMATS:
            raise UserError(f"{p.name}: unsupported file type {suffix}",
                            hint=f"use audio ({', '.join(FORMATS)}) or a transcript ({', '.join(TEXT_FORMATS)})")
        return self.transcribe(p, names=names, progress=progress)

    # -- context from the CRM ------------------------------------------------------------------
    def _deal_context(self, deal_id: str, scope: Scope | None) -> dict[str, Any]:
        with self.crm.session() as s:
            deal = s.get(Deal, deal_id)
            if deal is None or (scope is not None and not scope.allows(deal.owner_id, deal.team_id)):
                raise NotFound(f"no deal {deal_id!r} visible to you", hint="list deals with 'copilot deals'")
            account = s.get(Account, deal.account_id) if deal.account_id else None
            contacts = list(s.scalars(select(Contact).where(Contact.account_id == deal.account_id))) if account else []
            owner = s.get(User, deal.owner_id) if deal.owner_id else None
            champion = next((c for c in contacts if c.buying_role == "champion"), contacts[0] if contacts else None)
            return {"deal_id": deal.id, "account_id": deal.account_id, "account": account.name if account else None,
                    "owner_id": deal.owner_id, "team_id": deal.team_id, "deal_name": deal.name,
                    "names": {k: v for k, v in {"rep": owner.name if owner else None,
                                                "customer": champion.name if champion else None}.items() if v},
                    "emails": [c.email for c in contacts if c.email][:3],
                    "rep_email": owner.email if owner else None}

    # -- summaries -----------------------------------------------------------------------------
    def summarize_call(self, source: str | Path | Transcript, *, deal_id: str | None = None, scope: Scope | None = None,
                       title: str | None = None, call_date: date | None = None, call_id: str | None = None,
                       names: dict[str, str] | None = None, store: bool = True,
                       progress: bool = False) -> tuple[str, CallSummary, Transcript]:
        """Summarize audio or a transcript; with ``deal_id`` the call is stored on the deal (a Call row)."""
        info = self._deal_context(deal_id, scope) if deal_id else {}
        names = names or info.get("names") or {}
        transcript = source if isinstance(source, Transcript) else self.load_transcript(source, names=names,
                                                                                          progress=progress)
        when = call_date or date.today()
        title = title or (f"{info['account']} call" if info.get("account") else Path(str(transcript.audio or "call")).stem)
        cid = call_id or "call-" + hashlib.sha1(f"{deal_id}:{title}:{when}:{transcript.text[:200]}".encode()).hexdigest()[:10]
        ctx = CallContext(call_id=cid, title=title, call_date=when, account=info.get("account"), deal_id=deal_id,
                          names=names)
        summary = self._summarizer().summarize(transcript.segments, ctx, duration=transcript.duration)
        if store and deal_id:
            with self.crm.session() as s:
                row = s.get(Call, cid) or Call(id=cid, title=title, occurred_at=datetime.combine(when, datetime.min.time()))
                row.account_id, row.deal_id = info.get("account_id"), deal_id
                row.owner_id, row.team_id = info.get("owner_id"), info.get("team_id")
                row.audio_path = transcript.audio
                row.duration_s = transcript.duration
                row.attendees = [{"role": k, "name": v} for k, v in names.items()]
                row.transcript = [seg.model_dump(mode="json") for seg in transcript.segments]
                row.summary = summary.model_dump(mode="json")
                row.source = row.source or "calls"
                s.merge(row)
        return cid, summary, transcript

    def _call(self, call_id: str, scope: Scope | None) -> Call:
        with self.crm.session() as s:
            row = s.get(Call, call_id)
            if row is None:
                raise NotFound(f"no call {call_id!r}", hint="summarize it first with --deal, or list calls")
            if scope is not None and not scope.allows(row.owner_id, row.team_id):
                raise PermissionDenied(f"call {call_id!r} belongs to someone you cannot see")
            s.expunge(row)
            return row

    # -- follow-up -----------------------------------------------------------------------------
    def draft_followup(self, call_id: str, *, scope: Scope | None = None, owner_id: str | None = None,
                       propose: bool = True) -> dict[str, Any]:
        """Draft the follow-up email for a stored call and propose it plus CRM updates as pending actions."""
        row = self._call(call_id, scope)
        if not row.summary:
            raise UserError(f"call {call_id!r} has no summary yet", hint="run 'copilot call summarize ... --deal ID'")
        summary = CallSummary.model_validate(row.summary)
        info = self._deal_context(row.deal_id, None) if row.deal_id else {"names": {}, "emails": []}
        knowledge = self._knowledge() if self._knowledge else None
        draft = fu.draft_email(summary, to=info.get("emails") or [], customer_name=info["names"].get("customer"),
                               rep_name=info["names"].get("rep"), call_date=row.occurred_at.date(),
                               knowledge=knowledge, scope=scope)
        actions: list[Any] = []
        if propose and self._ledger is not None:
            attendees = [e for e in [*(info.get("emails") or []), info.get("rep_email")] if e]
            actions = fu.propose_followup(self._ledger(), summary, draft, owner_id=owner_id or row.owner_id or "admin",
                                          call_id=row.id, deal_id=row.deal_id, account_id=row.account_id,
                                          attendees=attendees)
        return {"call_id": row.id, "email": draft.model_dump(mode="json"),
                "actions": [a.to_ref().model_dump(mode="json") if hasattr(a, "to_ref") else a for a in actions]}

    def silent_customers(self, *, scope: Scope | None = None, today: date | None = None,
                         days: int | None = None, propose: bool = True) -> list[dict[str, Any]]:
        """Calls with no inbound email or meeting within ``days`` after them: propose a re-engagement touch."""
        today = today or date.today()
        days = self.silence_days if days is None else days
        out: list[dict[str, Any]] = []
        with self.crm.session() as s:
            calls = [c for c in s.scalars(select(Call).where(Call.account_id.is_not(None)))
                     if (scope is None or scope.allows(c.owner_id, c.team_id))
                     and c.occurred_at.date() + timedelta(days=days) <= today]
            for c in calls:
                replied = s.scalars(select(Activity.id).where(
                    Activity.account_id == c.account_id, Activity.occurred_at > c.occurred_at,
                    ((Activity.kind == "email") & (Activity.direction == "inbound")) | (Activity.kind == "meeting"))).first()
                if replied:
                    continue
                contacts = list(s.scalars(select(Contact).where(Contact.account_id == c.account_id)))
                out.append({"call_id": c.id, "title": c.title, "occurred_at": c.occurred_at, "account_id": c.account_id,
                            "deal_id": c.deal_id, "owner_id": c.owner_id,
                            "to": [x.email for x in contacts if x.email][:2],
                            "customer": contacts[0].name if contacts else None})
        if propose and self._ledger is not None:
            ledger = self._ledger()
            for item in out:
                action = fu.reengagement(ledger, owner_id=item["owner_id"] or "admin", call_id=item["call_id"],
                                         call_title=item["title"], call_at=item["occurred_at"], to=item["to"],
                                         customer_name=item["customer"], deal_id=item["deal_id"],
                                         account_id=item["account_id"], today=today)
                item["action"] = action.to_ref().model_dump(mode="json") if hasattr(action, "to_ref") else action
        return out
