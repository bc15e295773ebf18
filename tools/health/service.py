"""``HealthService``: customer health under the asker's scope: scores with reasons, journey stages, the
renewal-risk model and its backtest, the daily scan with its proposals, and value reports.

Scope: reps see their own accounts, managers their team's, execs segment aggregates only (groups smaller
than the scope's minimum are suppressed). The scan itself runs over every account (it is a system job) and
hands each owner only their findings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import select

from copilot.core.errors import NotFound
from copilot.core.visibility import Scope
from knowledge.crm.health_models import HealthScan
from knowledge.crm.models import Account, User
from knowledge.crm.scoping import apply_scope, require_records
from knowledge.crm.store import CrmStore
from tools.context import Proposals
from tools.health import risk as risk_model
from tools.health.journey import Evidence, stage_of, warning_signals
from tools.health.rules import RuleBook
from tools.health.schemas import AccountHealth, Finding, HealthView, RiskBacktest, ScanReport, SegmentHealth
from tools.health.score import components, overall, score_at
from tools.health.signals import AccountBook, Measures, load_book


class HealthService:
    def __init__(self, crm: CrmStore, *, rules_home: Path | None, clock: Callable[[], date] = date.today,
                 ledger: Callable[[], Proposals] | None = None) -> None:
        self.crm = crm
        self.clock = clock
        self.ledger = ledger
        self.rules = RuleBook(rules_home)
        self._lock = threading.Lock()
        self._model: tuple[tuple[date, int, int], risk_model.RiskModel | None] | None = None

    # ---- scope -----------------------------------------------------------------------------------
    def visible_ids(self, scope: Scope) -> list[str]:
        require_records(scope, "account health")
        with self.crm.session() as s:
            return list(s.scalars(apply_scope(select(Account.id), scope, Account)))

    def find(self, scope: Scope, ref: str) -> str:
        """An account id by id or fuzzy name among the accounts the asker may see."""
        require_records(scope, "account health")
        with self.crm.session() as s:
            rows = {k: v for k, v in s.execute(apply_scope(select(Account.id, Account.name), scope, Account))}
        if ref in rows:
            return ref
        match = process.extractOne(ref, {k: v for k, v in rows.items()}, scorer=fuzz.WRatio, score_cutoff=85)
        if match is None:
            raise NotFound(f"no account matching {ref!r} among the accounts you can see",
                           hint="check the spelling, or ask your manager if it belongs to another team")
        return str(match[2])

    # ---- scoring ---------------------------------------------------------------------------------
    def measure(self, acc: AccountBook, day: date) -> Measures:
        return risk_model.measure_for(acc, day, self.rules.health)

    def model(self, book: dict[str, AccountBook], today: date) -> risk_model.RiskModel | None:
        """The renewal-risk model trained on every renewal decided before today (cached per day and book)."""
        key = (today, len(book), sum(len(a.deals) for a in book.values()))
        with self._lock:
            if self._model is None or self._model[0] != key:
                self._model = (key, risk_model.current_model(book, self.rules.health, today))
            return self._model[1]

    def assess(self, acc: AccountBook, today: date, model: risk_model.RiskModel | None,
               owners: dict[str, str]) -> tuple[AccountHealth, Measures, list[Evidence]]:
        rules = self.rules.health
        m = self.measure(acc, today)
        parts = components(acc, m, rules)
        score = overall(parts)
        before = score_at(acc, self.measure(acc, today - timedelta(days=rules.scan.compare_days)), rules)
        change = round(score - before, 1) if score is not None and before is not None else None
        stage, why = stage_of(acc, m, today, rules)
        prob, factors = None, []
        if model is not None and m.first_win is not None:
            x = risk_model.features_of(acc, m, rules)
            if x is not None:
                prob = round(model.predict([x])[0], 3)
                factors = model.factors(x)
        usage_cites = next((c.citations for c in parts if c.name == "usage"), [])
        support = next((c.score for c in parts if c.name == "support"), None)
        evidence = warning_signals(acc, m, today, rules, stage, score=score, change=change, support=support,
                                   risk=prob, usage_cites=usage_cites)
        h = AccountHealth(account_id=acc.id, account=acc.name, owner=owners.get(acc.owner_id or ""),
                          owner_id=acc.owner_id, team_id=acc.team_id, sector=acc.sector, as_of=today, score=score,
                          band=rules.band(score) if score is not None else "no data", change=change, stage=stage,
                          stage_why=why, components=parts, renewal_due=m.renewal_due, renewal_risk=prob,
                          risk_factors=factors, signals=[e.signal for e in evidence])
        h.summary = explain(h)
        return h, m, evidence

    def owners(self) -> dict[str, str]:
        with self.crm.session() as s:
            return {k: v for k, v in s.execute(select(User.id, User.name))}

    def book(self, ids: list[str] | None = None) -> dict[str, AccountBook]:
        return load_book(self.crm, ids)

    def view(self, scope: Scope, *, account: str | None = None, as_of: date | None = None,
             customers_only: bool = False) -> HealthView:
        """Health of one account, or of every account in scope with signals (worst first); execs get
        segments only."""
        today = as_of or self.clock()
        notes = self.rules.notes()
        full = self.book()
        model = self.model(full, today)
        owners = self.owners()
        if scope.aggregates_only:
            return HealthView(as_of=today, segments=self.segments(scope, full, today, model, owners), notes=notes)
        ids = [self.find(scope, account)] if account else self.visible_ids(scope)
        out = []
        for aid in ids:
            acc = full.get(aid)
            if acc is None or not (acc.weeks or acc.touches or account):
                continue
            h = self.assess(acc, today, model, owners)[0]
            if customers_only and h.stage in ("evaluation", "trial"):
                continue
            out.append(h)
        out.sort(key=lambda h: (h.score is None, h.score if h.score is not None else 0.0))
        return HealthView(as_of=today, accounts=out, notes=notes)

    def segments(self, scope: Scope, book: dict[str, AccountBook], today: date,
                 model: risk_model.RiskModel | None, owners: dict[str, str]) -> list[SegmentHealth]:
        """Customer health by segment (tier, then sector), aggregates only; small groups suppressed."""
        drop = self.rules.health.scan.drop_points
        groups: dict[str, list[AccountHealth]] = {}
        for acc in book.values():
            if not acc.weeks or not acc.won(today):
                continue
            h = self.assess(acc, today, model, owners)[0]
            if h.score is None:
                continue
            groups.setdefault(f"tier: {acc.tier or 'unknown'}", []).append(h)
            groups.setdefault(f"sector: {acc.sector or 'unknown'}", []).append(h)
        out = []
        for name, hs in sorted(groups.items()):
            if len(hs) < scope.min_group_size:
                continue
            scores = [h.score for h in hs if h.score is not None]
            out.append(SegmentHealth(segment=name, accounts=len(hs),
                                     average_score=round(sum(scores) / len(scores), 1) if scores else None,
                                     at_risk=sum(h.band == "at risk" for h in hs), watch=sum(h.band == "watch" for h in hs),
                                     healthy=sum(h.band == "healthy" for h in hs),
                                     falling=sum(1 for h in hs if h.change is not None and h.change <= -drop)))
        return out

    def backtest(self, *, horizon: int = risk_model.HORIZON_DAYS, as_of: date | None = None) -> RiskBacktest:
        """Company-wide figures only (no records): safe for every role."""
        return risk_model.backtest(self.book(), self.rules.health, as_of or self.clock(), horizon=horizon)

    def scan(self, scope: Scope | None = None, *, as_of: date | None = None, propose: bool = True) -> ScanReport:
        from tools.health.scan import run_scan

        return run_scan(self, scope, as_of or self.clock(), propose=propose)

    def last_scan(self, scope: Scope) -> tuple[date, list[Finding]] | None:
        from tools.health.scan import last_scan

        return last_scan(self, scope)

    def scanned_on(self, day: date) -> bool:
        """Has the company-wide scan run for this day already (the scheduler runs it once a day)?"""
        with self.crm.session() as s:
            return s.scalar(select(HealthScan.id).where(HealthScan.as_of == day).limit(1)) is not None


def explain(h: AccountHealth) -> str:
    """The score in plain words: the total, its change, each component's reasons, the stage and renewal risk."""
    if h.score is None:
        head = f"{h.account}: no product usage on record, so no health score yet ({h.stage} stage: {h.stage_why})."
    else:
        moved = "" if h.change is None else (f", {'down' if h.change < 0 else 'up'} {abs(h.change):.0f} points in "
                                             "the last month" if abs(h.change) >= 1 else ", steady over the last month")
        head = f"{h.account}: health {h.score:.0f}/100 ({h.band}{moved}); {h.stage} stage ({h.stage_why})."
    parts = [f"{c.name.capitalize()} {c.score:.0f} (weight {c.weight:.0%}): {'; '.join(c.reasons)}." for c in h.components]
    tail = ""
    if h.renewal_risk is not None:
        why = ", ".join(f.text for f in h.risk_factors[:3] if f.effect > 0) or "nothing stands out"
        tail = f" Renewal-risk model: {h.renewal_risk:.0%} chance of losing the next renewal ({why})."
    return " ".join([head, *parts]) + tail
