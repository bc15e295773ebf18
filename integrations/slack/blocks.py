"""Block Kit rendering: pure functions from the project's values to Slack payloads (snapshot-tested).

Nothing here calls Slack or the copilot; listeners fetch, these render. Texts are cut to Slack's limits
(3,000 characters per section, 50 blocks per message).
"""

from __future__ import annotations

import json
import re
from typing import Any

from copilot.app import Action
from copilot.core.domain import ActionRef, Answer, Citation
from copilot.core.i18n import t
from copilot.core.output_policy import host, sanitize

SECTION_MAX = 2900
MAX_CITATIONS = 10
APPROVE, EDIT, REJECT = "action_approve", "action_edit", "action_reject"
HELPFUL, NOT_HELPFUL = "feedback_helpful", "feedback_not_helpful"

HELP = """*Sales Copilot* answers from your CRM, calls and the case library, with sources.
• Mention me in a channel or DM me a question; follow up in the same thread.
• Share call audio with me (DM, or mention me with the file and the account name) for a summary and follow-ups.
• `/copilot ask <question>`: a private answer
• `/copilot forecast [team or rep]`: the forecast you may see
• `/copilot forecast call 1.2m | scoreboard | health | interventions`: your call, AI vs human, model health, next actions
• `/copilot health [account | scan | value account]`: customer health with reasons; `scan` runs the daily scan now
• `/copilot trust`: your newest answers with confidence, sources and bias hints
• `/copilot config [show | validate | history] NAME`: sales ops' rules and templates (admins)
• `/copilot actions`: your pending proposals, as cards in our DM
• `/copilot roleplay [scenario]`: practise a call; reply in the thread, say `done` to get scored
• `/copilot assign TRAINEE | SCENARIO | date` (managers), `/copilot assignments`: assigned role-play scenarios
• `/copilot sessions [trainee]`: role-play sessions with their scores (yours, or your team's)
• `/copilot needs [account]`, `/copilot tag ACCOUNT | THEME | note`: customer needs and pre-sales tags
• `/copilot timeline DEAL`, `/copilot forecast history`: a deal's story; forecast against actual
• `/copilot help`: this message"""


def to_mrkdwn(text: str) -> str:
    """Markdown from the answer engines to Slack mrkdwn: **bold**, [text](url), # headings."""
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text or "")
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"<\2|\1>", text)
    return re.sub(r"(?m)^#{1,6}\s+(.+)$", r"*\1*", text)


def _cut(text: str, limit: int = SECTION_MAX) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text) or " "}}


def context(*parts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(p, 1900)} for p in parts if p][:10]}


def text_blocks(text: str) -> list[dict[str, Any]]:
    return [mrkdwn(text)]


def help_blocks() -> list[dict[str, Any]]:
    return [mrkdwn(HELP)]


def unmapped_text(slack_user: str) -> str:
    return (f"I don't know who you are in the CRM yet, so I can't show you any CRM data. Ask a copilot admin to "
            f"run `copilot slack map {slack_user} <your CRM email>` (or make your Slack email match your CRM "
            f"email), then ask again.")


def error_text(message: str) -> str:
    return f":warning: {_cut(message, 1500)}"


def citation_line(n: int, c: Citation) -> str:
    icon = {"document": ":page_facing_up:", "crm": ":card_index:", "call": ":telephone_receiver:"}.get(c.kind, "")
    label = c.location()
    if c.url:
        label = f"<{c.url}|{label}>"
    return f"{n}. {icon} {label}"


def confidence_label(value: float, lang: str = "en") -> str:
    word = t("high" if value >= 0.75 else "medium" if value >= 0.45 else "low", lang)
    return f"{t('confidence', lang)} {word} ({value:.0%})"


def freshness_label(answer: Answer) -> str:
    f, lang = answer.freshness, answer.language
    if f.newest is None:
        return t("no_crm", lang)
    age = (t("hours", lang, n=f"{f.age_hours:.0f}") if (f.age_hours or 0) < 48
           else t("days", lang, n=f"{(f.age_hours or 0) / 24:.1f}"))
    return (":warning: " if f.stale else "") + t("synced", lang, age=age, when=f"{f.newest:%Y-%m-%d %H:%M}")


def answer_blocks(answer: Answer, answer_id: str) -> list[dict[str, Any]]:
    """The answer, numbered citations, a context line (mode, confidence, freshness), proposed actions and
    the feedback pair (their value is the answer id, so a vote is logged against this exact answer)."""
    # Slack unfurls images: none at all here, and links only to the answer's own sources
    text = sanitize(answer.text, [host(c.url) for c in answer.citations if c.url], images=False).text
    blocks: list[dict[str, Any]] = [mrkdwn(to_mrkdwn(text))]
    lang = answer.language  # the frame speaks the answer's language
    if answer.citations:
        shown = answer.citations[:MAX_CITATIONS]
        more = len(answer.citations) - len(shown)
        lines = [citation_line(i, c) for i, c in enumerate(shown, 1)]
        if more > 0:
            lines.append(t("more", lang, n=more))
        blocks.append(context(f"*{t('sources', lang)}*\n" + "\n".join(lines)))
    notes = [*answer.notes, *([answer.freshness.warning] if answer.freshness.warning else [])]
    if notes:
        blocks.append(context(*[f":information_source: {n}" for n in dict.fromkeys(notes)]))
    if answer.actions:
        lines = [f"• {a.summary} (`{a.id}`)" for a in answer.actions]
        blocks.append(mrkdwn(f"*{t('proposed', lang)}* {t('proposed_note', lang)}\n" + "\n".join(lines)))
    mode = t("offline" if answer.mode == "offline" else "llm", lang)
    blocks.append(context(f"{mode} · {confidence_label(answer.confidence, lang)} · {freshness_label(answer)}"))
    blocks.append({"type": "actions", "block_id": f"feedback:{answer_id}", "elements": [
        {"type": "button", "action_id": HELPFUL,
         "text": {"type": "plain_text", "text": f":thumbsup: {t('helpful', lang)}"}, "value": answer_id},
        {"type": "button", "action_id": NOT_HELPFUL, "value": answer_id,
         "text": {"type": "plain_text", "text": f":thumbsdown: {t('not_helpful', lang)}"}}]})
    return blocks


def answer_fallback(answer: Answer) -> str:
    return _cut(answer.text, 1000)


# -- approval cards ---------------------------------------------------------------------------------
def button_value(action: Action) -> str:
    """What an approval button carries: the action id and the hash of the payload shown on the card."""
    return f"{action.id}|{action.payload_hash}"


def parse_button_value(value: str) -> tuple[str, str]:
    action_id, _, shown = (value or "").partition("|")
    return action_id, shown


def payload_text(action: Action) -> str:
    p = action.payload
    if action.kind == "send_email":
        head = f"*To:* {', '.join(p.get('to', []))}" + (f"\n*Cc:* {', '.join(p['cc'])}" if p.get("cc") else "")
        return f"{head}\n*Subject:* {p.get('subject', '')}\n```{_cut(p.get('body', ''), 2400)}```"
    if action.kind == "update_deal":
        return f"*Deal* `{p.get('deal_id')}`\n" + "\n".join(f"• {k}: {v}" for k, v in (p.get("fields") or {}).items())
    return "```" + _cut(json.dumps(p, indent=1, ensure_ascii=False), 2600) + "```"


def approval_card(action: Action, *, decided_by: str | None = None, note: str | None = None) -> list[dict[str, Any]]:
    """A proposed action for its owner: payload, rationale, citations, confidence and the three buttons;
    once decided, the buttons give way to the outcome and who decided."""
    blocks: list[dict[str, Any]] = [
        mrkdwn(f"*{action.summary()}*\n_{action.kind.replace('_', ' ')} proposed by {action.tool}_"),
        mrkdwn(payload_text(action)),
        mrkdwn(f"*Why:* {action.rationale}"),
    ]
    if action.citations:
        blocks.append(context("*Sources*\n" + "\n".join(citation_line(i, c) for i, c in
                                                       enumerate(action.citations[:MAX_CITATIONS], 1))))
    expires = f" · expires {action.expires_at:%Y-%m-%d %H:%M}" if action.expires_at else ""
    blocks.append(context(f"{confidence_label(action.confidence)} · `{action.id}`{expires}"))
    if action.state.value == "proposed" and decided_by is None:
        value = button_value(action)
        blocks.append({"type": "actions", "block_id": f"decide:{action.id}", "elements": [
            {"type": "button", "action_id": APPROVE, "style": "primary", "value": value,
             "text": {"type": "plain_text", "text": "Approve"}},
            {"type": "button", "action_id": EDIT, "value": value, "text": {"type": "plain_text", "text": "Edit"}},
            {"type": "button", "action_id": REJECT, "style": "danger", "value": value,
             "text": {"type": "plain_text", "text": "Reject"}}]})
    else:
        blocks.append(mrkdwn(outcome_text(action, decided_by)))
    if note:
        blocks.append(context(note))
    return blocks


def outcome_text(action: Action, decided_by: str | None) -> str:
    who = f" by {decided_by}" if decided_by else (f" by {action.decided_by}" if action.decided_by else "")
    state = action.state.value
    icon = {"executed": ":white_check_mark:", "rejected": ":no_entry_sign:", "failed": ":x:",
            "expired": ":hourglass:"}.get(state, ":arrow_forward:")
    decision = action.decision.value if action.decision else state
    text = f"{icon} *{decision.capitalize()}*{who}"
    if state != decision:
        text += f" · now *{state}*"
    if action.error:
        text += f"\n{_cut(action.error, 500)}"
    return text


def card_fallback(action: Action) -> str:
    return f"Proposed: {action.summary()} (approve, edit or reject)"


# -- calls ------------------------------------------------------------------------------------------
def call_summary_blocks(title: str, summary: dict[str, Any], actions: list[ActionRef],
                        note: str | None = None) -> list[dict[str, Any]]:
    """A call summary (``CallSummary`` as JSON) with the proposed follow-up actions."""
    blocks: list[dict[str, Any]] = [mrkdwn(f":telephone_receiver: *{title}*")]
    titles = summary.get("titles") or {}
    for sid, items in (summary.get("sections") or {}).items():
        lines = []
        for it in (items or [])[:8]:
            stamps = [c for c in it.get("citations") or [] if c.get("timestamp") is not None]
            at = f" _({Citation.model_validate(stamps[0]).location().split(' @ ')[-1]})_" if stamps else ""
            lines.append(f"• {it.get('text', '')}{at}")
        blocks.append(mrkdwn(f"*{titles.get(sid, sid.replace('_', ' ').capitalize())}*\n"
                             + ("\n".join(lines) if lines else "• (nothing said)")))
    if actions:
        blocks.append(mrkdwn("*Proposed follow-up* (cards sent to the owner for approval)\n"
                             + "\n".join(f"• {a.summary} (`{a.id}`)" for a in actions)))
    if note:
        blocks.append(context(note))
    return blocks[:50]


# -- App Home ---------------------------------------------------------------------------------------
def _rate(stats: dict[str, Any] | None) -> str:
    if not stats:
        return "no proposals yet"
    rate = stats.get("adoption_rate")
    parts = [f"{stats.get('proposed', 0)} proposed", f"{stats.get('decided', 0)} decided",
             f"adoption {rate:.0%}" if rate is not None else "adoption n/a",
             f"{stats.get('edited', 0)} edited", f"{stats.get('rejected', 0)} rejected",
             f"{stats.get('executed', 0)} executed"]
    if stats.get("median_decision_seconds") is not None:
        parts.append(f"median decision {stats['median_decision_seconds'] / 60:.0f} min")
    return " · ".join(parts)


def home_view(name: str | None, pending: list[Action], decided: list[Action], own: dict[str, Any] | None,
              team: dict[str, Any] | None, *, slack_user: str | None = None) -> dict[str, Any]:
    """The App Home tab: pending actions (with buttons), recent decisions, adoption statistics."""
    if name is None:
        return {"type": "home", "blocks": [mrkdwn("*Sales Copilot*"), mrkdwn(unmapped_text(slack_user or "<you>"))]}
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": f"Sales Copilot · {name}"}},
                                    mrkdwn(f"*Pending actions* ({len(pending)})")]
    if not pending:
        blocks.append(context("Nothing waiting for you."))
    for action in pending[:8]:
        blocks.append(mrkdwn(f"*{action.summary()}*\n_{action.rationale}_"))
        blocks.append(context(f"{confidence_label(action.confidence)} · `{action.id}`"))
        value = button_value(action)
        blocks.append({"type": "actions", "block_id": f"home:{action.id}", "elements": [
            {"type": "button", "action_id": APPROVE, "style": "primary", "value": value,
             "text": {"type": "plain_text", "text": "Approve"}},
            {"type": "button", "action_id": EDIT, "value": value, "text": {"type": "plain_text", "text": "Edit"}},
            {"type": "button", "action_id": REJECT, "style": "danger", "value": value,
             "text": {"type": "plain_text", "text": "Reject"}}]})
    if len(pending) > 8:
        blocks.append(context(f"…and {len(pending) - 8} more: `/copilot actions` sends them all as cards."))
    blocks += [{"type": "divider"}, mrkdwn("*Recent decisions*")]
    lines = [f"• {a.summary()}: *{a.decision.value if a.decision else a.state.value}*"
             + (f" by {a.decided_by}" if a.decided_by else "")
             + (f" on {a.decided_at:%Y-%m-%d}" if a.decided_at else "") for a in decided[:10]]
    blocks.append(mrkdwn("\n".join(lines)) if lines else context("No decisions yet."))
    blocks += [{"type": "divider"}, mrkdwn("*Your adoption*\n" + _rate(own))]
    if team is not None:
        blocks.append(mrkdwn("*Your team's adoption*\n" + _rate(team)))
    return {"type": "home", "blocks": blocks[:100]}
