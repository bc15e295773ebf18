"""Customer health in Slack: ``/copilot health [account | scan | value account]``, the App Home's health section, and the
daily scan's diagnostic reports sent as DMs (each owner their own findings, each manager a digest)."""

from __future__ import annotations

import logging
from typing import Any

from copilot.app import Copilot
from copilot.core.domain import Principal, Role

log = logging.getLogger("copilot.slack")


def health_text(cp: Copilot, principal: Principal, rest: str, client: Any = None) -> str:
    """The reply to ``/copilot health ...``: one account's explanation, ``value ACCOUNT`` (a value report proposed
    as an email), the scan, or the worst accounts. An admin's
    scan covers every account and DMs each owner their findings and each manager a digest."""
    if rest.lower() == "scan":
        report = cp.health_scan(principal)
        if principal.role is Role.ADMIN and client is not None:
            sent = send_scan_reports(cp, client, report)
            return (f"Scanned {report.scanned} accounts: {len(report.findings)} finding(s), {report.proposed} "
                    f"intervention(s) proposed; {sent} owner report(s) and digest(s) sent as DMs.")
        mine = next((o for o in report.owners if o.owner_id == principal.user_id), None)
        digest = next((d for d in report.digests if d.manager_id == principal.user_id), None)
        parts = [f"Scanned {report.scanned} accounts: {len(report.findings)} finding(s), {report.proposed} "
                 "intervention(s) proposed (see your actions)."]
        parts += [mine.text()] if mine else []
        parts += [digest.text()] if digest else []
        return "\n".join(parts)[:3500]
    if rest.lower().startswith("value "):
        value = cp.health_value_report(principal, rest[6:].strip())
        waiting = "".join(f"\nProposed: {a.summary} (`{a.id}`), waiting for your approval." for a in value.proposed)
        return (value.text + waiting)[:3500]
    view = cp.health(principal, account=rest or None, customers_only=not rest)
    if view.segments:
        return "*Customer health by segment* (aggregates only)\n" + "\n".join(
            f"• {s.segment}: {s.accounts} customers, average {s.average_score}, {s.at_risk} at risk, {s.falling} falling"
            for s in view.segments)
    if rest and view.accounts:
        h = view.accounts[0]
        cites = [f"_{c.title}: {c.snippet}_" for comp in h.components for c in comp.citations[:1]]
        return "\n".join([h.summary, *cites])[:3500]
    lines = [f"• *{h.account}*: {'-' if h.score is None else f'{h.score:.0f}'} ({h.band}, {h.stage})"
             + (f", renewal {h.renewal_due}" if h.renewal_due else "") for h in view.accounts[:10]]
    return "*Your customers, worst health first*\n" + ("\n".join(lines) if lines else "No customer with usage data.")


def home_blocks(cp: Copilot, principal: Principal) -> list[dict[str, Any]]:
    """The App Home's health section: the five weakest customers the person may see (execs: segments)."""
    try:
        view = cp.health(principal, customers_only=True)
    except Exception:  # noqa: BLE001 - the rest of the tab still shows
        log.exception("health section of App Home failed for %s", principal.user_id)
        return []
    if view.segments:
        worst = sorted(view.segments, key=lambda s: s.average_score or 100)[:5]
        text = "\n".join(f"• {s.segment}: average {s.average_score}, {s.at_risk} at risk" for s in worst)
    else:
        text = "\n".join(f"• *{h.account}*: {h.score:.0f} ({h.band})"
                         + (f", down {abs(h.change):.0f}" if h.change is not None and h.change <= -1 else "")
                         + (f" · {h.signals[0].replace('_', ' ')}" if h.signals else "")
                         for h in view.accounts[:5] if h.score is not None) or "No customer with usage data."
    blocks: list[dict[str, Any]] = [{"type": "divider"},
                                    {"type": "section", "text": {"type": "mrkdwn", "text": "*Customer health*\n" + text}}]
    last = cp.health_last_scan(principal)
    if last is not None:
        day, findings = last
        mine = [f for f in findings if f.owner_id == principal.user_id] or findings
        lines = [f"• *{f.account}*: {f.what}" + (f" (proposed: {f.proposed[0].summary})" if f.proposed else "")
                 for f in mine[:6]]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Daily health scan, {day}*\n"
                                                   + ("\n".join(lines) or "No findings on your accounts.")}})
    return blocks


def send_scan_reports(cp: Copilot, client: Any, report: Any) -> int:
    """DM each owner their findings and each manager their digest; returns how many DMs went out."""
    sent = 0
    targets = [(o.owner_id, o.text()) for o in report.owners] + [(d.manager_id, d.text()) for d in report.digests]
    for user_id, text in targets:
        contact = cp.slack_contact(user_id)
        slack_id = contact.slack_id if contact else None
        if slack_id is None and contact is not None and contact.email:
            try:
                slack_id = client.users_lookupByEmail(email=contact.email)["user"]["id"]
            except Exception:  # noqa: BLE001 - not in this workspace
                slack_id = None
        if slack_id is None:
            continue
        channel = client.conversations_open(users=slack_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=text[:3500])
        sent += 1
    return sent
