"""One executor per action kind, each behind ``Executor.run(action) -> result dict``.

Executors only run on an action the ledger has claimed (``executing``); they never decide anything.
Ids of the things they create derive from the action id (``task:<id>``, ``<id>.eml``), so a second run
of the same action collides instead of silently duplicating.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from sqlalchemy import func, select

from copilot.actions.schemas import Action
from copilot.core.errors import ConfigError, NotFound, PermissionDenied, ProviderError
from knowledge.crm.models import Account, Activity, Call, Contact, Deal, StageChange, User
from knowledge.crm.store import CrmStore


class Executor(Protocol):
    def run(self, action: Action) -> dict[str, Any]: ...


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def unknown_recipients(crm: CrmStore, action: Action, internal_domains: Iterable[str] = ()) -> list[str]:
    """Recipients that are neither the account's known contacts nor on a company domain (the account's
    domain, the owner's email domain, configured internal domains)."""
    p = action.payload
    addresses = [*p.get("to", []), *p.get("cc", []), *p.get("attendees", [])]
    if not addresses:
        return []
    allowed_domains = {d.lower() for d in internal_domains}
    known: set[str] = set()
    with crm.session() as s:
        owner = s.get(User, action.owner_id)
        if owner is not None and owner.email:
            allowed_domains.add(_domain(owner.email))
        account_id = action.account_id
        if account_id is None and action.deal_id:
            deal = s.get(Deal, action.deal_id)
            account_id = deal.account_id if deal else None
        if account_id:
            account = s.get(Account, account_id)
            if account is not None and account.domain:
                allowed_domains.add(account.domain.lower().removeprefix("www."))
            known = {e.lower() for e in s.scalars(
                select(func.lower(Contact.email)).where(Contact.account_id == account_id)) if e}
    return [a for a in addresses if a.lower() not in known and _domain(a) not in allowed_domains]


class EmailExecutor:
    """SMTP when ``smtp_url`` is set (smtp://[user:pass@]host:port, smtps:// for TLS); otherwise an .eml
    file in ``outbox_dir``. Refuses recipients outside the account's contacts and company domains unless
    the approver confirmed them."""

    def __init__(self, crm: CrmStore, *, outbox_dir: Path, smtp_url: str | None,
                 internal_domains: Iterable[str] = ()) -> None:
        self.crm = crm
        self.outbox_dir = outbox_dir
        self.smtp_url = smtp_url
        self.internal_domains = tuple(internal_domains)

    def _sender(self, action: Action) -> str:
        with self.crm.session() as s:
            owner = s.get(User, action.owner_id)
            return (owner.email if owner and owner.email else f"{action.owner_id}@localhost")

    def message(self, action: Action) -> EmailMessage:
        p = action.payload
        msg = EmailMessage()
        msg["From"] = self._sender(action)
        msg["To"] = ", ".join(p["to"])
        if p.get("cc"):
            msg["Cc"] = ", ".join(p["cc"])
        msg["Subject"] = p["subject"]
        msg["Date"] = format_datetime(datetime.now().astimezone())
        msg["Message-ID"] = make_msgid(idstring=action.id, domain="copilot.local")
        msg["X-Copilot-Action"] = action.id
        msg.set_content(p["body"])
        return msg

    def run(self, action: Action) -> dict[str, Any]:
        unknown = set(unknown_recipients(self.crm, action, self.internal_domains))
        unknown -= {a.lower() for a in action.confirmed_recipients}
        if unknown:
            raise PermissionDenied(f"refusing to email {', '.join(sorted(unknown))}: not a known contact "
                                   "or company domain", hint="the approver must confirm these recipients")
        msg = self.message(action)
        recipients = [*action.payload["to"], *action.payload.get("cc", [])]
        if not self.smtp_url:
            self.outbox_dir.mkdir(parents=True, exist_ok=True)
            path = self.outbox_dir / f"{action.id}.eml"
            with path.open("xb") as fh:  # "x": a second run of the same action fails loudly
                fh.write(bytes(msg))
            return {"delivered": "outbox", "path": str(path), "recipients": recipients}
        url = urlparse(self.smtp_url)
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise ConfigError(f"COPILOT_SMTP_URL {self.smtp_url!r} is not smtp://host:port or smtps://host:port")
        cls = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        try:
            with cls(url.hostname, url.port or (465 if url.scheme == "smtps" else 25), timeout=30) as smtp:
                if url.username:
                    smtp.login(url.username, url.password or "")
                refused = smtp.send_message(msg, to_addrs=recipients)
        except (OSError, smtplib.SMTPException) as exc:
            raise ProviderError(f"SMTP server {url.hostname}:{url.port} failed: {exc}",
                                hint="check COPILOT_SMTP_URL, then retry the action") from exc
        return {"delivered": "smtp", "message_id": msg["Message-ID"], "recipients": recipients,
                "refused": sorted(refused)}


class _CrmWriter:
    """An executor that writes to the CRM with the ledger's clock."""

    def __init__(self, crm: CrmStore, clock: Callable[[], datetime]) -> None:
        self.crm, self.clock = crm, clock


class DealUpdateExecutor(_CrmWriter):
    """Apply field changes to the deal; a change of stage, amount or close date adds a StageChange row."""

    def run(self, action: Action) -> dict[str, Any]:
        p = action.payload
        fields = dict(p["fields"])
        for key in ("close_date", "next_step_date"):
            if key in fields:
                fields[key] = date.fromisoformat(fields[key])
        now = self.clock()
        with self.crm.session() as s:
            deal = s.get(Deal, p["deal_id"])
            if deal is None:
                raise NotFound(f"deal {p['deal_id']} no longer exists")
            before = {k: getattr(deal, k) for k in fields}
            old_stage = deal.stage
            for key, value in fields.items():
                setattr(deal, key, value)
            deal.updated_at = now
            changed = {k: [str(before[k]) if before[k] is not None else None, str(v)]
                       for k, v in fields.items() if before[k] != v}
            if {"stage", "amount", "close_date"} & set(changed):
                s.add(StageChange(deal_id=deal.id, changed_on=now.date(), from_stage=old_stage,
                                  to_stage=deal.stage, amount=deal.amount, close_date=deal.close_date,
                                  changed_by=action.decided_by or action.owner_id))
        return {"deal_id": p["deal_id"], "changed": changed}


def _owner_team(s: Any, action: Action) -> str | None:
    owner = s.get(User, action.owner_id)
    return owner.team_id if owner else action.team_id


class TaskExecutor(_CrmWriter):
    def run(self, action: Action) -> dict[str, Any]:
        p = action.payload
        activity_id = f"task:{action.id}"
        with self.crm.session() as s:
            deal = s.get(Deal, p["deal_id"]) if p.get("deal_id") else None
            s.add(Activity(id=activity_id, kind="task", status="open", subject=p["title"], body=p.get("notes"),
                           due_on=date.fromisoformat(p["due_on"]), deal_id=p.get("deal_id"),
                           account_id=p.get("account_id") or (deal.account_id if deal else action.account_id),
                           owner_id=action.owner_id, team_id=_owner_team(s, action),
                           occurred_at=self.clock(), source="copilot"))
        return {"activity_id": activity_id}


class CallSummaryExecutor(_CrmWriter):
    """Store the summary on the Call row (when it exists) and add a note Activity."""

    def run(self, action: Action) -> dict[str, Any]:
        p = action.payload
        note_id = f"note:{action.id}"
        with self.crm.session() as s:
            call = s.get(Call, p["call_id"])
            if call is not None:
                call.summary = {**(call.summary or {}), "text": p["summary"], "action_id": action.id}
            s.add(Activity(id=note_id, kind="note", subject=f"Call summary: {call.title if call else p['call_id']}",
                           body=p["summary"], deal_id=p.get("deal_id") or (call.deal_id if call else None),
                           account_id=p.get("account_id") or (call.account_id if call else action.account_id),
                           owner_id=action.owner_id, team_id=_owner_team(s, action),
                           occurred_at=self.clock(), source="copilot"))
        return {"call_updated": call is not None, "activity_id": note_id}


class ActivityLogExecutor(_CrmWriter):
    """Write a call, meeting, email or note the user had into the account's activity history."""

    def run(self, action: Action) -> dict[str, Any]:
        p = action.payload
        activity_id = f"log:{action.id}"
        with self.crm.session() as s:
            contact = s.get(Contact, p["contact_id"]) if p.get("contact_id") else None
            contact_id = contact.id if contact is not None and contact.account_id == p["account_id"] else None
            s.add(Activity(id=activity_id, kind=p["kind"], subject=p["subject"], body=p.get("body") or None,
                           contact_id=contact_id,  # only a contact of the account the action may write to
                           deal_id=p.get("deal_id"), account_id=p["account_id"], owner_id=action.owner_id,
                           team_id=_owner_team(s, action), source="copilot",
                           occurred_at=datetime.combine(date.fromisoformat(p["occurred_on"]), self.clock().time())))
        return {"activity_id": activity_id}


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


class MeetingExecutor:
    """Write an .ics invitation under ``calendar_dir`` (no calendar server is assumed)."""

    def __init__(self, crm: CrmStore, calendar_dir: Path, clock: Callable[[], datetime],
                 internal_domains: Iterable[str] = ()) -> None:
        self.crm, self.calendar_dir, self.clock = crm, calendar_dir, clock
        self.internal_domains = tuple(internal_domains)

    def run(self, action: Action) -> dict[str, Any]:
        p = action.payload
        unknown = set(unknown_recipients(self.crm, action, self.internal_domains))
        unknown -= {a.lower() for a in action.confirmed_recipients}
        if unknown:
            raise PermissionDenied(f"refusing to invite {', '.join(sorted(unknown))}: not a known contact "
                                   "or company domain", hint="the approver must confirm these attendees")
        start = datetime.fromisoformat(p["start"])
        end = start + timedelta(minutes=p["duration_minutes"])
        fmt = "%Y%m%dT%H%M%S"
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//sales-copilot//actions//EN", "BEGIN:VEVENT",
                 f"UID:{action.id}@copilot.local", f"DTSTAMP:{self.clock().strftime(fmt)}",
                 f"DTSTART:{start.strftime(fmt)}", f"DTEND:{end.strftime(fmt)}",
                 f"SUMMARY:{_ics_text(p['title'])}", f"DESCRIPTION:{_ics_text(p.get('description', ''))}",
                 *[f"ATTENDEE;RSVP=TRUE:mailto:{a}" for a in p.get("attendees", [])],
                 "END:VEVENT", "END:VCALENDAR"]
        self.calendar_dir.mkdir(parents=True, exist_ok=True)
        path = self.calendar_dir / f"{action.id}.ics"
        with path.open("x", newline="") as fh:
            fh.write("\r\n".join(lines) + "\r\n")
        return {"path": str(path)}


def default_executors(crm: CrmStore, *, outbox_dir: Path, calendar_dir: Path, smtp_url: str | None,
                      clock: Callable[[], datetime], internal_domains: Iterable[str] = ()) -> dict[str, Executor]:
    return {
        "send_email": EmailExecutor(crm, outbox_dir=outbox_dir, smtp_url=smtp_url, internal_domains=internal_domains),
        "update_deal": DealUpdateExecutor(crm, clock),
        "create_task": TaskExecutor(crm, clock),
        "log_call_summary": CallSummaryExecutor(crm, clock),
        "schedule_meeting": MeetingExecutor(crm, calendar_dir, clock, internal_domains),
        "log_activity": ActivityLogExecutor(crm, clock),
    }
