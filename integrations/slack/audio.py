"""Call audio shared with the bot: queued as a job (``slack_call``) that a queue worker runs: download it
(``files.info`` + ``url_private`` with the bot token), transcribe and summarize it, propose the follow-up
once when the call can be tied to a deal the person may see (the account name in the message or the file
name), and reply in the thread."""

from __future__ import annotations

import logging
import re
import urllib.request
from pathlib import Path
from typing import Any

from copilot.app import Job
from copilot.core.domain import ActionRef
from copilot.core.errors import UserError
from integrations.slack import blocks as bk
from integrations.slack.runtime import SlackRuntime, Where

log = logging.getLogger("copilot.slack")
AUDIO = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
MAX_BYTES = 200 * 1024 * 1024


def is_audio(file: dict[str, Any]) -> bool:
    name = (file.get("name") or "").lower()
    return (file.get("mimetype") or "").startswith("audio/") or name.endswith(AUDIO)


def download(file: dict[str, Any], token: str | None, folder: Path) -> Path:
    url = file.get("url_private_download") or file.get("url_private")
    if not url:
        raise UserError("Slack gave me no download link for that file", hint="share the file again")
    size = int(file.get("size") or 0)
    if size > MAX_BYTES:
        raise UserError(f"{file.get('name')} is {size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB",
                        hint="share a shorter recording or a compressed format (ogg, mp3)")
    suffix = Path(file.get("name") or "call").suffix.lower() or ".audio"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9_-]', '', file.get('id') or 'file')}{suffix}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - Slack's file URL
        data = resp.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UserError(f"{file.get('name')} is larger than {MAX_BYTES / 1e6:.0f} MB")
    path.write_bytes(data)
    return path


def share_ts(file: dict[str, Any], channel: str) -> str | None:
    """The ts of the message that shared the file in ``channel`` (to reply in its thread)."""
    for kind in ("private", "public"):
        shares = ((file.get("shares") or {}).get(kind) or {}).get(channel) or []
        if shares:
            return shares[0].get("thread_ts") or shares[0].get("ts")
    return None


SLACK_CALL = "slack_call"  # the queue job that transcribes a shared recording and replies in its thread


def process_call_file(rt: SlackRuntime, client: Any, where: Where, file_id: str, *, text: str = "",
                      bot_user: str | None = None) -> None:
    """Queue a shared recording (once per file) for a queue worker: a long call is never transcribed on the
    Slack app's threads, and a worker that dies mid-way leaves a job that is retried or failed."""
    try:
        if not rt.cp.chat_claim(f"file:{file_id}"):
            return
        principal = rt.principal_or_explain(client, where)
        if principal is None:
            return
        args = {"file_id": file_id, "text": text, "bot_user": bot_user, "channel": where.channel, "user": where.user,
                "thread_ts": where.thread_ts, "channel_type": where.channel_type}
        rt.cp.jobs_submit(principal, SLACK_CALL, f"slack:{file_id}", args)
    except Exception as exc:  # noqa: BLE001 - every failure gets a reply
        rt.fail(client, where, exc)


def register_jobs(rt: SlackRuntime, client: Any) -> None:
    """Teach this process's queue consumer the Slack job (the API server's, and 'copilot worker' when the
    Slack tokens are set)."""
    rt.cp.jobs_register(SLACK_CALL, lambda job: summarize_shared_call(rt, client, job), retry_safe=True)


def summarize_shared_call(rt: SlackRuntime, client: Any, job: Job) -> dict[str, Any]:
    """The job: download, transcribe, summarize, propose the follow-up once, reply in the thread."""
    a = job.args or {}
    where = Where(channel=a["channel"], user=a["user"], thread_ts=a.get("thread_ts"), channel_type=a.get("channel_type"))
    try:
        principal = rt.cp.principal(job.user_id)
        file = client.files_info(file=a["file_id"])["file"]
        if not is_audio(file):
            return {"skipped": "not audio"}
        if where.thread_ts is None:
            where.thread_ts = share_ts(file, where.channel)
        path = download(file, rt.bot_token, rt.cp.settings.resolved_home / "uploads" / "slack")
        title = file.get("title") or file.get("name") or "Call"
        result = rt.cp.process_call_once(principal, path, title=title,
                                         match_text=f"{a.get('text') or ''} {file.get('title') or ''} {file.get('name') or ''}")
        note = None
        if not result.deal_id:
            note = ("I could not tie this call to one of your open deals, so I proposed no follow-up. Share it again "
                    "with the account name in the message to store it on the deal.")
        action_refs = [ActionRef.model_validate(r) for r in result.actions]
        body = result.summary.model_dump(mode="json")
        bot_user = a.get("bot_user")
        private = not where.is_dm and not rt.identity.everyone_may_see(client, where.channel, principal,
                                                                       skip={bot_user} if bot_user else set())
        rt.say(client, where, f"Summary of {title}", private=private,
               blocks=bk.call_summary_blocks(title, body, action_refs, note))
        rt.deliver_cards(client, action_refs, asker=where)
        return {"call_id": result.call_id, "deal_id": result.deal_id, "actions": [r.id for r in action_refs]}
    except Exception as exc:
        rt.fail(client, where, exc)  # the person hears of it; the job is marked failed
        raise
