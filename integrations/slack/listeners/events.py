"""Events: mentions in channels, direct messages, call audio shares (``file_shared`` or a message with files)
and role-play turns in a bound DM thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from integrations.slack import roleplay
from integrations.slack.audio import is_audio, process_call_file
from integrations.slack.runtime import SlackRuntime, Where

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "channel_leave",
                    "thread_broadcast", "message_replied"}


def _ack(ack: Any) -> None:
    ack()


def _where(event: dict[str, Any], *, thread: bool = True) -> Where:
    ts = event.get("thread_ts") or (event.get("ts") if thread else None)
    return Where(channel=event.get("channel", ""), user=event.get("user", ""), thread_ts=ts,
                 channel_type=event.get("channel_type"))


def register(app: App, rt: SlackRuntime) -> None:
    def audio_files(event: dict[str, Any]) -> list[dict[str, Any]]:
        return [f for f in event.get("files") or [] if is_audio(f)]

    def on_mention(event: dict[str, Any], client: Any, context: Any) -> None:
        where = _where(event)
        files = audio_files(event)
        if files:
            for f in files:
                process_call_file(rt, client, where, f["id"], text=event.get("text", ""), bot_user=context.bot_user_id)
            return
        rt.answer(client, where, event.get("text", ""), bot_user=context.bot_user_id)

    def on_message(event: dict[str, Any], client: Any, context: Any) -> None:
        if event.get("bot_id") or event.get("subtype") in IGNORED_SUBTYPES or not event.get("user"):
            return
        where = _where(event)
        if not where.is_dm:
            return  # channel messages reach us as app_mention
        row = roleplay.bound_session(rt, where.channel, event.get("thread_ts"))
        if row is not None:
            roleplay.turn(rt, client, where, row, event.get("text", ""))
            return
        files = audio_files(event)
        if files:
            for f in files:
                process_call_file(rt, client, where, f["id"], text=event.get("text", ""), bot_user=context.bot_user_id)
            return
        if event.get("subtype") == "file_share":
            rt.say(client, where, "I can summarize call recordings (wav, flac, mp3, m4a, ogg, opus); "
                                  "that file is not one.", private=False)
            return
        rt.answer(client, where, event.get("text", ""), bot_user=context.bot_user_id)

    def on_file_shared(event: dict[str, Any], client: Any, context: Any) -> None:
        channel = event.get("channel_id") or ""
        where = Where(channel=channel, user=event.get("user_id", ""), thread_ts=None,
                      channel_type="im" if channel.startswith("D") else None)
        if not where.is_dm:
            return  # in channels only files shared with a mention are ours (app_mention)
        file_id = event.get("file_id") or (event.get("file") or {}).get("id")
        if file_id:
            process_call_file(rt, client, where, file_id, bot_user=context.bot_user_id)

    app.event("app_mention")(ack=_ack, lazy=[on_mention])
    app.event("message")(ack=_ack, lazy=[on_message])
    app.event("file_shared")(ack=_ack, lazy=[on_file_shared])
