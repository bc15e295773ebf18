"""Call audio shared with the bot: download it (``files.info`` + ``url_private`` with the bot token),
transcribe and summarize it (``Copilot.calls``), and propose the follow-up when the call can be tied to
a deal the person may see (the account name in the message or the file name)."""

from __future__ import annotations

import logging
import re
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import select

from copilot.core.domain import OPEN_STAGES
from copilot.core.errors import UserError
from copilot.core.visibility import Scope
from integrations.slack import blocks as bk
from integrations.slack.runtime import SlackRuntime, Where
from knowledge.crm.models import Account, Deal
from knowledge.crm.scoping import apply_scope

log = logging.getLogger("copilot.slack")
AUDIO = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
MAX_BYTES = 200 * 1024 * 1024


def is_audio(file: dict[str, Any]) -> bool:
    name = (file.get("name") or "").lower()
    return (file.get("mimetype") or "").startswith("audio/") or name.endswith(AUDIO)


def find_deal(crm: Any, scope: Scope, text: str) -> str | None:
    """The open deal whose account name (or its first word) appears in ``text``, among visible deals."""
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    low = text.lower()
    with crm.session() as s:
        stmt = (select(Deal.id, Account.name).join(Account, Account.id == Deal.account_id)
                .where(Deal.stage.in_([st.value for st in OPEN_STAGES])).order_by(Deal.updated_at.desc()))
        rows = s.execute(apply_scope(stmt, scope, Deal)).all()
    for deal_id, name in rows:
        if name and name.lower() in low:
            return deal_id
    for deal_id, name in rows:
        first = re.findall(r"[a-z0-9]+", (name or "").lower())
        if first and len(first[0]) > 3 and first[0] in words:
            return deal_id
    return None


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


def process_call_file(rt: SlackRuntime, client: Any, where: Where, file_id: str, *, text: str = "",
                      bot_user: str | None = None) -> None:
    """Download, transcribe, summarize, propose the follow-up, reply in the thread. Once per file."""
    try:
        if not rt.dedupe.claim(f"file:{file_id}"):
            return
        principal = rt.principal_or_explain(client, where)
        if principal is None:
            return
        file = client.files_info(file=file_id)["file"]
        if not is_audio(file):
            return
        if where.thread_ts is None:
            where.thread_ts = share_ts(file, where.channel)
        scope = rt.cp.scope(principal)
        path = download(file, rt.bot_token, rt.cp.settings.resolved_home / "uploads" / "slack")
        deal_id = find_deal(rt.cp.crm, scope, f"{text} {file.get('title') or ''} {file.get('name') or ''}")
        calls = rt.cp.calls
        title = file.get("title") or file.get("name") or "Call"
        call_id, summary, _ = calls.summarize_call(path, deal_id=deal_id, scope=scope, title=title)
        refs: list[Any] = []
        note = None
        if deal_id:
            refs = calls.draft_followup(call_id, scope=scope).get("actions", [])
        else:
            note = ("I could not tie this call to one of your open deals, so I proposed no follow-up. Share it again "
                    "with the account name in the message to store it on the deal.")
        from copilot.core.domain import ActionRef

        action_refs = [ActionRef.model_validate(r) for r in refs]
        body = summary.model_dump(mode="json")
        private = not where.is_dm and not rt.identity.everyone_may_see(client, where.channel, scope,
                                                                                 skip={bot_user} if bot_user else set())
        rt.say(client, where, f"Summary of {title}", private=private,
               blocks=bk.call_summary_blocks(title, body, action_refs, note))
        rt.deliver_cards(client, action_refs, asker=where)
    except Exception as exc:  # noqa: BLE001 - every failure gets a reply
        rt.fail(client, where, exc)
