"""Forecast: Brier, AUC, calibration (ECE and a reliability plot) and quarter error, against the stage baseline.

Calls ``cp.services.forecaster.backtest()``; the config (forecast.yaml) may pin ``as_ofs`` dates.
"""

from __future__ import annotations

from datetime import date

from evals.base import EvalEnv, SuiteResult
from evals.metrics import expected_calibration_error

NAME = "forecast"
DATASET = "forecast.yaml"
FAST = False


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    try:
        forecaster = env.cp.services.forecaster
        backtest = forecaster.backtest
    except (AttributeError, ImportError) as exc:
        return SuiteResult(NAME, status="not available", note=f"forecaster not available: {exc}")
    cfg = rows[0] if rows else {}
    as_ofs = [date.fromisoformat(str(d)) for d in cfg.get("as_ofs", [])] or None
    report = backtest(as_ofs=as_ofs)
    by = {m.method: m for m in report.methods}
    if not by:
        return SuiteResult(NAME, status="not available", note="backtest found no quarter with enough closed deals")
    main = by.get("product") or report.methods[0]
    base = by.get("baseline")
    metrics: dict[str, float | None] = {"brier": main.brier, "auc": main.auc, "quarter_error": main.quarter_error,
                                        "ece": expected_calibration_error(
                                            [(b.n, b.mean_predicted, b.observed) for b in main.reliability])}
    if base is not None:
        metrics |= {"brier_baseline": base.brier, "auc_baseline": base.auc, "quarter_error_baseline": base.quarter_error,
                    "brier_gain_vs_baseline": round(base.brier - main.brier, 4)}
    cases = [{"id": f"{p.as_of} {p.quarter}", "deals": p.deals, "won": p.won, "actual": p.actual,
              "predicted": p.predicted, "brier": p.brier, "model": p.product_model,
              "score": abs(p.predicted.get(main.method, 0.0) - p.actual) / p.actual if p.actual else None,
              "passed": None} for p in report.points]
    charts = {"calibration": {m.method: [(b.mean_predicted, b.observed, b.n) for b in m.reliability]
                              for m in report.methods}}
    return SuiteResult(NAME, metrics=metrics, cases=cases, charts=charts, note=report.product_note)
