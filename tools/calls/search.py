"""search_calls: what was said on recorded calls, as transcript segments with timestamps, within scope."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select

from copilot.core.domain import Citation
from knowledge.crm.models import Account, Call
from knowledge.crm.scoping import apply_scope, require_records
from tools._crm import find_account
from tools.context import ToolContext, ToolResult

_STOP = set(["came", "come", "comes", "up", "raise", "raised", "bring", "brought", "were", "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were", "be", "with", "how", "do", "we", "i", "you", "our", "my", "what", "which", "who", "when", "where", "why", "does", "did", "can", "should", "they", "them", "it", "this", "that", "about", "at", "as", "by", "from", "said", "say", "says", "mention", "mentioned", "ask", "asked", "call", "calls", "last", "latest", "recent", "their", "there", "any", "what's", "tell", "told", "talk", "talked", "customer", "buyer", "prospect"])


def terms(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


_MONEY = {"price", "pricing", "cost", "budget", "discount", "free", "hundred", "thousand", "percent", "cheaper", "expensive", "quote", "seat", "license", "licence",
          "spend", "afford", "fee", "invoice", "payment", "dollar", "per", "tier", "roi"}
_WORRY = {"concern", "concerned", "worried", "worry", "risk", "issue", "problem", "hesitant", "unsure", "however",
          "difficult", "hard", "blocker", "block", "pushback", "approval", "security", "compliance", "hipaa", "gdpr", "soc",
          "integration", "legacy", "migration", "cheaper", "expensive", "competitor", "alternative", "timeline", "slow"}
# A topic word of the question stands for the words people use on a call: 'pricing' is said as 'discount',
# 'cheaper', 'per seat'; an 'objection' as a concern, a risk, a competitor, compliance. (Stems: terms() drops an 's'.)
TOPICS: dict[str, set[str]] = {
    **{w: _MONEY for w in ("price", "pricing", "cost", "budget", "money", "commercial", "discount")},
    **{w: _WORRY for w in ("objection", "concern", "pushback", "worrie", "worry", "risk", "issue", "hesitation",
                           "blocker", "hesitancy", "reservation")},
    **{w: {"competitor", "alternative", "evaluating", "compare", "comparing", "versu", "vendor", "switch", "cheaper"}
       for w in ("competitor", "competition", "alternative", "rival")},
    **{w: {"timeline", "quarter", "month", "week", "deadline", "date", "launch", "live", "start", "kickoff", "by"}
       for w in ("timeline", "timing", "deadline")},
    **{w: {"security", "compliance", "soc", "hipaa", "gdpr", "sso", "encryption", "audit", "privacy", "legal"}
       for w in ("security", "compliance", "legal", "privacy")},
    **{w: {"integration", "integrate", "api", "connector", "legacy", "migrate", "migration", "warehouse", "system"}
       for w in ("integration", "technical", "tech", "architecture")},
    "step": {"next", "send", "schedule", "pilot", "kickoff", "follow", "plan", "trial", "meeting", "demo"},
}


def expand(asked: set[str]) -> set[str]:
    """The question's terms and the words on a call that its topic words stand for."""
    out = set(asked)
    for t in asked:
        out |= TOPICS.get(t, set())
    return out


class SearchCallsArgs(BaseModel):
    query: str = Field(description="what was said, in plain words (e.g. 'security concerns', 'budget')")
    account: str | None = Field(default=None, description="only calls with this account (name or id)")
    speaker: str | None = Field(default=None, description="'customer' for what the buyer said, 'rep' for our side")
    k: int = Field(default=5, ge=1, le=20)


class Segment(BaseModel):
    call_id: str
    call_title: str
    account: str | None = None
    occurred_at: datetime
    speaker: str
    start: float
    text: str


class CallSegments(ToolResult):
    query: str
    segments: list[Segment] = Field(default_factory=list)
    calls_searched: int = 0

    def render(self, first: int = 1) -> str:
        if not self.segments:
            return f"No transcript segment matches {self.query!r} ({self.calls_searched} calls searched)."
        return "\n".join(f"{self.ref(i, first)} {s.call_title} @ {int(s.start) // 60:02d}:{int(s.start) % 60:02d} "
                         f"{s.speaker}: {s.text}" for i, s in enumerate(self.segments))


def _is_rep(speaker: str) -> bool:
    return bool(re.search(r"\b(rep|sales|ae|agent|us|we|seller)\b", speaker.lower()))


def search_calls(ctx: ToolContext, args: SearchCallsArgs) -> CallSegments:
    """Find what was said on recorded calls you may see: transcript segments that match the query, each
    cited with the call and the time into it. Use it for 'what did <contact> say about X on the call'."""
    require_records(ctx.scope, "call transcripts")
    stmt = apply_scope(select(Call, Account.name).outerjoin(Account, Call.account_id == Account.id), ctx.scope, Call)
    if args.account:
        stmt = stmt.where(Call.account_id == find_account(ctx, args.account).id)
    with ctx.crm.session() as s:
        calls = list(s.execute(stmt.order_by(Call.occurred_at.desc())))
    asked = terms(args.query)
    # "on sam's call": whose call it was, not whose words are wanted
    asked -= {w.rstrip("s") for w in re.findall(r"\b(\w+)'s\s+(?:\w+\s+)?(?:call|meeting|demo)", args.query.lower())}
    scored: list[tuple[float, int, Segment]] = []
    for rank, (call, account) in enumerate(calls):
        roles = {str(a.get("name")): str(a.get("role")) for a in call.attendees or [] if isinstance(a, dict)}
        name_terms = {t for n in roles for t in terms(n)}
        named = {n for n in roles if terms(n) & asked}  # "what did Dana say": Dana's own words only
        want = expand(asked - name_terms - terms(account or ""))
        for seg in call.transcript or []:
            speaker = str(seg.get("speaker") or "speaker")
            rep = roles.get(speaker) == "rep" or speaker not in roles and _is_rep(speaker)
            if args.speaker == "customer" and rep or args.speaker == "rep" and not rep or named and speaker not in named:
                continue
            text = str(seg.get("text") or "").strip()
            overlap = len(want & terms(text))
            if overlap == 0 and want:
                continue
            score = overlap + 0.2 * (not rep) - 0.05 * rank
            scored.append((score, len(scored), Segment(call_id=call.id, call_title=call.title, account=account,
                                                       occurred_at=call.occurred_at, speaker=speaker,
                                                       start=float(seg.get("start") or 0.0), text=text)))
    best = [seg for _, _, seg in sorted(scored, key=lambda x: (-x[0], x[1]))[: args.k]]
    cites = [Citation(source_id=f"call:{seg.call_id}", title=seg.call_title, kind="call", timestamp=seg.start,
                      snippet=f"{seg.speaker}: {seg.text[:200]}") for seg in best]
    newest = max((c.occurred_at for c, _ in calls), default=None)
    return CallSegments(query=args.query, segments=best, calls_searched=len(calls), citations=cites, newest=newest)
