"""Bias hints on answers and suggestions: reasons to trust them less, computed from the records behind them.

Each hint is a fact about the data, never a guess: the answer cites no record or few records; most records
cited belong to one rep (someone else than the viewer); the CRM data was stale when it answered; the
confidence is low; or the account's sector is thin in the history a model learns from: closed deals per
sector for the win-odds model (its ``sector_win_rate`` leans on the overall rate when a sector has few), closed
renewals per sector for the renewal-risk model behind health suggestions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from copilot.core.domain import Answer, Citation, Principal
from knowledge.crm.models import Account, Deal, User
from knowledge.crm.store import CrmStore

FEW_RECORDS = 3  # fewer distinct CRM records than this: "rests on few records"
DOMINANT_SHARE = 0.6  # one rep holds at least this share of the (3 or more) records cited
LOW_CONFIDENCE = 0.5
THIN_SECTOR_DEALS = 10  # closed deals in a sector below this (or below 5% of all) makes it thin
THIN_SECTOR_SHARE = 0.05


@dataclass(frozen=True)
class Hint:
    code: str  # no_sources | few_records | one_rep | stale | low_confidence | thin_sector | thin_renewals
    text: str


def _record(c: Citation) -> tuple[str, str] | None:
    """('deal'|'account', id) of a CRM citation."""
    ref = c.record or (c.source_id.removeprefix("crm:") if c.source_id.startswith("crm:") else "")
    kind, _, rid = ref.partition(":")
    return (kind, rid) if kind in ("deal", "account") and rid else None


class TrustHints:
    def __init__(self, crm: CrmStore) -> None:
        self.crm = crm

    def sector_training(self, *, renewals: bool = False) -> tuple[Counter[str], int]:
        """Closed deals per account sector (what the win-odds model learns from) and their total; with
        ``renewals``, closed renewals only (the renewal-risk model's examples, at most)."""
        query = (select(Account.sector, func.count(Deal.id)).join(Account, Deal.account_id == Account.id)
                 .where(Deal.stage.in_(("closed_won", "closed_lost"))))
        if renewals:
            query = query.where(Deal.deal_type == "renewal")
        with self.crm.session() as s:
            rows = s.execute(query.group_by(Account.sector)).all()
        counts: Counter[str] = Counter({(sector or "").lower(): int(n) for sector, n in rows})
        return counts, sum(counts.values())

    def _owners_and_sectors(self, records: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
        deals = [rid for kind, rid in records if kind == "deal"]
        accounts = [rid for kind, rid in records if kind == "account"]
        owners: list[str] = []
        sectors: list[str] = []
        with self.crm.session() as s:
            for owner, sector in s.execute(select(Deal.owner_id, Account.sector).outerjoin(
                    Account, Deal.account_id == Account.id).where(Deal.id.in_(deals))) if deals else []:
                owners.append(owner or "")
                sectors.append((sector or "").lower())
            for owner, sector in s.execute(select(Account.owner_id, Account.sector)
                                           .where(Account.id.in_(accounts))) if accounts else []:
                owners.append(owner or "")
                sectors.append((sector or "").lower())
        return owners, sectors

    def _name(self, user_id: str) -> str:
        with self.crm.session() as s:
            return s.scalar(select(User.name).where(User.id == user_id)) or user_id

    def _thin(self, sectors: list[str], training: tuple[Counter[str], int] | None, *,
              renewals: bool = False) -> list[Hint]:
        if not sectors or training is None:
            return []
        counts, total = training
        if not total:
            what = "renewals: the renewal-risk model" if renewals else "deals: the win-odds model"
            return [Hint("thin_renewals" if renewals else "thin_sector",
                         f"no closed {what} has nothing to learn from yet")]
        out = []
        for sector in sorted({x for x in sectors if x}):
            n = counts.get(sector, 0)
            if (n < THIN_SECTOR_DEALS or n / total < THIN_SECTOR_SHARE):
                out.append(Hint("thin_renewals", f"sector '{sector}' has {n} of {total} closed renewals the "
                                                 "renewal-risk model learns from") if renewals else
                           Hint("thin_sector", f"sector '{sector}' has {n} of {total} closed deals the win-odds "
                                               "model learns from: its odds lean on the overall rate"))
        return out

    def for_citations(self, viewer: Principal, citations: list[Citation], confidence: float, *,
                      training: tuple[Counter[str], int] | None = None,
                      renewals: tuple[Counter[str], int] | None = None) -> list[Hint]:
        """``renewals``: the renewal-risk model's coverage, for what health produced."""
        hints: list[Hint] = []
        records = {r for r in (_record(c) for c in citations) if r}
        if not citations:
            hints.append(Hint("no_sources", "cites no source: nothing to check it against"))
        elif records and len(records) < FEW_RECORDS:
            hints.append(Hint("few_records", f"rests on {len(records)} CRM record{'s' if len(records) > 1 else ''}"))
        owners, sectors = self._owners_and_sectors(records) if records else ([], [])
        if len(owners) >= FEW_RECORDS:
            top, n = Counter(owners).most_common(1)[0]
            if top and top != viewer.user_id and n / len(owners) >= DOMINANT_SHARE:
                hints.append(Hint("one_rep", f"{n} of {len(owners)} records cited belong to one rep "
                                             f"({self._name(top)})"))
        if confidence < LOW_CONFIDENCE:
            hints.append(Hint("low_confidence", f"confidence {confidence:.0%} is low: read the sources first"))
        return hints + self._thin(sectors, training) + self._thin(sectors, renewals, renewals=True)

    def for_answer(self, viewer: Principal, answer: Answer, training: tuple[Counter[str], int] | None,
                   renewals: tuple[Counter[str], int] | None = None) -> list[Hint]:
        from_health = any(t.startswith("health") for t in answer.tools_used) or (answer.intent or "").startswith("health")
        hints = self.for_citations(viewer, answer.citations, answer.confidence, training=training,
                                   renewals=renewals if from_health else None)
        if answer.freshness.stale:
            age = f"{answer.freshness.age_hours:.0f} h" if answer.freshness.age_hours is not None else "too"
            hints.insert(0, Hint("stale", f"the CRM data was {age} old when it answered"))
        return hints
