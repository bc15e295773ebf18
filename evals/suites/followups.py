"""Follow-ups: the drafted email mentions the agreed next steps and dates, and invents no numbers or names.

Drafts are made with ``propose=False`` so nothing is written to the ledger. Numbers and person-like names in the
draft must occur in the call (transcript and summary) or the CRM records of its account; dates and times of
the proposed meeting are allowed.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from evals.base import EvalEnv, SuiteResult
from evals.metrics import fact_present, mean

NAME = "followups"
DATASET = "followups.yaml"
FAST = True
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
DATEISH = re.compile(rf"(?:{MONTHS}) \d{{1,2}}|\d{{1,2}}:\d\d|\d{{4}}-\d\d-\d\d|\d+-minute")
NUMBER = re.compile(r"\d[\d,.]*\d|\d")
NAME_PAIR = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z]+)\b")
STOCK = set(f"{MONTHS}|{DAYS}".split("|")) | {"Best", "Hi", "Thank", "Thanks", "Follow", "Would",
                                             "Kind", "Regards", "Dear", "Hello", "Looking", "Next", "Please"}


def _known_text(env: EvalEnv, call_id: str) -> str:
    from knowledge.crm.models import Account, Call, Contact, Deal, Product, User

    with env.cp.services.crm.session() as s:
        call = s.get(Call, call_id)
        parts = [call.title, " ".join(str(seg.get("text", "")) for seg in call.transcript or []),
                 str(call.summary or ""), str(call.attendees or "")]
        if call.account_id:
            acc = s.get(Account, call.account_id)
            parts.append(acc.name if acc else "")
            parts += [f"{c.name} {c.title or ''} {c.email or ''}"
                      for c in s.scalars(select(Contact).where(Contact.account_id == call.account_id))]
            parts += [f"{d.name} {d.amount} {d.next_step or ''}"
                      for d in s.scalars(select(Deal).where(Deal.account_id == call.account_id))]
        parts += [u.name for u in s.scalars(select(User))]
        parts += [p.name for p in s.scalars(select(Product))] + [env.cp.settings.company]  # ours to name
    return "\n".join(parts)


def invented(body: str, known: str) -> tuple[list[str], list[str]]:
    stripped = DATEISH.sub(" ", body)
    flat = known.replace(",", "")
    numbers = [n for n in NUMBER.findall(stripped) if n.replace(",", "").rstrip(".") not in flat]
    names = [f"{a} {b}" for a, b in NAME_PAIR.findall(body)
             if not ({a, b} & STOCK) and (a not in known or b not in known)]
    return numbers, names


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    cases, mention_scores = [], []
    inv_numbers = inv_names = 0
    for row in rows:
        call_id = sorted(env.resolve(row["call"]))[0].removeprefix("crm:call:")
        draft = env.cp.services.calls.draft_followup(call_id, propose=False)["email"]
        body = f"{draft['subject']}\n{draft['body']}"
        wants = row.get("must_mention", [])
        missing = [w for w in wants if not fact_present(w, body)]
        numbers, names = invented(body, _known_text(env, call_id))
        has_date = bool(re.search(rf"{DAYS}|{MONTHS}|\d{{4}}-\d\d-\d\d", body))
        inv_numbers += len(numbers)
        inv_names += len(names)
        score = (len(wants) - len(missing)) / len(wants) if wants else 1.0
        mention_scores.append(score)
        cases.append({"id": row["id"], "call": row["call"], "answer": body, "missing": missing,
                      "invented_numbers": numbers, "invented_names": names, "has_date": has_date, "score": score,
                      "passed": not missing and not numbers and not names and has_date})
    return SuiteResult(NAME, cases=cases, metrics={
        "next_step_mention": mean(mention_scores),
        "with_date": mean([1.0 if c["has_date"] else 0.0 for c in cases]),
        "invented_numbers": float(inv_numbers), "invented_names": float(inv_names),
        "pass_rate": mean([1.0 if c["passed"] else 0.0 for c in cases]), "drafts": float(len(cases))})
