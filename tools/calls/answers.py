"""Offline answers for the calls capability: quotes from call transcripts ("what did they say on the
call"), each cited with the call and the time into it; call summaries; drafted follow-ups."""

from __future__ import annotations

import re

from tools.account_timeline import AccountTimelineArgs, account_timeline
from tools.calls.search import SearchCallsArgs, search_calls
from tools.calls.tools import DraftFollowupArgs, SummarizeCallArgs, draft_followup, summarize_call
from tools.compose import Composer
from tools.context import ToolContext
from tools.entities import Entities

CALL_QUESTION = re.compile(
    r"\b(on|in|during|from) (the|our|my|their|that|this|last|latest|recent|today'?s) (\w+ )?(call|meeting|demo|"
    r"conversation|discovery|check-in)s?\b(?!\s+(?:stage|instance|environment|env|site|repo|server|org|account|video|script|deck|data))|\bwhat did (?!we (win|lose|close))[\w .'-]{1,40} (say|mention|ask|tell|raise|think|want|"
    r"object|complain|push back)|\bsaid (on|in|about|during)\b|\bdid [\w .'-]{1,40} (mention|bring up|raise|ask about)\b|"
    r"\bon the call\b|\bin the transcript\b", re.I)


# 'What should I cover in the discovery call', 'who should be on the call': how to run a call, a question for the
# library; a call question reports what was said ('what did they say', 'what came up', 'did they mention').
HOW_TO = re.compile(r"\b(should|shall|must|do we|do i|can i|can we|how (do|to|should|can)|what to|who to|best way)\b", re.I)
REPORTED = re.compile(r"\b(did|said|mentioned|asked|raised|told|brought up|came up|talked about|discussed|objected|"
                      r"complained|pushed back|agreed|promised|committed|wanted|worried)\b", re.I)


def is_call_question(question: str) -> bool:
    if HOW_TO.search(question) and not REPORTED.search(question):
        return False
    return bool(CALL_QUESTION.search(question)) and not re.search(
        r"\b(summari[sz]e|recap|follow[- ]?up(?!\s+(?:call|meeting|demo)))\b", question, re.I)  # 'the follow up call' is a call


def call_quotes(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    customer = bool(re.search(r"\b(they|customer|buyer|prospect|client|he|she)\b", question, re.I)) or bool(ent.account_id)
    res = search_calls(ctx, SearchCallsArgs(query=question, account=ent.account_id, k=4,
                                            speaker="customer" if customer else None))
    c.used("search_calls", res)
    if not res.segments:
        where = f" with {ent.account_name}" if ent.account_name else ""
        c.add(f"I found nothing matching that in the {res.calls_searched} recorded call(s){where} you can see."
              if res.calls_searched else f"There is no call recording{where} that you can see.")
        return _logged_meetings(ctx, c, ent) if ent.account_id else 0.3
    first = res.segments[0]
    c.add(f"From the call transcripts ({res.calls_searched} call(s) searched):")
    for seg, cit in zip(res.segments, res.citations, strict=True):
        stamp = f"{int(seg.start) // 60:02d}:{int(seg.start) % 60:02d}"
        c.add(f"- **{seg.speaker}** on *{seg.call_title}* at {stamp}: \"{seg.text}\" {c.cite(cit)}")
    return 0.75 if first.account else 0.6


def _logged_meetings(ctx: ToolContext, c: Composer, ent: Entities) -> float:
    """No recording, but the rep logged the meeting: its notes (what was discussed, objections, next steps), newest
    first and quoted as written, for 'what came up on my last call with X'."""
    tl = account_timeline(ctx, AccountTimelineArgs(account=ent.account_id or "", kinds=["meeting", "call"], limit=2,
                                                   whole=True))
    logged = [(e, cit) for e, cit in zip(tl.events, tl.citations, strict=True) if e.detail]
    if not logged:
        return 0.3
    c.used("account_timeline", tl)
    c.add(f"The notes logged for the latest meeting(s) with {tl.account}, as written:")
    for e, cit in logged:
        c.add(f"- **{e.at:%Y-%m-%d} {e.title}**" + (f" ({e.who})" if e.who else "") + f" {c.cite(cit)}")
        c.add(f"  > {e.detail}")
    return 0.7


def call_summary(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    res = summarize_call(ctx, SummarizeCallArgs(account=ent.account_name or ent.account_id))
    c.used("summarize_call", res)
    refs = " ".join(c.cite(x) for x in res.citations[:8])
    c.add(res.markdown.replace("# ", "### ", 1))
    c.add(f"\nTranscript segments cited: {refs}")
    return 0.75


def followup(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    res = draft_followup(ctx, DraftFollowupArgs(account=ent.account_name or ent.account_id))
    c.used("draft_followup", res)
    ctx.proposed.extend(res.actions)
    e = res.email
    c.add(f"Drafted a follow-up to {', '.join(e.get('to') or [])} {c.cite(res.citations[0])}")
    c.add(f"**Subject:** {e.get('subject')}\n\n{e.get('body', '')}")
    c.add("\nWaiting for your approval (nothing is sent or changed until you approve):")
    for a in res.actions:
        c.add(f"- `{a.id}` {a.kind}: {a.summary}")
    return 0.75


HANDLERS = {"call_quotes": call_quotes, "call_summary": call_summary, "followup": followup}
