"""A deal's timeline, oldest first: when it opened, each stage move, each close-date push (or pull-in) and
amount change from its history, its emails, meetings, notes and tasks, and its recorded calls with their
summaries (pains, objections, competitors, next steps, risks), every item citing its record or call moment.

Scope: only a deal the asker may see (anything else is NotFound, like a deal that does not exist; execs,
who see aggregates only, are refused), and only activities and calls the asker may see.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select

from copilot.core.domain import Citation
from copilot.core.errors import NotFound
from copilot.core.visibility import Scope
from knowledge.crm.models import Account, Activity, Call, Deal, StageChange, User
from knowledge.crm.scoping import apply_scope, require_records
from knowledge.crm.store import CrmStore

CALL_SECTIONS = ("pains", "objections", "competitors", "next_steps", "risks")


class SummaryLine(BaseModel):
    section: str
    text: str
    citation: Citation | None = None


class TimelineItem(BaseModel):
    at: datetime
    kind: str = Field(description="opened | stage | close_date | amount | closed | email | meeting | note | task | call")
    title: str
    detail: str = ""
    who: str | None = None
    citation: Citation
    summary: list[SummaryLine] = Field(default_factory=list, description="a call's summary, item by item")


class DealTimeline(BaseModel):
    deal_id: str
    deal: str
    account_id: str | None
    account: str | None
    owner: str | None
    stage: str
    amount: float | None
    close_date: date | None
    pushes: int = Field(description="times the close date moved later")
    items: list[TimelineItem] = Field(default_factory=list)

    def render(self) -> str:
        lines = [f"{self.deal} ({self.stage}, {self.account or '-'}): {len(self.items)} events, "
                 f"close date pushed {self.pushes} time(s)"]
        for it in self.items:
            lines.append(f"{it.at:%Y-%m-%d} {it.kind}: {it.title}" + (f" ({it.who})" if it.who else "")
                         + (f" - {it.detail}" if it.detail else "") + f" [{it.citation.record}]")
            lines += [f"    {s.section}: {s.text}" for s in it.summary]
        return "\n".join(lines)


def _brief(text: str | None, n: int = 240) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "..."


def _day(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time())


def _history(deal: Deal, rows: list[StageChange], names: dict[str, str]) -> tuple[list[TimelineItem], int]:
    items: list[TimelineItem] = []
    pushes = 0
    prev: StageChange | None = None
    for ch in rows:
        cite = Citation(source_id=f"crm:deal:{deal.id}", title=deal.name, kind="crm", record=f"deal:{deal.id}",
                        field="history")
        who = names.get(ch.changed_by or "")
        at = _day(ch.changed_on)
        if prev is None:
            items.append(TimelineItem(at=at, kind="opened", title=f"opened at {ch.to_stage}", who=who, citation=cite,
                                      detail=f"close date {ch.close_date}" if ch.close_date else ""))
        else:
            if ch.to_stage != prev.to_stage:
                items.append(TimelineItem(at=at, kind="stage", title=f"{prev.to_stage} -> {ch.to_stage}", who=who,
                                          citation=cite))
            if ch.close_date and prev.close_date and ch.close_date != prev.close_date:
                later = ch.close_date > prev.close_date
                pushes += later
                items.append(TimelineItem(at=at, kind="close_date", who=who, citation=cite,
                                          title=f"close date {'pushed' if later else 'pulled in'}: "
                                                f"{prev.close_date} -> {ch.close_date}",
                                          detail=f"{abs((ch.close_date - prev.close_date).days)} days"))
            if ch.amount is not None and prev.amount is not None and ch.amount != prev.amount:
                items.append(TimelineItem(at=at, kind="amount", title=f"amount {prev.amount:,.0f} -> {ch.amount:,.0f}",
                                          who=who, citation=cite))
        prev = ch
    return items, pushes


def _call_lines(summary: dict | None) -> list[SummaryLine]:  # type: ignore[type-arg]
    sections = (summary or {}).get("sections") or {}
    out = []
    for sec in CALL_SECTIONS:
        for item in sections.get(sec) or []:
            cites = item.get("citations") or []
            out.append(SummaryLine(section=sec, text=_brief(str(item.get("text") or ""), 300),
                                   citation=Citation.model_validate(cites[0]) if cites else None))
    return out


def deal_timeline(crm: CrmStore, scope: Scope, ref: str) -> DealTimeline:
    require_records(scope, "deal timelines")
    ref = (ref or "").strip()
    with crm.session() as s:
        q = apply_scope(select(Deal), scope, Deal)
        deal = s.scalar(q.where(Deal.id == ref)) or next(
            (d for d in s.scalars(q.where(Deal.name == ref))), None)
        if deal is None:
            raise NotFound(f"no deal {ref!r} among the deals you can see", hint="use the deal's id or exact name")
        names = {uid: name for uid, name in s.execute(select(User.id, User.name))}
        account = s.get(Account, deal.account_id) if deal.account_id else None
        history = list(s.scalars(select(StageChange).where(StageChange.deal_id == deal.id)
                                 .order_by(StageChange.changed_on, StageChange.id)))
        items, pushes = _history(deal, history, names)
        if not history and deal.created_on:
            items.append(TimelineItem(at=_day(deal.created_on), kind="opened", title="opened",
                                      citation=Citation(source_id=f"crm:deal:{deal.id}", title=deal.name, kind="crm",
                                                        record=f"deal:{deal.id}", field="created_on")))
        if deal.closed_on and deal.is_closed:
            items.append(TimelineItem(at=_day(deal.closed_on), kind="closed", title=deal.stage.replace("_", " "),
                                      detail=_brief(deal.loss_reason), citation=Citation(
                                          source_id=f"crm:deal:{deal.id}", title=deal.name, kind="crm",
                                          record=f"deal:{deal.id}", field="closed_on")))
        for a in s.scalars(apply_scope(select(Activity).where(Activity.deal_id == deal.id), scope, Activity)):
            title = a.subject or a.kind
            detail = _brief(a.body) + (f" (due {a.due_on}, {a.status or 'open'})" if a.kind == "task" and a.due_on else "")
            items.append(TimelineItem(at=a.occurred_at, kind=a.kind, title=title, detail=detail,
                                      who=names.get(a.owner_id or ""),
                                      citation=Citation(source_id=f"crm:activity:{a.id}", title=title, kind="crm",
                                                        record=f"activity:{a.id}", snippet=_brief(a.body, 160))))
        for c in s.scalars(apply_scope(select(Call).where(Call.deal_id == deal.id), scope, Call)):
            summary = c.summary or {}
            context = (summary.get("sections") or {}).get("context") or [{}]
            items.append(TimelineItem(at=c.occurred_at, kind="call", title=c.title, who=names.get(c.owner_id or ""),
                                      detail=_brief(str(context[0].get("text") or "")),
                                      citation=Citation(source_id=f"call:{c.id}", title=c.title, kind="call",
                                                        record=f"call:{c.id}"),
                                      summary=_call_lines(summary)))
        items.sort(key=lambda it: (it.at, it.kind != "opened"))
        return DealTimeline(deal_id=deal.id, deal=deal.name, account_id=deal.account_id,
                            account=account.name if account else None, owner=names.get(deal.owner_id or ""),
                            stage=deal.stage, amount=deal.amount, close_date=deal.close_date, pushes=pushes,
                            items=items)
