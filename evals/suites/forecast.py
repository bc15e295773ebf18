"""Forecast: quarter totals on a rolling monthly backtest against two baselines, ranges, deal-level scores.

Calls ``cp.services.forecaster.backtest()`` on whatever CRM the home holds (the demo in CI; a home with
the Maven import gives Maven's figures). Metrics, company-wide unless named per team:
- ``mape``, ``bias``: quarter-total error of the product at every scored month end; ``mape_stage_weighted``
  and ``mape_conversion`` for the two baselines; ``mape_gain_vs_best_baseline`` = the better baseline's
  MAPE minus the product's (positive: the product wins);
- ``coverage``: share of month ends whose actual fell inside P10-P90;
- ``brier``, ``auc``, ``ece``: P(won within the quarter) of open deals; ``brier_best_single`` is the best of
  the single models scored the same way (stage win rate, logistic, boosting, each x the same slip model);
- ``win_brier``, ``win_auc``: P(won at all), the deal-level comparison at quarter starts.
The config (forecast.yaml) may pin ``as_ofs`` (quarter-start dates of the deal-level comparison).
"""

from __future__ import annotations

from datetime import date

from evals.base import EvalEnv, SuiteResult

NAME = "forecast"
DATASET = "forecast.yaml"
FAST = True  # about 30 s on the demo: its figures are part of the CI gate
SINGLE = ("stage_rate", "logistic", "gbm")


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    try:
        backtest = env.cp.services.forecaster.backtest
    except (AttributeError, ImportError) as exc:
        return SuiteResult(NAME, status="not available", note=f"forecaster not available: {exc}")
    cfg = rows[0] if rows else {}
    as_ofs = [date.fromisoformat(str(d)) for d in cfg.get("as_ofs", [])] or None
    report = backtest(as_ofs=as_ofs)
    roll = report.rolling
    if roll is None or not roll.points:
        return SuiteResult(NAME, status="not available", note="no month end whose quarter has closed")
    metrics: dict[str, float | None] = {"months": float(len(roll.as_ofs))}
    product, stage, conv = (roll.get(m) for m in ("product", "stage_weighted", "conversion"))
    if product is not None:
        metrics |= {"mape": product.mape, "bias": product.bias, "coverage": product.coverage}
    if stage is not None and conv is not None and product is not None:
        metrics |= {"mape_stage_weighted": stage.mape, "mape_conversion": conv.mape,
                    "mape_gain_vs_best_baseline": round(min(stage.mape, conv.mape) - product.mape, 4)}
    for a in roll.accuracy:
        if a.subject != "company" and a.method == "product":
            key = a.subject.replace("team ", "").lower().replace(" ", "_")
            metrics |= {f"mape_team_{key}": a.mape, f"coverage_team_{key}": a.coverage}
    levels = {d.method: d for d in roll.deal_level}
    if "product" in levels:
        metrics |= {"brier": levels["product"].brier, "auc": levels["product"].auc, "ece": levels["product"].ece}
        singles = [levels[m].brier for m in SINGLE if m in levels]
        if singles:
            metrics |= {"brier_best_single": min(singles),
                        "brier_gap_vs_best_single": round(levels["product"].brier - min(singles), 4)}
    win = {m.method: m for m in report.methods}
    if "product" in win:
        metrics |= {"win_brier": win["product"].brier, "win_auc": win["product"].auc}
    cases = [{"id": f"{p.as_of} {p.period} {p.subject}", "actual": p.actual, "predicted": p.predicted,
              "p10": p.p10, "p90": p.p90, "model": p.model,
              "score": abs(p.predicted["product"] - p.actual) / p.actual if p.actual else None,
              "passed": p.covered} for p in roll.points]
    charts = {"calibration": {d.method: [(b.mean_predicted, b.observed, b.n) for b in d.reliability]
                              for d in roll.deal_level}}
    return SuiteResult(NAME, metrics=metrics, cases=cases, charts=charts, note="; ".join(roll.notes))
