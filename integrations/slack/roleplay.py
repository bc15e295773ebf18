"""Role-play in Slack: ``/copilot roleplay SCENARIO`` opens a DM thread where the buyer speaks; each reply in
that thread is one turn; ``done`` ends the call and posts the score. The thread is bound to the session
through the facade (``chat_bind_thread``)."""

from __future__ import annotations

from typing import Any

from copilot.app import ThreadBinding
from integrations.slack import blocks as bk
from integrations.slack.runtime import SlackRuntime, Where

END_WORDS = {"done", "/end", "end", "stop", "finish"}


def bound_session(rt: SlackRuntime, channel: str, thread_ts: str | None) -> ThreadBinding | None:
    if not thread_ts:
        return None
    return rt.cp.chat_thread(f"{channel}:{thread_ts}")


def list_scenarios(rt: SlackRuntime) -> str:
    lines = [f"• `{p.id}`: {p.title} ({p.name}, {p.role}, {p.difficulty})" for p in rt.cp.roleplay_scenarios()]
    return "*Role-play scenarios* (start one with `/copilot roleplay <id>`)\n" + "\n".join(lines)


def start(rt: SlackRuntime, client: Any, where: Where, scenario: str) -> None:
    principal = rt.principal_or_explain(client, where)
    if principal is None:
        return
    session = rt.cp.roleplay_start(principal, scenario)
    channel = client.conversations_open(users=where.user)["channel"]["id"]
    p = session.persona
    resp = client.chat_postMessage(channel=channel, text=session.opening, blocks=[
        bk.mrkdwn(f":performing_arts: *Role-play: {p.title}*\nYou are talking to {p.name}, {p.role} at {p.company}. "
                  "Reply in this thread; say `done` to end and get your score."),
        bk.mrkdwn(f"*{p.name}:* {session.opening}")])
    rt.cp.chat_bind_thread(f"{channel}:{resp['ts']}", kind="roleplay", ref=session.id, chat_user=where.user)
    rt.say(client, where, f"Started `{scenario}` in our DM; reply in its thread.")


def turn(rt: SlackRuntime, client: Any, where: Where, row: ThreadBinding, text: str) -> None:
    try:
        if row.chat_user != where.user:
            return
        principal = rt.principal_or_explain(client, where)
        if principal is None:
            return
        if text.strip().lower() in END_WORDS or rt.cp.roleplay_session(principal, row.ref).ended:
            score = rt.cp.roleplay_finish(principal, row.ref)
            failed = score.failed()
            rt.say(client, where, f"Score {score.score:.0f} ({'passed' if score.passed else 'not passed'})", private=False,
                   blocks=[bk.mrkdwn(f":trophy: *Score {score.score:.0f}* "
                                     f"({'passed' if score.passed else 'not passed'}, pass mark {score.pass_mark:.0f})"
                                     + (f"\nTo work on: {', '.join(failed[:5])}" if failed else "")),
                           bk.context(score.disclaimer)])
            return
        session, buyer = rt.cp.roleplay_turn(principal, row.ref, text)
        rt.say(client, where, buyer.text, private=False, blocks=[bk.mrkdwn(f"*{session.persona.name}:* {buyer.text}")])
        if buyer.ended:
            rt.say(client, where, "The buyer ended the call. Say `done` for your score.", private=False)
    except Exception as exc:  # noqa: BLE001 - every failure gets a reply
        rt.fail(client, where, exc)
