"""The forecast's result types (pydantic): what the CLI prints, the API returns and the agent reads."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from copilot.core.domain import Citation


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
    probability: float
    baseline_probability: float
    expected_value: float
    baseline_value: float
    category: str


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
    expected_open: float = Field(description="sum of probability x amount of open deals expected to close in it")
    expected_total: float
    p10: float
    p50: float
    p90: float
    baseline_total: float = Field(description="closed won + stage-weighted expected value")
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
            f"+ expected from {self.open_deals} open deals closing in the quarter: {self.expected_open:,.0f}"
            f"  (sum of win probability x amount; model: {self.model})",
            f"= expected total {self.expected_total:,.0f}; simulated range P10 {self.p10:,.0f} / P50 {self.p50:,.0f}"
            f" / P90 {self.p90:,.0f}",
            f"stage-weighted baseline: {self.baseline_total:,.0f}",
            f"categories: commit {self.commit:,.0f} | best case {self.best_case:,.0f} | pipeline {self.pipeline:,.0f}",
        ]
        if self.deals:
            lines.append("deals (probability x amount = contribution; stage baseline):")
            for c in sorted(self.deals, key=lambda c: -c.expected_value):
                amt = "no amount" if c.amount_missing else f"{c.amount:,.0f}"
                lines.append(f"  {c.deal} [{c.owner}, {c.stage}, {c.category}, closes {c.expected_close}]: "
                             f"{c.probability:.0%} x {amt} = {c.expected_value:,.0f} (baseline {c.baseline_value:,.0f})")
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

    def table(self) -> str:
        head = f"{'method':<12}{'Brier':>9}{'AUC':>8}{'qtr err':>10}"
        rows = [head] + [f"{m.method:<12}{m.brier:>9.4f}{(m.auc or float('nan')):>8.3f}{m.quarter_error:>9.1%}"
                         for m in self.methods]
        return "\n".join(rows)
