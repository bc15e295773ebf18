"""Transcripts as lists of turns: parse ``Rep:`` / ``Customer:`` text (or a real call's segments) and format.

Real call transcripts label speakers by name; the rep is whoever is named in ``rep_names``, else whoever
is labelled like a seller (rep, AE, sales, agent), else the first speaker.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from copilot.core.errors import UserError

Speaker = Literal["rep", "customer"]
_REP = {"rep", "seller", "ae", "sales", "salesperson", "agent", "trainee", "you", "account executive"}
_CUSTOMER = {"customer", "buyer", "prospect", "client", "persona"}
_LINE = re.compile(r"^\s*\[?([A-Za-z][\w .'-]{0,40}?)\]?\s*(\(\d[\d:.]*\))?\s*:\s*(.*)$")


class Turn(BaseModel):
    speaker: Speaker
    text: str
    name: str | None = None


def parse_transcript(text: str, *, rep_names: set[str] | None = None) -> list[Turn]:
    """Speaker-labelled lines; unlabelled lines continue the previous turn. Raises UserError if none parse."""
    raw: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        if m and (m.group(1).strip().lower() in _REP | _CUSTOMER or len(m.group(1).split()) <= 3):
            raw.append((m.group(1).strip(), m.group(3).strip()))
        elif raw:
            raw[-1] = (raw[-1][0], (raw[-1][1] + " " + line.strip()).strip())
    if not raw:
        raise UserError("no speaker-labelled lines found",
                        hint="write one turn per line as 'Rep: ...' and 'Customer: ...'")
    return _assign([{"speaker": s, "text": t} for s, t in raw], rep_names)


def turns_from_segments(segments: list[dict[str, Any]], *, rep_names: set[str] | None = None) -> list[Turn]:
    """A CRM Call transcript ([{speaker, start, end, text}]) merged into turns."""
    merged: list[dict[str, str]] = []
    for seg in segments:
        spk, txt = str(seg.get("speaker") or "?"), str(seg.get("text") or "").strip()
        if merged and merged[-1]["speaker"] == spk:
            merged[-1]["text"] += " " + txt
        elif txt:
            merged.append({"speaker": spk, "text": txt})
    if not merged:
        raise UserError("the call has no transcript", hint="transcribe it first with 'copilot call transcribe'")
    return _assign(merged, rep_names)


def _assign(items: list[dict[str, str]], rep_names: set[str] | None) -> list[Turn]:
    names = [i["speaker"] for i in items]
    lowered = {n.lower() for n in rep_names or set()}
    rep_label = next((n for n in names if n.lower() in lowered), None)
    rep_label = rep_label or next((n for n in names if n.lower() in _REP), None)
    if rep_label is None:
        non_customer = [n for n in names if n.lower() not in _CUSTOMER]
        rep_label = non_customer[0] if non_customer else names[0]
    turns = []
    for i in items:
        is_rep = i["speaker"] == rep_label
        turns.append(Turn(speaker="rep" if is_rep else "customer", text=i["text"],
                          name=None if i["speaker"].lower() in _REP | _CUSTOMER else i["speaker"]))
    return turns


def format_transcript(turns: list[Turn]) -> str:
    return "\n".join(f"{'Rep' if t.speaker == 'rep' else 'Customer'}: {t.text}" for t in turns) + "\n"
