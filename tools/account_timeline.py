"""account_timeline: what happened with an account, newest first (emails, meetings, notes, calls, stage moves)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select

from copilot.core.domain import Citation
from knowledge.crm.models import Activity, Call, Deal, StageChange
from knowledge.crm.scoping import apply_scope
from tools._crm import find_account, user_names
from tools.context import ToolContext, ToolResult, newest_of


class AccountTimelineArgs(BaseModel):
    account: str = Field(description="account name (fuzzy) or id")
    since: date | None = Field(default=None, description="only events on or after this date")
    limit: int = Field(default=12, ge=1, le=100)
    kinds: list[str] | None = Field(default=None, description="optional: email, meeting, note, task, call, stage")
    whole: bool = Field(default=False, description="give each activity's notes whole, not a 220-character brief")


class TimelineEvent(BaseModel):
    at: datetime
    kind: str
    title: str
    detail: str = ""
    who: str | None = None
    record: str


class Timeline(ToolResult):
    account: str
    events: list[TimelineEvent] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        if not self.events:
            return f"No recorded activity for {self.account}."
        return f"Timeline of {self.account}, newest first:\n" + "\n".join(
            f"{self.ref(i, first)} {e.at:%Y-%m-%d} {e.kind}: {e.title}" + (f" ({e.who})" if e.who else "")
            + (f" - {e.detail}" if e.detail else "")
            for i, e in enumerate(self.events))


def _brief(text: str | None, n: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "..."


def account_timeline(ctx: ToolContext, args: AccountTimelineArgs) -> Timeline:
    """The account's recent history you may see, newest first: emails, meetings and their notes, notes,
    tasks, recorded calls and deal stage changes. Use it for 'what's the latest with <account>' or
    'what did we discuss with <account> last week'."""
    acc = find_account(ctx, args.account)
    names = user_names(ctx)
    since = datetime.combine(args.since, datetime.min.time()) if args.since else datetime.min
    kinds = set(args.kinds or [])
    events: list[TimelineEvent] = []
    with ctx.crm.session() as s:
        if not kinds or kinds - {"call", "stage"}:
            q = apply_scope(select(Activity).where(Activity.account_id == acc.id, Activity.occurred_at >= since),
                            ctx.scope, Activity)
            if kinds:
                q = q.where(Activity.kind.in_(sorted(kinds)))
            for a in s.scalars(q.order_by(Activity.occurred_at.desc()).limit(args.limit)):
                events.append(TimelineEvent(at=a.occurred_at, kind=a.kind, title=a.subject or a.kind,
                                            detail=_brief(a.body, 1200 if args.whole else 220), who=names.get(a.owner_id or ""),
                                            record=f"activity:{a.id}"))
        if not kinds or "call" in kinds:
            q2 = apply_scope(select(Call).where(Call.account_id == acc.id, Call.occurred_at >= since), ctx.scope, Call)
            for c in s.scalars(q2.order_by(Call.occurred_at.desc()).limit(args.limit)):
                brief = (c.summary or {}).get("brief") or (c.summary or {}).get("context") or ""
                events.append(TimelineEvent(at=c.occurred_at, kind="call", title=c.title, detail=_brief(str(brief)),
                                            who=names.get(c.owner_id or ""), record=f"call:{c.id}"))
        if not kinds or "stage" in kinds:
            q3 = apply_scope(select(StageChange, Deal.name).join(Deal, StageChange.deal_id == Deal.id)
                             .where(Deal.account_id == acc.id), ctx.scope, Deal)
            for ch, dname in s.execute(q3.order_by(StageChange.changed_on.desc()).limit(args.limit)):
                at = datetime.combine(ch.changed_on, datetime.min.time())
                if at >= since:
                    events.append(TimelineEvent(at=at, kind="stage", title=f"{dname}: {ch.from_stage or 'new'} -> {ch.to_stage}",
                                                record=f"deal:{ch.deal_id}"))
    events.sort(key=lambda e: e.at, reverse=True)
    events = events[: args.limit]
    return Timeline(
        account=acc.name, events=events,
        citations=[Citation(source_id=f"crm:{e.record}", title=f"{acc.name}: {e.title}", kind="crm", record=e.record,
                            snippet=_brief(e.detail or e.title, 160)) for e in events],
        newest=newest_of(*[e.at for e in events if e.kind != "stage"]),
    )
