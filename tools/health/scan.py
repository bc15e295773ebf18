"""The daily health scan: what changed since the last month for every account with signals, as diagnostic
findings (what changed, likely causes, cited data), the interventions the journey rules call for (proposed
to the ledger, never run), a report per owner and a digest per manager. Each run is stored.

Runs over every account (the scheduler's daily run, an admin's) are stored; ``last_scan`` reads the newest.

Findings: a health drop of at least ``drop_points``, feature stagnation, silence after a key event, a
renewal due without a recent check-in, a renewal the model thinks is at risk, a trial nobody uses.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from copilot.core.visibility import Scope
from knowledge.crm.health_models import HealthScan
from knowledge.crm.models import User
from tools.health.interventions import propose as propose_one
from tools.health.journey import matching_rules
from tools.health.schemas import AccountHealth, Finding, ManagerDigest, OwnerReport, ScanReport

if TYPE_CHECKING:
    from tools.health.service import HealthService

FINDING_OF = {"health_drop": "health_drop", "feature_stagnation": "feature_stagnation",
              "silence_after_event": "silence_after_event", "no_recent_checkin": "renewal_without_checkin",
              "renewal_risk": "renewal_risk", "trial_inactive": "trial_inactive"}


def _causes(h: AccountHealth) -> list[str]:
    """The weakest components' reasons, weakest first, and the model's top factors."""
    weak = sorted(h.components, key=lambda c: c.score)[:2]
    causes = [f"{c.name} {c.score:.0f}/100: {c.reasons[0]}" for c in weak if c.score < 70]
    causes += [f"renewal-risk model: {f.text}" for f in h.risk_factors[:2] if f.effect > 0]
    return causes


def _popular(book: dict) -> list[str]:  # type: ignore[type-arg]
    """Features by how many accounts use them, most first: what a stagnating account could try next."""
    seen: Counter[str] = Counter()
    for acc in book.values():
        seen.update({f for w in acc.weeks[-8:] for f in (w.features or [])})
    return [f for f, _ in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))]


def _next_feature(popular: list[str], used: set[str]) -> str:
    return next((f for f in popular if f not in used), "an advanced feature")


def run_scan(svc: HealthService, scope: Scope | None, today: date, *, propose: bool = True) -> ScanReport:
    book = svc.book()
    ids = set(book) if scope is None or scope.all_records else set(svc.visible_ids(scope))
    model = svc.model(book, today)
    owners = svc.owners()
    journey = svc.rules.journey
    ledger = svc.ledger() if propose and svc.ledger is not None else None
    popular = _popular(book)
    findings: list[Finding] = []
    proposed = 0
    scanned = 0
    for aid in sorted(ids):
        acc = book.get(aid)
        if acc is None or not (acc.weeks or acc.touches):
            continue
        scanned += 1
        h, m, evidence = svc.assess(acc, today, model, owners)
        present = {e.signal for e in evidence}
        kinds = [FINDING_OF[e.signal] for e in evidence if e.signal in FINDING_OF]
        if not kinds:
            continue
        refs = []
        if ledger is not None:
            used = {f for w in acc.weeks[-8:] for f in (w.features or [])}
            for rule in matching_rules(journey, h.stage, present):
                ref = propose_one(svc.crm, ledger, acc, rule, h.stage, evidence, today, score=h.score,
                                  next_feature=_next_feature(popular, used), renewal_due=m.renewal_due)
                if ref is not None:
                    refs.append(ref)
        proposed += len(refs)
        by_signal = {e.signal: e for e in evidence}
        for signal, kind in FINDING_OF.items():
            if signal not in by_signal:
                continue
            e = by_signal[signal]
            cites = e.citations or [c for comp in h.components for c in comp.citations][:3]
            findings.append(Finding(account_id=acc.id, account=acc.name, owner_id=acc.owner_id, team_id=acc.team_id,
                                    kind=kind, what=e.text[0].upper() + e.text[1:], causes=_causes(h),
                                    citations=cites, score=h.score, change=h.change, stage=h.stage,
                                    proposed=refs if signal == next(s for s in FINDING_OF if s in by_signal) else []))
    report = ScanReport(as_of=today, ran_at=datetime.now().replace(microsecond=0), scanned=scanned, findings=findings,
                        proposed=proposed, notes=svc.rules.notes())
    report.owners, report.digests = _reports(svc, findings, owners)
    if scope is None or scope.all_records:  # the company-wide scan is stored (a rep's own scan is not)
        with svc.crm.session() as s:
            s.add(HealthScan(as_of=today, ran_at=report.ran_at, accounts=scanned,
                             findings=[f.model_dump(mode="json", exclude={"citations"}) for f in findings]))
    return report


def _reports(svc: HealthService, findings: list[Finding],
             owners: dict[str, str]) -> tuple[list[OwnerReport], list[ManagerDigest]]:
    per_owner: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.owner_id:
            per_owner[f.owner_id].append(f)
    reports = [OwnerReport(owner_id=o, owner=owners.get(o, o), findings=fs) for o, fs in sorted(per_owner.items())]
    with svc.crm.session() as s:
        managers = {k: v for k, v in s.execute(select(User.id, User.manager_id))}
        roles = {k: v for k, v in s.execute(select(User.id, User.role))}
    digests: dict[str, ManagerDigest] = {}
    for rep in reports:
        mgr = managers.get(rep.owner_id)
        if not mgr or roles.get(mgr) != "manager":
            continue
        d = digests.setdefault(mgr, ManagerDigest(manager_id=mgr, manager=owners.get(mgr, mgr)))
        d.owners[rep.owner] = len(rep.findings)
        d.by_kind = dict(Counter(d.by_kind) + Counter(f.kind for f in rep.findings))
        d.top += rep.findings
    for d in digests.values():
        d.top = sorted(d.top, key=lambda f: (f.score if f.score is not None else 100.0))[:5]
    return reports, sorted(digests.values(), key=lambda d: d.manager_id)


def last_scan(svc: HealthService, scope: Scope) -> tuple[date, list[Finding]] | None:
    """The newest stored company-wide scan: its day and the findings on accounts this scope may see."""
    with svc.crm.session() as s:
        row = s.scalars(select(HealthScan).order_by(HealthScan.id.desc()).limit(1)).first()
        if row is None:
            return None
        day, stored = row.as_of, list(row.findings)
    findings = [Finding.model_validate(f) for f in stored]
    return day, [f for f in findings if scope.allows(f.owner_id, f.team_id)]
