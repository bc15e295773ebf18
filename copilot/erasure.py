"""Erasure: remove an account, a person or a document from every store the product writes, get the deleted
bytes off the disk, and hand back a receipt that names no one. ``copilot forget`` and ``POST /v1/forget``
both call ``erase``; nothing else deletes a subject.

What happens, in this order (each step reads what the next one deletes):

1. The subject is read from the CRM before anything is deleted: record ids, and the names, emails, deal
   names and domain that copies elsewhere may hold (``knowledge.crm.erasure.subject_of_*``).
2. Actions. Pending proposals about the subject are rejected through ``ActionLedger.reject`` with the
   reason "erased: <kind> removed by request", an ordinary audited decision; approved ones nobody has run
   are withdrawn (claimed and marked failed without running, with the same reason). Then the subject's
   own actions (by account, deal or call) have every string of their payloads, rationale and result
   replaced by ``[erased]``, and other actions that mention the subject have those mentions replaced,
   through ``ActionLedger.redact``.
   *Why the audit chain survives:* no event is edited. An event's hash covers the action's
   ``payload_hash``, never the payload, so earlier events keep proving that something was proposed and
   approved, and when and by whom, without saying what. ``redact`` re-hashes the redacted payload into
   the row and appends one event per action that keeps its state (from = to) and carries the new hash,
   so ``copilot actions verify`` finds every payload matching its row and every row matching its last
   event. (The alternative, a chain that hashes payloads it tolerates losing, would need a new hash
   format and a migration of every existing event.)
   What cannot be redacted: an event's ``diff`` (an edit's old and new values) and ``note`` (a rejection
   reason, an executor error) are inside its hash, and rewriting them would read as tampering. Events
   whose diff or note mention the subject are counted in the receipt (``kept.audit_events``).
3. Conversation exchanges that mention the subject are deleted.
4. CRM rows are deleted; the rows that remain have mentions of the subject replaced.
5. Knowledge: sources tagged with the account, about a contact, or whose text or metadata mention them are
   removed from Chroma and FTS; if the CRM was indexed it is re-synced, so records that only mentioned
   the subject come back without them.
6. Files under the data directory: the subject's ``.eml`` and ``.ics`` (by action id), the call
   recordings and the files removed sources were read from, and every other file whose text mentions
   them (uploads, transcripts, role-play transcripts). Files outside the data directory were not written
   by the product: they are counted (``kept.external_files``), never deleted.
7. Tables other modules own (API jobs, Slack answers, role-play sessions): rows that mention the subject.
8. Compaction: the SQLite files are checkpointed and vacuumed, FTS5 indexes merged, and Chroma collections
   that lost items rebuilt (``KnowledgeStore.compact`` says why).
9. Verification: every file under the data directory is scanned for the names and emails; the receipt
   counts files that still hold one, by store (``residual``; expected empty).

The receipt holds counts and store names only; the subject appears as a hash of its id.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, MetaData, Table, and_, delete, inspect, select
from sqlalchemy.orm import Session

from copilot.actions.models import ActionEvent, ActionRow
from copilot.actions.schemas import State
from copilot.core.domain import Principal, Role
from copilot.core.errors import PermissionDenied, UserError
from knowledge.crm import erasure as crm_erasure
from knowledge.crm.erasure import Subject
from knowledge.mentions import Mentions, scrub_all

if TYPE_CHECKING:
    from copilot.actions.ledger import ActionLedger
    from copilot.conversations import ConversationStore
    from copilot.services import Services
    from knowledge.crm.store import CrmStore
    from knowledge.store import KnowledgeStore

# Tables owned by other modules (API, Slack, role-play) whose rows may quote a subject.
SIDE_TABLES = ("api_jobs", "slack_answers", "roleplay_sessions")
AREAS = ("outbox", "calendar", "uploads", "roleplay")
AUDIO = {".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".webm", ".mp4"}
MAX_TEXT_BYTES = 256 * 1024 * 1024


class Receipt(BaseModel):
    """What was removed where. Counts and store names only: no names, emails or raw ids."""

    subject: str = Field(description="<kind>:<sha256 of the id, 16 hex>")
    kind: str
    erased_at: str
    chunks: int = Field(default=0, description="knowledge chunks removed (also in knowledge.chunks)")
    crm: dict[str, int] = Field(default_factory=dict)
    actions: dict[str, int] = Field(default_factory=dict)
    conversations: dict[str, int] = Field(default_factory=dict)
    knowledge: dict[str, int] = Field(default_factory=dict)
    files: dict[str, int] = Field(default_factory=dict)
    tables: dict[str, int] = Field(default_factory=dict)
    compaction: dict[str, str] = Field(default_factory=dict)
    kept: dict[str, int] = Field(default_factory=dict, description="left on purpose; see copilot.erasure")
    residual: dict[str, int] = Field(default_factory=dict, description="files still holding a name, by store")

    def rows(self) -> list[tuple[str, str, str]]:
        """(store, what, count or status) for a table."""
        out: list[tuple[str, str, str]] = []
        for store in ("crm", "actions", "conversations", "knowledge", "files", "tables", "kept", "residual",
                      "compaction"):
            for what, value in getattr(self, store).items():
                out.append((store, what, str(value)))
        return out


@dataclass
class Stores:
    """Everything an erasure touches, built from the facade (or passed in by a test)."""

    crm: CrmStore
    knowledge: KnowledgeStore
    ledger: ActionLedger
    conversations: ConversationStore
    home: Path
    outbox_dir: Path
    calendar_dir: Path

    @classmethod
    def of(cls, cp: Services) -> Stores:
        from copilot.conversations import ConversationStore

        home = cp.settings.resolved_home
        return cls(crm=cp.crm, knowledge=cp.knowledge, ledger=cp.actions, conversations=ConversationStore(cp.crm),
                   home=home, outbox_dir=cp.settings.outbox_dir, calendar_dir=home / "calendar")


def subject_hash(kind: str, ref: str) -> str:
    return f"{kind}:{hashlib.sha256(f'{kind}:{ref}'.encode()).hexdigest()[:16]}"


def erase(target: Services | Stores, principal: Principal, *, account: str | None = None, contact: str | None = None,
          source: str | None = None) -> Receipt:
    """Erase one account (id or exact name), contact (id, email or exact name) or ingested source from
    every store, compact, verify, and return the receipt. Admins only."""
    if principal.role is not Role.ADMIN:
        raise PermissionDenied("only an admin may erase data", hint="ask an admin, or pass --as admin")
    if sum(x is not None for x in (account, contact, source)) != 1:
        raise UserError("erase takes exactly one of an account, a contact or a source")
    st = target if isinstance(target, Stores) else Stores.of(target)
    if source is not None:
        return _erase_source(st, source)
    if account is not None:
        subject = crm_erasure.subject_of_account(st.crm, crm_erasure.resolve_account_id(st.crm, account))
    else:
        subject = crm_erasure.subject_of_contact(st.crm, crm_erasure.resolve_contact_id(st.crm, contact or ""))
    mentions = subject.mentions()
    receipt = Receipt(subject=subject_hash(subject.kind, subject.id), kind=subject.kind,
                      erased_at=datetime.now().isoformat(timespec="seconds"))
    linked: set[Path] = set()

    receipt.actions, receipt.kept["audit_events"] = _erase_actions(st, principal, subject, mentions, linked)
    receipt.conversations = {"turns": st.conversations.forget(mentions.found)}
    if subject.kind == "account":
        receipt.crm = crm_erasure.erase_account(st.crm, subject.id)
    else:
        receipt.crm = crm_erasure.erase_contact(st.crm, subject.id)
    receipt.crm["redacted"] = crm_erasure.redact_mentions(st.crm, mentions)

    crm_indexed = bool(st.knowledge.keywords.hashes("crm:"))
    gone = st.knowledge.erase(accounts=subject.account_ids, contacts=subject.contact_ids, mentions=mentions)
    reindexed = st.knowledge.sync_crm(st.crm) if crm_indexed else None
    receipt.chunks = gone.chunks
    receipt.knowledge = {"sources": gone.sources, "chunks": gone.chunks,
                         "reindexed": reindexed.added + reindexed.updated if reindexed else 0}
    linked |= {Path(p) for p in [*gone.paths, *subject.audio]}

    receipt.files, receipt.kept["external_files"] = _erase_files(st, linked, mentions.personal())
    receipt.tables = _erase_rows(st.crm.engine, mentions)
    receipt.compaction = _compact(st)
    receipt.residual = residual(st.home, mentions.personal())
    return receipt


def _erase_source(st: Stores, source: str) -> Receipt:
    receipt = Receipt(subject=subject_hash("source", source), kind="source",
                      erased_at=datetime.now().isoformat(timespec="seconds"))
    gone = st.knowledge.erase(sources=[source])
    receipt.chunks = gone.chunks
    receipt.knowledge = {"sources": gone.sources, "chunks": gone.chunks}
    receipt.files, receipt.kept["external_files"] = _erase_files(st, {Path(p) for p in gone.paths}, Mentions([]))
    receipt.compaction = _compact(st)
    return receipt


# -- actions -------------------------------------------------------------------------------------------
_TEXT_COLUMNS = ("payload", "proposed_payload", "rationale", "citations", "result", "error", "reason",
                 "confirmed_recipients")


def _erase_actions(st: Stores, principal: Principal, subject: Subject, mentions: Mentions,
                   linked: set[Path]) -> tuple[dict[str, int], int]:
    own: dict[str, str] = {}  # id -> state
    other: dict[str, str] = {}
    with Session(st.crm.engine) as s:
        cols = [getattr(ActionRow, c) for c in _TEXT_COLUMNS]
        for row in s.execute(select(ActionRow.id, ActionRow.state, ActionRow.account_id, ActionRow.deal_id,
                                    ActionRow.call_id, *cols)).yield_per(500):
            mine = (row.account_id in subject.account_ids or row.deal_id in subject.deal_ids
                    or row.call_id in subject.call_ids)
            if mine:
                own[row.id] = row.state
            elif any(v is not None and mentions.found(v) for v in row[5:]):
                other[row.id] = row.state
            if mine:
                result = row.result or {}
                if isinstance(result, dict) and result.get("path"):
                    linked.add(Path(str(result["path"])))
        events = s.execute(select(ActionEvent.action_id, ActionEvent.diff, ActionEvent.note)).all()
    for action_id in own:
        linked |= {st.outbox_dir / f"{action_id}.eml", st.calendar_dir / f"{action_id}.ics"}

    reason = f"erased: {subject.kind} removed by request"
    rejected = withdrawn = 0
    for action_id, state in {**own, **other}.items():
        if state == State.PROPOSED.value:
            try:
                st.ledger.reject(action_id, principal, reason=reason)
                rejected += 1
            except UserError:  # expired or decided a moment ago: withdrawn below if it was approved
                state = st.ledger.get(action_id, principal).state.value
        if state in (State.APPROVED.value, State.EDITED.value):
            withdrawn += st.ledger.withdraw(action_id, principal.user_id, reason=reason)

    def own_scrub(column: str, value: Any) -> Any:
        if column in ("account_id", "deal_id", "call_id"):
            return None
        if column in ("citations", "confirmed_recipients"):
            return []
        if column == "reason":
            return mentions.scrub(value)
        return scrub_all(value)

    def other_scrub(column: str, value: Any) -> Any:
        if column in ("account_id", "deal_id", "call_id"):
            return None if value in subject.ids else value
        return mentions.scrub(value)

    note = f"redacted: {subject.kind} erased by request"
    actor = principal.user_id
    redacted = st.ledger.redact(own, own_scrub, actor=actor, note=note)
    redacted += st.ledger.redact(other, other_scrub, actor=actor, note=note)
    kept = sum(1 for _, diff, note_ in events if mentions.found(diff) or mentions.found(note_))
    return {"rejected": rejected, "withdrawn": withdrawn, "redacted": redacted}, kept


# -- files ---------------------------------------------------------------------------------------------
def _erase_files(st: Stores, linked: set[Path], mentions: Mentions) -> tuple[dict[str, int], int]:
    """Delete linked files under the data directory and every other file there whose name or text
    mentions the subject. Returns counts by area and how many linked files lie outside (kept)."""
    home = st.home.resolve()
    removed: Counter[str] = Counter()
    external = 0
    for path in sorted(linked):
        resolved = path.expanduser().resolve() if path.is_absolute() else path
        if not resolved.is_absolute() or not resolved.is_relative_to(home):
            external += int(resolved.exists())
        elif resolved.is_file():
            resolved.unlink()
            removed[_area(home, resolved)] += 1
    if mentions:
        skip = _databases(st)
        for path in sorted(home.rglob("*")):
            if path.is_file() and not path.is_symlink() and not _is_under(path, skip) and _mentions_in(path, mentions):
                path.unlink()
                removed[_area(home, path)] += 1
    return {area: removed.get(area, 0) for area in (*AREAS, "other")}, external


def _mentions_in(path: Path, mentions: Mentions) -> bool:
    if mentions.found(path.name):
        return True
    if path.suffix.lower() in AUDIO or path.stat().st_size > MAX_TEXT_BYTES:
        return False
    data = path.read_bytes()
    if path.suffix.lower() == ".eml":  # bodies may be base64 or quoted-printable: read them decoded too
        msg = email.message_from_bytes(data, policy=email.policy.default)
        parts = [str(v) for v in msg.values()]
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        if mentions.found("\n".join(parts)):
            return True
    return mentions.found(data)


def _area(home: Path, path: Path) -> str:
    first = path.relative_to(home).parts[0]
    return first if first in AREAS else "other"


def _databases(st: Stores) -> list[Path]:
    """The SQLite files and the Chroma folder: compaction handles them, the file sweep must not."""
    out = [st.knowledge.keywords.path.resolve()]
    settings = st.knowledge.vectors.client.get_settings()
    if getattr(settings, "persist_directory", None):
        out.append(Path(settings.persist_directory).resolve())
    if st.crm.engine.dialect.name == "sqlite" and st.crm.engine.url.database:
        out.append(Path(st.crm.engine.url.database).resolve())
    return out


def _is_under(path: Path, roots: list[Path]) -> bool:
    p = path.resolve()
    return any(p.is_relative_to(r) or (p.parent == r.parent and p.name.startswith(r.name + "-")) for r in roots)


# -- other modules' tables -----------------------------------------------------------------------------
def _erase_rows(engine: Engine, mentions: Mentions) -> dict[str, int]:
    present = set(inspect(engine).get_table_names())
    out: dict[str, int] = {}
    for name in SIDE_TABLES:
        if name not in present:
            continue
        table = Table(name, MetaData(), autoload_with=engine)
        keys = list(table.primary_key.columns)
        with engine.begin() as conn:
            doomed = [tuple(r[c.name] for c in keys) for r in conn.execute(select(table)).mappings()
                      if any(v is not None and not isinstance(v, int | float) and mentions.found(v) for v in r.values())]
            for key in doomed:
                conn.execute(delete(table).where(and_(*(c == v for c, v in zip(keys, key, strict=True)))))
        out[name] = len(doomed)
    return out


# -- compaction and verification -----------------------------------------------------------------------
def _compact(st: Stores) -> dict[str, str]:
    return {"crm": crm_erasure.compact(st.crm), **st.knowledge.compact()}


def residual(home: Path, mentions: Mentions) -> dict[str, int]:
    """Files under the data directory whose bytes still hold a name or email, counted by store."""
    if not mentions:
        return {}
    home = home.resolve()
    found: Counter[str] = Counter()
    for path in sorted(home.rglob("*")):
        if path.is_file() and path.suffix.lower() not in AUDIO and _bytes_mention(path, mentions):
            found[_store(home, path)] += 1
    return dict(found)


def _bytes_mention(path: Path, mentions: Mentions, chunk: int = 8 << 20) -> bool:
    if mentions.found(path.name):
        return True
    overlap = b""
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            if mentions.found(overlap + block):
                return True
            overlap = block[-4096:]
    return False


def _store(home: Path, path: Path) -> str:
    first = path.relative_to(home).parts[0]
    if first in (*AREAS, "chroma"):
        return first
    if ".db" in path.name:
        return path.name[:path.name.index(".db") + 3]
    return "other"
