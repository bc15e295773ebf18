"""Customer health's result types (pydantic): what the CLI prints, the API returns and the agent reads."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from copilot.core.domain import ActionRef, Citation


class ComponentScore(BaseModel):
    name: str = Field(description="usage | features | support | engagement")
    score: float = Field(description="0-100, higher is healthier")
    weight: float = Field(description="share of the overall score (weights from health.yaml)")
    reasons: list[str] = Field(default_factory=list, description="plain words, with the figures behind them")
    citations: list[Citation] = Field(default_factory=list)


class RiskFactor(BaseModel):
    text: str
    effect: float = Field(description="change in log-odds of losing the renewal versus a typical account")


class AccountHealth(BaseModel):
    account_id: str
    account: str
    owner: str | None = None
    owner_id: str | None = None
    team_id: str | None = None
    sector: str | None = None
    as_of: date
    score: float | None = Field(description="0-100 weighted sum of the components; None without usage data")
    band: str = Field(description="healthy | watch | at risk | no data")
    change: float | None = Field(default=None, description="score change over the scan's compare_days")
    stage: str = Field(description="evaluation | trial | onboarding | adoption | renewal")
    stage_why: str = ""
    components: list[ComponentScore] = Field(default_factory=list)
    renewal_due: date | None = None
    renewal_risk: float | None = Field(default=None, description="learned probability of losing the next renewal")
    risk_factors: list[RiskFactor] = Field(default_factory=list)
    signals: list[str] = Field(default_factory=list, description="warning signals present (journey rule vocabulary)")
    summary: str = Field(default="", description="the score explained in one paragraph of plain words")

    def citations(self) -> list[Citation]:
        return [c for comp in self.components for c in comp.citations]


class HealthView(BaseModel):
    """``copilot health``: the accounts the asker may see, worst first (execs: segments only)."""

    as_of: date
    accounts: list[AccountHealth] = Field(default_factory=list)
    segments: list[SegmentHealth] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class SegmentHealth(BaseModel):
    segment: str
    accounts: int
    average_score: float | None
    at_risk: int
    watch: int
    healthy: int
    falling: int = Field(description="accounts whose score fell by at least the scan's drop_points")


class Finding(BaseModel):
    """One anomaly of the daily scan, as a diagnostic: what changed, likely causes, the data."""

    account_id: str
    account: str
    owner_id: str | None
    team_id: str | None = None
    kind: str = Field(description="health_drop | feature_stagnation | silence_after_event | renewal_without_checkin "
                                  "| renewal_risk | usage_drop | support_spike | trial_inactive")
    what: str
    causes: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    score: float | None = None
    change: float | None = None
    stage: str = ""
    proposed: list[ActionRef] = Field(default_factory=list)


class OwnerReport(BaseModel):
    owner_id: str
    owner: str
    findings: list[Finding] = Field(default_factory=list)

    def text(self) -> str:
        lines = [f"Daily health scan for {self.owner}: {len(self.findings)} finding(s)"]
        seen: set[str] = set()
        for f in self.findings:
            first = f.account_id not in seen
            seen.add(f.account_id)
            lines.append(f"- {f.account}: {f.what}" if first else f"  also: {f.what}")
            lines += [f"    likely cause: {c}" for c in (f.causes[:3] if first else [])]
            lines += [f"    proposed: {a.summary} ({a.id}, waiting for your approval)" for a in f.proposed]
        return "\n".join(lines)


class ManagerDigest(BaseModel):
    manager_id: str
    manager: str
    owners: dict[str, int] = Field(default_factory=dict, description="owner name -> findings")
    by_kind: dict[str, int] = Field(default_factory=dict)
    top: list[Finding] = Field(default_factory=list)

    def text(self) -> str:
        lines = [f"Health digest for {self.manager}: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items()))]
        lines += [f"- {name}: {n} finding(s)" for name, n in sorted(self.owners.items())]
        lines += [f"- top: {f.account} ({f.kind}): {f.what}" for f in self.top[:5]]
        return "\n".join(lines)


class ScanReport(BaseModel):
    as_of: date
    ran_at: datetime
    scanned: int
    findings: list[Finding] = Field(default_factory=list)
    owners: list[OwnerReport] = Field(default_factory=list)
    digests: list[ManagerDigest] = Field(default_factory=list)
    proposed: int = 0
    notes: list[str] = Field(default_factory=list)


class Reliability(BaseModel):
    lo: float
    hi: float
    n: int
    predicted: float
    observed: float


class MethodScore(BaseModel):
    method: str
    auc: float | None
    brier: float
    ece: float = Field(description="expected calibration error over the reliability bins")
    reliability: list[Reliability] = Field(default_factory=list)


class RiskBacktest(BaseModel):
    """Renewal-risk backtest: each past renewal predicted from data known ``horizon_days`` before it, by a
    model trained only on renewals decided before that day, against the usage-trend-only baseline."""

    horizon_days: int
    renewals: int
    lost: int
    folds: list[str] = Field(default_factory=list)
    methods: list[MethodScore] = Field(default_factory=list)
    features: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def explain(self) -> str:
        lines = [f"Renewal-risk backtest: {self.renewals} past renewals ({self.lost} lost), each predicted "
                 f"{self.horizon_days} days before its date by a model trained only on earlier renewals "
                 f"(folds {', '.join(self.folds)})."]
        for m in self.methods:
            auc = "n/a" if m.auc is None else f"{m.auc:.3f}"
            lines.append(f"- {m.method}: AUC {auc}, Brier {m.brier:.4f}, calibration error {m.ece:.3f}")
        return "\n".join(lines + self.notes)


class ValueReport(BaseModel):
    account_id: str
    account: str
    as_of: date
    text: str
    figures: dict[str, float | int | str] = Field(default_factory=dict)
    story: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    proposed: list[ActionRef] = Field(default_factory=list)


HealthView.model_rebuild()
