"""The demo company's recorded calls (generated once by demo/make_calls.py) and their loader."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from copilot.core.errors import NotFound
from copilot.core.speech import ScriptedTranscriber, Segment
from knowledge.crm.models import Account, Contact, Deal, User
from tools.calls.transcribe import Transcript, transcribe_audio

HERE = Path(__file__).parent
MANIFEST = HERE / "calls.yaml"


def manifest() -> list[dict[str, Any]]:
    return yaml.safe_load(MANIFEST.read_text())["calls"]


def script_segments(call: dict[str, Any], names: dict[str, str]) -> list[Segment]:
    chan = {v: 0 if k == "left" else 1 for k, v in call["channels"].items()}
    return [Segment(start=ln["start"], end=ln["end"], text=ln["text"], role=ln["role"], channel=chan[ln["role"]],
                    speaker=names.get(ln["role"]) or ln["role"].capitalize()) for ln in call["script"]]


def load_demo_calls(cp: Any, today: date | None = None, *, progress: bool = False) -> list[str]:
    """Create (or refresh) a Call row per manifest entry, linked to the account's open deal, with
    transcript and summary. With the scripted transcriber the script text is the transcript."""
    today = today or date.today()
    ids = []
    for call in manifest():
        with cp.services.crm.session() as s:
            account = s.scalars(select(Account).where(Account.name == call["account"])).first()
            if account is None:
                raise NotFound(f"demo account {call['account']!r} is missing", hint="build the demo CRM first")
            deal = s.scalars(select(Deal).where(Deal.account_id == account.id,
                                                Deal.stage.not_in(["closed_won", "closed_lost"]))
                             .order_by(Deal.updated_at.desc())).first()
            contact = s.scalars(select(Contact).where(Contact.account_id == account.id,
                                                      Contact.name == call["contact"])).first()
            rep = s.get(User, account.owner_id) if account.owner_id else None
            if deal is None:
                raise NotFound(f"demo account {call['account']!r} has no open deal", hint="build the demo CRM first")
            deal_id = deal.id
            names = {"rep": rep.name if rep else "Rep", "customer": contact.name if contact else call["contact"]}
        segments = script_segments(call, names)
        roles = {0: call["channels"]["left"], 1: call["channels"]["right"]}
        transcriber = cp.services.calls.transcriber()
        if transcriber.name == "scripted":
            transcriber = ScriptedTranscriber(segments)
        t = transcribe_audio(HERE / call["audio"], transcriber, names=names, roles=roles, progress=progress)
        transcript = Transcript(segments=t.segments, duration=t.duration, channels=t.channels, mode=t.mode,
                                audio=f"demo/calls/{call['audio']}", transcriber=t.transcriber)
        cid, _summary, _t = cp.services.calls.summarize_call(transcript, deal_id=deal_id, title=call["title"],
                                                    call_date=today - timedelta(days=call["days_before"]),
                                                    call_id=f"demo-call-{call['id']}", names=names)
        ids.append(cid)
    return ids
