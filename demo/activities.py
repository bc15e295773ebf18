"""Emails, meetings, notes and tasks for each deal, realizing the deal's latent features.

A deal with ``meetings=5, threads=3, engaged=[a, b]`` gets exactly five meetings, three email threads
and activities addressed to contacts a and b; a stalled deal goes silent for ``stall_days`` before
its end, so the gap is visible in the activity log.

Deals closed more than ``SPARSE_AFTER_DAYS`` before the anchor carry the same number of activities on the
same days with the same contacts (so the forecast's activity features mean the same thing for old and new
deals), but sparsely logged, as in a real CRM: meetings synced from the calendar without a subject or
notes, notes only as completed tasks, no closing note (the deal record has the outcome), and emails
packed into fewer, shorter threads. That keeps the knowledge store's CRM index small.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from demo.catalog import PRODUCTS, SOURCE
from demo.deals import DealPlan
from demo.texts import MEETINGS, NEXT, NOTES, OBJECTIONS, STAGE_TOPICS, TASKS, THREADS

SPARSE_AFTER_DAYS = 365
THREAD_MAX = 6


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 10, 15, 30, 40, 45])))


def _money(x: float) -> str:
    return f"${x:,.0f}"


class ActivityWriter:
    def __init__(self, rng: random.Random, anchor: date, user_email: dict[str, str]) -> None:
        self.rng = rng
        self.anchor = anchor
        self.user_email = user_email
        self.rows: list[dict] = []
        self.threads = 0

    def _vars(self, d: DealPlan, contact: dict, when: date) -> dict[str, str]:
        list_price = PRODUCTS[d.product][2]
        seats = max(20, int(d.amount / d.term_years / 600))
        eb = next((c for c in d.account.contacts if c["buying_role"] == "economic_buyer"), None)
        return {
            "c": contact["name"].split()[0], "rep": d.owner_id.split("-")[1].title(), "acct": d.account.name,
            "prod": d.product, "amount": _money(d.amount), "list": _money(list_price),
            "disc": f"{self.rng.choice([8, 10, 12, 15, 20])}%", "when": when.strftime("%A %B %d").replace(" 0", " "),
            "comp": d.competitor or "building in-house", "years": str(d.term_years), "seats": str(seats),
            "active": str(int(seats * (0.35 if d.account.declining else 0.7))), "sector": d.account.sector,
            "comp_line": f"{d.competitor} quoted us lower. " if d.competitor else "",
            "eb_title": eb["title"] if eb else "CFO",
        }

    def _add(self, d: DealPlan, kind: str, when: datetime, contact: dict | None, **fields: object) -> None:
        row = {"kind": kind, "account_id": d.account.id, "deal_id": d.id, "contact_id": contact["id"] if contact else None,
               "owner_id": d.owner_id, "team_id": d.account.team_id, "occurred_at": when, "subject": None,
               "body": None, "direction": None, "thread_id": None, "due_on": None, "status": None,
               "attendees": None, "source": SOURCE}
        row.update(fields)
        self.rows.append(row)

    def _days(self, d: DealPlan, n: int, start: date, end: date) -> list[date]:
        span = max(0, (end - start).days)
        return sorted(start + timedelta(days=self.rng.randint(0, span)) for _ in range(n))

    def sparse(self, d: DealPlan) -> bool:
        return d.closed_on is not None and d.closed_on < self.anchor - timedelta(days=SPARSE_AFTER_DAYS)

    def deal(self, d: DealPlan) -> None:
        rng = self.rng
        sparse = self.sparse(d)
        start = len(self.rows)
        contacts = {c["id"]: c for c in d.account.contacts}
        engaged = [contacts[c] for c in d.engaged]
        end = d.closed_on or (self.anchor - timedelta(days=1))
        last = max(d.created_on, end - timedelta(days=d.stall_days))
        who = iter(engaged * 50)
        for day in self._days(d, d.meetings, d.created_on, last):
            if sparse:  # synced from the calendar: attendees, no subject, no notes
                self._add(d, "meeting", _at(day, rng), next(who),
                          attendees=[self.user_email[d.owner_id]] + [c["email"] for c in engaged[:3]])
            else:
                self._meeting(d, day, next(who), engaged)
        for day in self._days(d, d.threads, d.created_on, last):
            self._thread(d, day, next(who), last)
        for day in self._days(d, rng.randint(1, 2), d.created_on, last):
            v = self._vars(d, next(who), day + timedelta(days=14))
            if sparse:
                self._add(d, "task", _at(day, rng), engaged[0], subject=rng.choice(TASKS).format(**v),
                          due_on=day + timedelta(days=rng.randint(2, 10)), status="done")
            else:
                self._add(d, "note", _at(day, rng), None, subject=f"Note: {d.account.name}",
                          body=rng.choice(NOTES).format(**v))
        for day in self._days(d, rng.randint(1, 3), d.created_on, last):
            due = day + timedelta(days=rng.randint(2, 10))
            v = self._vars(d, engaged[0], due)
            done = d.closed_on is not None or due < self.anchor - timedelta(days=3) and rng.random() < 0.8
            self._add(d, "task", _at(day, rng), engaged[0], subject=rng.choice(TASKS).format(**v), due_on=due,
                      status="done" if done else "open")
        if sparse:
            self._pack_threads(start)
        elif d.closed_on is not None:
            v = self._vars(d, engaged[0], d.closed_on)
            body = (f"Closed won: signed {d.term_years}-year agreement for {d.product} at {v['amount']}."
                    if d.won else f"Closed lost. Reason: {d.loss_reason}.")
            self._add(d, "note", _at(d.closed_on, rng), None, subject=f"{d.name}: {d.stage}", body=body)
        elif d.stall_days == 0:  # fresh: something happened within the last day before the anchor
            v = self._vars(d, engaged[0], d.next_step_date or self.anchor)
            day = self.anchor - timedelta(days=1 if rng.random() < 0.5 else rng.randint(2, 5))
            self._add(d, "task", _at(day, rng), engaged[0], subject=d.next_step or rng.choice(TASKS).format(**v),
                      due_on=d.next_step_date, status="open")

    def _pack_threads(self, start: int) -> None:
        """An old deal's emails, same messages on the same days, in threads of up to six, one line each."""
        emails = sorted((r for r in self.rows[start:] if r["kind"] == "email"), key=lambda r: r["occurred_at"])
        for i in range(0, len(emails), THREAD_MAX):
            self.threads += 1
            tid = f"demo:thread:{self.threads:05d}"
            subject = emails[i]["subject"].removeprefix("Re: ")
            for j, r in enumerate(emails[i:i + THREAD_MAX]):
                r["thread_id"], r["subject"] = tid, ("Re: " if j else "") + subject
                r["body"] = r["body"].split(". ")[0].rstrip(".") + "."

    def _meeting(self, d: DealPlan, day: date, contact: dict, engaged: list[dict]) -> None:
        rng = self.rng
        stage = d.stage_on(day)
        title, discussed = MEETINGS.get(stage, MEETINGS["proposal"])
        if d.deal_type == "renewal":
            title, discussed = "Renewal review", "Reviewed adoption of {prod} by team and the renewal timeline."
        v = self._vars(d, contact, day + timedelta(days=rng.randint(5, 12)))
        objection = d.objection or rng.choice(
            ["price", "security", "integration", "build", "timing"] + (["competitor"] * 2 if d.competitor else [])
            + (["adoption"] * 3 if d.deal_type == "renewal" and d.account.declining else []))
        nxt = NEXT.get(stage, "Follow up on {when}")
        body = (f"Attendees: {', '.join(c['name'] + ' (' + (c['title'] or '') + ')' for c in engaged[:3])}.\n"
                f"Discussed: {discussed.format(**v)}\nObjections: {OBJECTIONS[objection].format(**v)}\n"
                f"Next steps: {nxt.format(**v)}.")
        attendees = [self.user_email[d.owner_id]] + [c["email"] for c in engaged[:3]]
        self._add(d, "meeting", _at(day, rng), contact, subject=f"{title}: {d.account.name}", body=body,
                  attendees=attendees)

    def _thread(self, d: DealPlan, day: date, contact: dict, last: date) -> None:
        rng = self.rng
        stage = d.stage_on(day)
        topics = ["renewal", "pricing", "paper"] if d.deal_type == "renewal" else STAGE_TOPICS.get(stage, ["scheduling"])
        if d.objection == "security" and "security" not in topics:
            topics = [*topics, "security"]
        subject, messages = THREADS[rng.choice(topics)]
        self.threads += 1
        tid = f"demo:thread:{self.threads:05d}"
        v = self._vars(d, contact, day + timedelta(days=rng.randint(4, 10)))
        n = min(len(messages), rng.randint(2, 6))
        when = _at(day, rng)
        for i, msg in enumerate(messages[:n]):
            if when.date() > last:
                break
            self._add(d, "email", when, contact, subject=("Re: " if i else "") + subject.format(**v),
                      body=msg.format(**v), direction="outbound" if i % 2 == 0 else "inbound", thread_id=tid)
            when += timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 6))


def write_activities(rng: random.Random, deals: list[DealPlan], anchor: date, user_email: dict[str, str]) -> list[dict]:
    w = ActivityWriter(rng, anchor, user_email)
    for d in deals:
        w.deal(d)
    rows = sorted(w.rows, key=lambda r: (r["occurred_at"], r["deal_id"], r["kind"]))
    for i, r in enumerate(rows, 1):
        r["id"] = f"demo:activity:{i:06d}"
    return rows
