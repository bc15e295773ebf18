"""Checks over an Answer: citation support (lexical overlap) and citation visibility (no leaked records)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from copilot.core.domain import Answer, Citation
from copilot.core.visibility import Scope
from evals.metrics import overlap

MARK = re.compile(r"\[(\d+)\]")
SUPPORT_MIN = 0.3


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, citation numbers) for every line/sentence carrying [n] markers."""
    out = []
    for line in text.splitlines():
        for sent in re.split(r"(?<=[.!?])\s+(?=[A-Z\[])", line):
            nums = [int(n) for n in MARK.findall(sent)]
            if nums:
                out.append((MARK.sub(" ", sent).strip(" -*>"), nums))
    return out


def citation_support(answer: Answer, threshold: float = SUPPORT_MIN) -> tuple[int, int, list[dict[str, Any]]]:
    """How many (sentence, citation) pairs have overlap >= threshold; unsupported pairs listed."""
    ok = total = 0
    bad = []
    for sent, nums in cited_sentences(answer.text):
        for n in nums:
            if not 1 <= n <= len(answer.citations):
                total += 1
                bad.append({"sentence": sent[:160], "citation": n, "overlap": 0.0, "why": "no such citation"})
                continue
            c = answer.citations[n - 1]
            score = overlap(sent, f"{c.title} {c.section or ''} {c.snippet}")
            total += 1
            if score >= threshold:
                ok += 1
            else:
                bad.append({"sentence": sent[:160], "citation": n, "overlap": round(score, 2)})
    return ok, total, bad


def record_owner(crm: Any, citation: Citation) -> tuple[str | None, str | None] | None:
    """(owner, team) of the CRM record or call a citation points to; None when it is not a CRM record."""
    from knowledge.crm.models import Account, Activity, Call, Contact, Deal

    ref = citation.record or (citation.source_id.removeprefix("crm:") if citation.source_id.startswith("crm:") else "")
    if citation.kind == "call" and not ref:
        ref = citation.source_id
    kind, _, rid = ref.partition(":")
    if not rid:
        return None
    with crm.session() as s:
        if kind == "email_thread":
            row = s.scalars(select(Activity).where(Activity.thread_id == rid)).first()
        elif kind == "contact":
            contact = s.get(Contact, rid)
            row = s.get(Account, contact.account_id) if contact else None
        else:
            model = {"account": Account, "deal": Deal, "call": Call}.get(kind, Activity)
            row = s.get(model, rid)
        if row is None:
            return ("<missing>", "<missing>")
        return (row.owner_id, row.team_id)


def leaked_citations(crm: Any, scope: Scope, citations: list[Citation]) -> list[str]:
    """Citations to records the asker may not see (execs may see no record at all)."""
    leaks = []
    for c in citations:
        owner = record_owner(crm, c)
        if owner is None:
            continue
        if not scope.records_allowed or not scope.allows(*owner):
            leaks.append(c.source_id)
    return leaks
