"""The forecast's result types (pydantic): what the CLI prints, the API returns and the agent reads."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from copilot.core.domain import Citation

SHOW_DEALS = 25


class Factor(BaseModel):
    text: str = Field(description="the factor in plain words")
    effect: float = Field(description="change in log-odds of winning versus a typical deal")


class DealScore(BaseModel):
    deal_id: str
    deal: str
    account: str | None = None
    owner: str | None = None
    stage: str
    amount: float | None = None
    expected_close: date | None = None
    probability: float
    baseline_probability: float
    category: str = Field(description="commit | best_case | pipeline")
    positives: list[Factor] = Field(default_factory=list)
    negatives: list[Factor] = Field(default_factory=list)
    model: str = ""
    as_of: date

    @property
    def citation(self) -> Citation:
        return Citation(source_id=f"crm:deal:{self.deal_id}", title=self.deal, kind="crm", record=f"deal:{self.deal_id}",
                        snippet=f"stage {self.stage}, amount {self.amount}")


class Contribution(BaseModel):
    deal_id: str
    deal: str
    owner: str
    stage: str
    amount: float = Field(description="amount used (0 when the deal has none)")
    amount_missing: bool = False
    expected_close: date | None = None
    probability: float = Field(description="P(won within the period): win probability x the slip model")
    win_probability: float | None = Field(default=None, description="P(won at all), whenever it closes")
    baseline_probability: float
    expected_value: float
    baseline_value: float = Field(description="stage win rate x amount when the stated close is in the period")
    category: str
    override: str | None = Field(default=None, description="a reviewer's override in force, with its reason")


class GroupTotal(BaseModel):
    group: str
    closed_won: float
    expected_open: float
    deals: int


class QuarterForecast(BaseModel):
    subject: str = Field(description="'company', 'team Central' or 'rep Jane Doe'")
    quarter: str
    start: date
    end: date
    as_of: date
    closed_won: float = Field(description="won in the quarter up to the as-of date")
    closed_won_deals: int = 0
    expected_open: float = Field(description="sum over open deals of P(won within the period) x amount")
    created_expected: float = Field(default=0.0, description="expected won amount of deals not yet created "
                                    "that will be created and won inside the period")
    expected_total: float
    p10: float
    p50: float
    p90: float
    baseline_total: float = Field(description="closed won + stage-weighted expected value")
    conversion_total: float | None = Field(default=None, description="closed won + open pipeline x the historical "
                                           "share converted by the period's end at this point of earlier periods")
    range_note: str = ""
    commit: float = Field(description="closed won + open deals in the commit category")
    best_case: float = Field(description="commit + best case deals")
    pipeline: float = Field(description="best case + remaining pipeline")
    open_deals: int
    missing_amounts: int = 0
    model: str
    notes: list[str] = Field(default_factory=list)
    deals: list[Contribution] = Field(default_factory=list, description="empty for aggregate-only viewers")
    groups: list[GroupTotal] = Field(default_factory=list, description="per-rep totals (pseudonymized for execs)")

    def explain(self) -> str:
        """'Show the math': every number and the deals behind it."""
        lines = [
            f"Forecast for {self.subject}, {self.quarter} ({self.start} to {self.end}), as of {self.as_of}",
            f"  closed won so far: {self.closed_won:,.0f} ({self.closed_won_deals} deals)",
            f"+ expected from {self.open_deals} open deals: {self.expected_open:,.0f}"
            f"  (sum of P(won within the quarter) x amount; model: {self.model})",
            f"+ expected from deals not created yet that will be created and won in it: {self.created_expected:,.0f}",
            f"= expected total {self.expected_total:,.0f}; simulated range P10 {self.p10:,.0f} / P50 {self.p50:,.0f}"
            f" / P90 {self.p90:,.0f}" + (f" ({self.range_note})" if self.range_note else ""),
            f"baselines: stage-weighted {self.baseline_total:,.0f}"
            + (f"; historical conversion {self.conversion_total:,.0f}" if self.conversion_total is not None else ""),
            f"categories: commit {self.commit:,.0f} | best case {self.best_case:,.0f} | pipeline {self.pipeline:,.0f}",
        ]
        if self.deals:
            lines.append("deals (P(won in the quarter) x amount = contribution; stage baseline):")
            ranked = sorted(self.deals, key=lambda c: -c.expected_value)
            for c in ranked[:SHOW_DEALS]:
                amt = "no amount" if c.amount_missing else f"{c.amount:,.0f}"
                lines.append(f"  {c.deal} [{c.owner}, {c.stage}, {c.category}, closes {c.expected_close}]: "
                             f"{c.probability:.0%} x {amt} = {c.expected_value:,.0f} (baseline {c.baseline_value:,.0f})"
                             + (f"; override: {c.override}" if c.override else ""))
            if len(ranked) > SHOW_DEALS:
                rest = sum(c.expected_value for c in ranked[SHOW_DEALS:])
                lines.append(f"  ... and {len(ranked) - SHOW_DEALS} more deals contributing {rest:,.0f}")
        for g in self.groups:
            lines.append(f"  {g.group}: closed {g.closed_won:,.0f} + expected {g.expected_open:,.0f} ({g.deals} deals)")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


class RiskFlag(BaseModel):
    code: str = Field(description="stalled | pushed | single_threaded | no_next_step | oversized | fading")
    why: str


class DealRisk(BaseModel):
    deal_id: str
    deal: str
    owner: str
    stage: str
    amount: float | None = None
    probability: float
    flags: list[RiskFlag]


class RiskGroup(BaseModel):
    """Open deals at risk in one group (a team, or a rep for a manager): how many, how much, and why."""
    group: str
    deals: int  # open deals in the group
    at_risk: int
    exposure: float | None  # the at-risk deals' amounts (not shown to an exec over fewer deals than the minimum)
    flags: dict[str, int] = Field(default_factory=dict)  # flag code -> deals carrying it


class ReliabilityBin(BaseModel):
    lo: float
    hi: float
    n: int
    mean_predicted: float
    observed: float


class MethodScores(BaseModel):
    method: str
    brier: float
    auc: float | None
    quarter_error: float = Field(description="mean absolute % error of the quarter total")
    reliability: list[ReliabilityBin] = Field(default_factory=list)


class BacktestPoint(BaseModel):
    as_of: date
    quarter: str
    deals: int
    won: int
    actual: float
    predicted: dict[str, float]
    brier: dict[str, float] = Field(default_factory=dict)
    product_model: str


class BacktestReport(BaseModel):
    methods: list[MethodScores]
    points: list[BacktestPoint]
    product_note: str = ""
    rolling: RollingReport | None = Field(default=None, description="monthly as-of dates, quarter totals, ranges")

    def table(self) -> str:
        head = f"{'method':<12}{'Brier':>9}{'AUC':>8}{'qtr err':>10}   (P(won at all), quarter-start as-of dates)"
        rows = [head] + [f"{m.method:<12}{m.brier:>9.4f}{(m.auc or float('nan')):>8.3f}{m.quarter_error:>9.1%}"
                         for m in self.methods]
        if self.rolling is not None:
            r = self.rolling
            rows += ["", f"rolling backtest: {len(r.as_ofs)} month ends, {r.as_ofs[0]} to {r.as_ofs[-1]}"
                     if r.as_ofs else "rolling backtest: no month end with a closed quarter", r.table()]
        return "\n".join(rows)


class RollingPoint(BaseModel):
    """One as-of date, one subject (company or a team): the period total against what happened."""

    as_of: date
    period: str
    subject: str
    actual: float
    closed_so_far: float
    predicted: dict[str, float] = Field(description="product, stage_weighted, conversion")
    p10: float
    p50: float
    p90: float
    covered: bool = Field(description="P10 <= actual <= P90")
    model: str = ""


class MethodAccuracy(BaseModel):
    method: str
    subject: str = "company"
    points: int
    mape: float = Field(description="mean absolute % error of the period total")
    bias: float = Field(description="mean signed % error (+ = over-forecast)")
    coverage: float | None = Field(default=None, description="share of points with the actual inside P10-P90")


class DealLevel(BaseModel):
    """P(won within the period) of open deals at each as-of date, against whether they were."""

    method: str
    deals: int
    brier: float
    auc: float | None
    ece: float
    reliability: list[ReliabilityBin] = Field(default_factory=list)


class CalibrationMonth(BaseModel):
    as_of: date
    deals: int
    brier: float
    predicted: float = Field(description="mean P(won within the quarter)")
    observed: float = Field(description="share that were won within it")


class RollingReport(BaseModel):
    as_ofs: list[date]
    points: list[RollingPoint]
    accuracy: list[MethodAccuracy]
    deal_level: list[DealLevel]
    monthly: list[CalibrationMonth] = Field(default_factory=list, description="the product's calibration per as-of")
    notes: list[str] = Field(default_factory=list)

    def get(self, method: str, subject: str = "company") -> MethodAccuracy | None:
        return next((a for a in self.accuracy if a.method == method and a.subject == subject), None)

    def table(self) -> str:
        rows = [f"{'subject':<22}{'method':<16}{'points':>7}{'MAPE':>8}{'bias':>8}{'P10-P90':>9}"]
        for a in self.accuracy:
            cov = f"{a.coverage:>9.0%}" if a.coverage is not None else f"{'':>9}"
            rows.append(f"{a.subject[:21]:<22}{a.method:<16}{a.points:>7}{a.mape:>8.1%}{a.bias:>+8.1%}{cov}")
        rows.append(f"\n{'deal level (P won in period)':<30}{'deals':>7}{'Brier':>8}{'AUC':>7}{'ECE':>7}")
        for d in self.deal_level:
            rows.append(f"{d.method:<30}{d.deals:>7}{d.brier:>8.4f}{(d.auc or float('nan')):>7.3f}{d.ece:>7.3f}")
        return "\n".join(rows)


BacktestReport.model_rebuild()
