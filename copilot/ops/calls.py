"""Calls: transcribe, summarize (stored on a deal when one is given or named), draft the follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.core.domain import Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from tools.calls.summarize import CallSummary
    from tools.calls.transcribe import Transcript


@dataclass
class CallResult:
    """One processed call: its summary and transcript, and (with a deal) the follow-up and proposals."""

    call_id: str
    deal_id: str | None
    summary: CallSummary
    transcript: Transcript
    followup: dict[str, Any] | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "deal_id": self.deal_id, "transcript": self.transcript.to_json(),
                "summary": self.summary.model_dump(mode="json"), "followup": self.followup, "actions": self.actions}


class CallOps(Operations):
    def transcribe(self, path: str | Path, *, names: dict[str, str] | None = None, num_speakers: int | None = None,
                   progress: bool = False) -> Transcript:
        """Speech to text with speakers and timestamps (``num_speakers`` for a mono recording)."""
        return self.services.calls.transcribe(path, names=names, num_speakers=num_speakers, progress=progress)

    def audio_seconds(self, path: Path) -> float | None:
        """The length of an audio file (None for a transcript), to decide between inline work and a job."""
        from tools.calls.audio import FORMATS, probe

        return probe(path).duration if path.suffix.lower() in FORMATS else None

    def summarize_call(self, principal: Principal | None, source: str | Path, *, deal_id: str | None = None,
                       title: str | None = None, call_date: date | None = None,
                       progress: bool = False) -> tuple[str, CallSummary, Transcript]:
        """Summarize audio or a transcript; with ``deal_id`` (visible to the principal) the call is stored on it."""
        scope = self.scope(principal) if principal is not None else None
        return self.services.calls.summarize_call(source, deal_id=deal_id, scope=scope, title=title,
                                                  call_date=call_date, progress=progress)

    def draft_followup(self, principal: Principal, call_id: str) -> dict[str, Any]:
        """The follow-up email for a stored call, proposed with its CRM updates as pending actions."""
        return self.services.calls.draft_followup(call_id, scope=self.scope(principal), owner_id=principal.user_id)

    def match_deal(self, principal: Principal, text: str) -> str | None:
        """The open deal, visible to the principal, whose account is named in ``text`` (or None)."""
        from tools.calls.match import find_deal

        return find_deal(self.services.crm, self.scope(principal), text)

    def process_call(self, principal: Principal, path: Path, *, deal_id: str | None = None, match_text: str = "",
                     title: str | None = None, followup: bool = True) -> CallResult:
        """Transcribe and summarize; with a deal (given, or named in ``match_text``) store the call on it and
        propose the follow-up as pending actions."""
        deal_id = deal_id or (self.match_deal(principal, match_text) if match_text else None)
        call_id, summary, transcript = self.summarize_call(principal, path, deal_id=deal_id, title=title)
        result = CallResult(call_id=call_id, deal_id=deal_id, summary=summary, transcript=transcript)
        if deal_id and followup:
            fu = self.draft_followup(principal, call_id)
            result.followup, result.actions = fu.get("email"), list(fu.get("actions", []))
        return result
