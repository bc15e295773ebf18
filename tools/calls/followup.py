"""Follow-up after a call: a drafted email (recap, answers from the case library, a proposed meeting)
and proposed CRM updates, all as *pending* actions through the ledger's ``propose``. Nothing is sent
or written to the CRM here; a human approves each action.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field

from copilot.core.domain import Citation
from tools.calls.summarize import CATEGORY_ZH, CallSummary

TOOL = "calls.followup"


class FollowupDraft(BaseModel):
    to: list[str]
    cc: list[str] = Field(default_factory=list)
    subject: str
    body: str
    meeting_start: datetime | None = None
    citations: list[Citation] = Field(default_factory=list)


def next_business_slot(after: date, hour: int = 10) -> datetime:
    d = after + timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return datetime.combine(d, time(hour, 0))


_WEEKDAYS_ZH = "一二三四五六日"


def _zh_day(d: date | datetime) -> str:
    return f"{d.month}月{d.day}日（周{_WEEKDAYS_ZH[d.weekday()]}）"


def _draft_zh(summary: CallSummary, *, to: list[str], customer_name: str | None, rep_name: str | None,
              call_date: date, answers: list[tuple[str, str, str]], cites: list[Citation]) -> FollowupDraft:
    """The same draft for a call held in Chinese: written in Chinese."""
    steps = summary.items("next_steps")
    lines = [f"{customer_name or ''}您好：".lstrip(), "", f"感谢您 {_zh_day(call_date)} 抽出时间沟通。简要回顾如下："]
    for it in steps:
        lines.append(f"- {it.text}" + (f"（{_zh_day(it.due)}前）" if it.due else ""))
    if not steps:
        lines.append("- 我们还没有确定下一步，建议按下面的时间简短通个电话。")
    if answers:
        lines += ["", "关于您提到的问题："] + [f"- 关于{cat}：{snippet}（出自《{title}》）" for cat, snippet, title in answers]
    due_dates = [it.due for it in steps if it.due]
    slot = next_business_slot(min(due_dates) - timedelta(days=1) if due_dates else call_date + timedelta(days=1))
    lines += ["", f"{_zh_day(slot)} {slot:%H:%M} 方便再开一个 30 分钟的跟进会吗？", "", "祝好，", rep_name or ""]
    return FollowupDraft(to=to, subject=f"跟进：{summary.title}", body="\n".join(lines).rstrip() + "\n",
                         meeting_start=slot, citations=cites)


def draft_email(summary: CallSummary, *, to: list[str], customer_name: str | None, rep_name: str | None,
                call_date: date, knowledge: Any = None, scope: Any = None) -> FollowupDraft:
    """Template draft: thanks, recap of agreed next steps, answers to concerns with case-library
    material (via ``knowledge.search``), and a proposed meeting time; in the call's language."""
    first = (customer_name or "there").split()[0]
    steps = summary.items("next_steps")
    cites: list[Citation] = [c for it in steps for c in it.citations]
    lines = [f"Hi {first},", "", f"Thank you for your time on {call_date.strftime('%A, %B %d')}. A quick recap:"]
    for it in steps:
        when = f" (by {it.due.strftime('%A, %B %d')})" if it.due else ""
        lines.append(f"- {it.text}{when}")
    if not steps:
        lines.append("- We did not fix a next step yet; I suggest a short call below.")
    answers, found = [], []
    for obj in summary.items("objections")[:3]:
        if knowledge is None or scope is None:
            break
        try:
            hits = knowledge.search(f"{obj.category or ''} {obj.text}", scope, k=1)
        except Exception:  # noqa: BLE001 - the library is optional for a draft
            hits = []
        if hits:
            hit = hits[0]
            title = getattr(hit.citation, "title", "our case library")
            snippet = " ".join(hit.text.split())[:240]
            answers.append(f"- On {obj.category or 'your concern'}: {snippet} (from \"{title}\")")
            found.append((CATEGORY_ZH.get(obj.category or "", "您的顾虑"), snippet, title))
            cites.append(hit.citation)
    if summary.language == "zh":
        return _draft_zh(summary, to=to, customer_name=customer_name, rep_name=rep_name, call_date=call_date,
                         answers=found, cites=cites)
    if answers:
        lines += ["", "On the questions you raised:"] + answers
    due_dates = [it.due for it in steps if it.due]
    slot = next_business_slot(min(due_dates) - timedelta(days=1) if due_dates else call_date + timedelta(days=1))
    lines += ["", f"Would {slot.strftime('%A, %B %d at %H:%M')} work for a 30-minute follow-up?", "",
              "Best regards,", rep_name or ""]
    return FollowupDraft(to=to, subject=f"Follow-up: {summary.title}", body="\n".join(lines).rstrip() + "\n",
                         meeting_start=slot, citations=cites)


def propose_followup(ledger: Any, summary: CallSummary, draft: FollowupDraft, *, owner_id: str, call_id: str,
                     deal_id: str | None, account_id: str | None, attendees: list[str]) -> list[Any]:
    """Proposals: send_email, log_call_summary, update_deal (next step, close date), create_task, schedule_meeting."""
    common = {"owner_id": owner_id, "tool": TOOL, "call_id": call_id, "deal_id": deal_id, "account_id": account_id}
    out = [ledger.propose("send_email", {"to": draft.to, "cc": draft.cc, "subject": draft.subject, "body": draft.body},
                          rationale="recap of the agreed next steps after the call", citations=draft.citations,
                          confidence=0.6, **common)]
    log = {"call_id": call_id, "summary": summary.to_markdown()}
    if deal_id:
        log["deal_id"] = deal_id
    if account_id:
        log["account_id"] = account_id
    out.append(ledger.propose("log_call_summary", log, rationale="keep the CRM record of the call",
                              citations=[c for it in summary.items("context") for c in it.citations], confidence=0.8,
                              **common))
    steps = [s for s in summary.items("next_steps") if s.due]
    if deal_id and steps:
        step = steps[0]
        out.append(ledger.propose("update_deal", {"deal_id": deal_id, "fields": {
            "next_step": step.text[:300], "next_step_date": step.due.isoformat()}},  # type: ignore[union-attr]
            rationale="next step and date agreed on the call", citations=step.citations, confidence=0.7, **common))
    for step in steps:
        task = {"title": step.text[:120], "due_on": step.due.isoformat(), "notes": f"agreed on {summary.title}"}  # type: ignore[union-attr]
        if deal_id:
            task["deal_id"] = deal_id
        if account_id:
            task["account_id"] = account_id
        out.append(ledger.propose("create_task", task, rationale="agreed next step with a date",
                                  citations=step.citations, confidence=0.7, **common))
    if draft.meeting_start:
        out.append(ledger.propose("schedule_meeting", {
            "title": f"Follow-up: {summary.title}", "start": draft.meeting_start.isoformat(), "duration_minutes": 30,
            "attendees": attendees, "description": "Follow-up on the agreed next steps"},
            rationale="keep momentum after the call", citations=draft.citations[:2], confidence=0.5, **common))
    return out


def reengagement(ledger: Any, *, owner_id: str, call_id: str, call_title: str, call_at: datetime, to: list[str],
                 customer_name: str | None, deal_id: str | None, account_id: str | None, today: date) -> Any:
    """A silent customer: propose a short re-engagement email with a suggested time."""
    slot = next_business_slot(today)
    first = (customer_name or "there").split()[0]
    body = (f"Hi {first},\n\nFollowing up on our conversation on {call_at.date().strftime('%B %d')}. "
            f"Would {slot.strftime('%A at %H:%M')} work for 15 minutes to pick up where we left off?\n")
    cite = Citation(source_id=f"call:{call_id}", title=call_title, kind="call", timestamp=0.0)
    return ledger.propose("send_email", {"to": to, "cc": [], "subject": f"Re: {call_title}", "body": body},
                          owner_id=owner_id, tool=TOOL, rationale=f"no reply or meeting since the call on {call_at.date()}",
                          citations=[cite], confidence=0.5, call_id=call_id, deal_id=deal_id, account_id=account_id)
