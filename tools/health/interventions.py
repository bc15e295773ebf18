"""Interventions as ledger proposals: an email, a task, a meeting or a check-in for the account's owner,
with a suggested time, the reasons and the data behind them. Nothing runs until the owner approves it.

The same rule is not proposed twice for one account within ``REPEAT_DAYS`` (remembered in
``health_interventions``), so a daily scan does not flood the inbox.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from copilot.core.domain import ActionRef, Citation
from knowledge.crm.health_models import HealthIntervention
from knowledge.crm.store import CrmStore
from tools.context import Proposals
from tools.health.journey import Evidence, suggested_time
from tools.health.rules import Intervention
from tools.health.signals import AccountBook

REPEAT_DAYS = 14
LEDGER_KIND = {"email": "send_email", "task": "create_task", "meeting": "schedule_meeting",
               "check_in": "schedule_meeting"}


def _contact(acc: AccountBook) -> tuple[str, str | None]:
    """The person to reach: the champion, else the economic buyer, else anyone with an email."""
    for role in ("champion", "economic_buyer", "technical_buyer", "user", None):
        for c in acc.contacts:
            if (role is None or c.buying_role == role) and c.email:
                return c.name, c.email
    return (acc.contacts[0].name if acc.contacts else "the customer"), None


def _title(rule: Intervention, acc: AccountBook, contact: str, next_feature: str, renewal: date | None) -> str:
    values = {"account": acc.name, "contact": contact.split()[0] if contact else "the customer",
              "next_feature": next_feature, "renewal_due": renewal.isoformat() if renewal else "soon"}
    return rule.title.format_map(values)[:200]


def recently_proposed(crm: CrmStore, account_id: str, rule_id: str, today: date) -> bool:
    with crm.session() as s:
        return s.scalar(select(HealthIntervention.id).where(
            HealthIntervention.account_id == account_id, HealthIntervention.rule == rule_id,
            HealthIntervention.proposed_on > today - timedelta(days=REPEAT_DAYS))) is not None


def propose(crm: CrmStore, ledger: Proposals, acc: AccountBook, rule: Intervention, stage: str,
            evidence: list[Evidence], today: date, *, score: float | None, next_feature: str,
            renewal_due: date | None) -> ActionRef | None:
    """Put one intervention in the ledger for the account's owner (None: proposed recently already, or the
    account has no owner to propose to)."""
    if acc.owner_id is None or recently_proposed(crm, acc.id, rule.id, today):
        return None
    name, email = _contact(acc)
    when = suggested_time(today, rule.within_days, rule.action)
    title = _title(rule, acc, name, next_feature, renewal_due)
    reasons = [e.text for e in evidence if e.signal in rule.when] + [e.text for e in evidence
                                                                     if e.signal not in rule.when][:2]
    why = "; ".join(reasons)
    kind = LEDGER_KIND[rule.action]
    if rule.action == "email" and email is None:
        kind = "create_task"
    if kind == "send_email":
        body = (f"Hi {name.split()[0]},\n\n"
                + ("I wanted to check in on how things are going with the platform at "
                   f"{acc.name}." if stage != "evaluation" else f"Thanks for your interest in us at {acc.name}.")
                + f" {_offer(rule, next_feature)}\n\nWould a short call this week help?\n\nBest regards")
        payload: dict[str, object] = {"to": [email], "subject": title, "body": body}
    elif kind == "create_task":
        payload = {"title": title, "due_on": when.date().isoformat(), "account_id": acc.id,
                   "notes": f"Why: {why}. Suggested by health rule {rule.id} ({stage} stage)."}
    else:
        minutes = 20 if rule.action == "check_in" else 45
        payload = {"title": title, "start": when.isoformat(), "duration_minutes": minutes,
                   "attendees": [email] if email else [],
                   "description": f"Why now: {why}. Suggested by health rule {rule.id} ({stage} stage)."}
    cites: list[Citation] = [c for e in evidence if e.signal in rule.when for c in e.citations][:4]
    rationale = (f"Health rule {rule.id} ({stage} stage): {why}. Suggested time: {when:%a %Y-%m-%d %H:%M}"
                 + (f"; health score {score:.0f}" if score is not None else "") + ".")
    action = ledger.propose(kind, payload, owner_id=acc.owner_id, rationale=rationale, tool="health_scan",
                            citations=cites, confidence=0.6, account_id=acc.id, expires_in=timedelta(days=14))
    with crm.session() as s:
        s.add(HealthIntervention(account_id=acc.id, rule=rule.id, action_id=action.id, proposed_on=today,
                                 score=score, reason=why[:2000]))
    return action.to_ref()


def _offer(rule: Intervention, next_feature: str) -> str:
    if "stagnation" in rule.id:
        return (f"Teams like yours get a lot out of {next_feature}; I'd be glad to set up a short walkthrough "
                "with our solutions team.")
    if "pricing" in rule.id:
        return "I can walk you through pricing and share how a similar team rolled it out."
    return "I'd like to make sure you are getting the value you expected and hear what would help most."
