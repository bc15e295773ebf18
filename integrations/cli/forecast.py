"""``copilot forecast`` (quarter forecast, deals at risk, one deal's odds, backtest) and ``copilot pipeline``."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from copilot.core.domain import OPERATOR
from copilot.core.errors import InvalidRequest, UserError
from integrations.cli import forecast_review
from integrations.cli.common import (
    AS_HELP,
    JSON_HELP,
    acting,
    cli_errors,
    console,
    get_copilot,
    print_json,
    table,
)

forecast_app = typer.Typer(name="forecast", help="Quarter forecast with a range, deals at risk, backtests.",
                           invoke_without_command=True)
METRICS = "won_revenue | win_rate | deal_count | avg_deal_size | cycle_length | pipeline_value"


def register(app: typer.Typer) -> None:
    forecast_app.callback(invoke_without_command=True)(forecast)
    forecast_app.command("deals", help="Open deals with win probabilities; --at-risk keeps flagged ones.")(deals)
    forecast_app.command("deal", help="One deal's win probability and its top factors.")(deal)
    forecast_app.command("backtest", help="Replay the past: Brier, AUC, calibration; quarter totals at every month end "
                                          "(MAPE, bias, P10-P90 coverage) against two baselines, per team.")(
        backtest)
    forecast_review.register(forecast_app)
    app.add_typer(forecast_app, name="forecast")
    app.command("pipeline", help=f"Pipeline numbers: METRIC is {METRICS}.")(pipeline)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--as-of {value!r} is not a date", hint="write it as YYYY-MM-DD") from None





@cli_errors
def forecast(
    ctx: typer.Context,
    rep: str = typer.Option(None, "--rep", help="a rep (id or full name)"),
    team: str = typer.Option(None, "--team", help="a team (id or name)"),
    company: bool = typer.Option(False, "--company", help="the whole company"),
    quarter: str = typer.Option(None, "--quarter", help="e.g. 2017Q3 or 'next quarter'; default: this quarter"),
    as_of: str = typer.Option(None, "--as-of", help="forecast as of this date (YYYY-MM-DD)"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    fc = get_copilot().forecast(acting(who), rep=rep, team=team, company=company, quarter=quarter,
                                           as_of=_date(as_of))
    if json_:
        print_json(fc)
        return
    console.print(fc.explain(), highlight=False)


@cli_errors
def deals(
    at_risk: bool = typer.Option(False, "--at-risk", help="only deals with risk flags, with the reasons"),
    as_of: str = typer.Option(None, "--as-of", help="as of this date (YYYY-MM-DD)"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    cp, principal = get_copilot(), acting(who)
    risks = cp.at_risk(principal, as_of=_date(as_of))
    if not at_risk:
        flagged = {r.deal_id: r for r in risks}
        fc = cp.forecast(principal, as_of=_date(as_of))
        rows: list[dict[str, Any]] = [{"deal_id": c.deal_id, "deal": c.deal, "owner": c.owner, "stage": c.stage, "amount": c.amount,
                 "probability": c.probability, "category": c.category,
                 "flags": [f.code for f in flagged[c.deal_id].flags] if c.deal_id in flagged else []}
                for c in fc.deals]
        if json_:
            print_json(rows)
            return
        console.print(table(f"Open deals closing in {fc.quarter}", ["deal", "owner", "stage", "amount", "win %", "flags"],
                            [(r["deal"], r["owner"], r["stage"], f"{r['amount']:,.0f}", f"{r['probability']:.0%}",
                              ", ".join(r["flags"])) for r in rows]))
        return
    if json_:
        print_json(risks)
        return
    console.print(table("Deals at risk", ["deal", "owner", "stage", "amount", "win %", "why"],
                        [(r.deal, r.owner, r.stage, f"{r.amount or 0:,.0f}", f"{r.probability:.0%}",
                          "; ".join(f.why for f in r.flags)) for r in risks]))


@cli_errors
def deal(
    deal_id: str = typer.Argument(..., help="deal id or exact name"),
    as_of: str = typer.Option(None, "--as-of", help="as of this date (YYYY-MM-DD)"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    sc = get_copilot().win_probability(acting(who), deal_id, as_of=_date(as_of))
    if json_:
        print_json(sc)
        return
    console.print(f"{sc.deal}: win probability {sc.probability:.0%} (stage baseline {sc.baseline_probability:.0%}, "
                  f"{sc.category}) as of {sc.as_of}", highlight=False)
    for f in sc.positives:
        console.print(f"  + {f.text}", highlight=False)
    for f in sc.negatives:
        console.print(f"  - {f.text}", highlight=False)
    console.print(f"model: {sc.model}", highlight=False)


@cli_errors
def backtest(
    as_of: list[str] = typer.Option(None, "--as-of", help="replay as of these dates (repeatable); default: "
                                                         "the ends of the last four complete quarters"),
    min_history: int = typer.Option(None, "--min-history", min=0,
                                    help="won and lost deals needed before the product trusts a model (default 200)"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    dates = [d for d in (_date(x) for x in as_of or []) if d] or None
    report = get_copilot().backtest(OPERATOR, as_ofs=dates, min_history=min_history)
    if json_:
        print_json(report)
        return
    if not report.methods:
        raise UserError("nothing to backtest: no deals open at the as-of dates have closed since",
                        hint="pick earlier --as-of dates or load more history")
    console.print(table("Backtest (pooled over as-of dates)", ["method", "Brier", "AUC", "quarter error"],
                        [(m.method, f"{m.brier:.4f}", f"{m.auc:.3f}" if m.auc is not None else "-",
                          f"{m.quarter_error:.1%}") for m in report.methods]))
    console.print(table("Quarters", ["as of", "quarter", "deals", "won", "actual", "baseline", "model used", "product"],
                        [(p.as_of, p.quarter, p.deals, p.won, f"{p.actual:,.0f}", f"{p.predicted['baseline']:,.0f}",
                          p.product_model, f"{p.predicted['product']:,.0f}") for p in report.points]))
    product = next(m for m in report.methods if m.method == "product")
    console.print(table("Reliability of the product's probabilities", ["bin", "n", "predicted", "observed"],
                        [(f"{b.lo:.1f}-{b.hi:.1f}", b.n, f"{b.mean_predicted:.2f}", f"{b.observed:.2f}")
                         for b in product.reliability]))
    if report.product_note:
        console.print(f"note: {report.product_note}", highlight=False)
    if report.rolling is not None:
        console.print(report.table().split("\n\n", 1)[-1], highlight=False)


@cli_errors
def pipeline(
    metric: str = typer.Argument(..., help=METRICS),
    by: str = typer.Option(None, "--by", help="rep | manager | team | product | account | sector | month | quarter"),
    period: str = typer.Option(None, "--period", help="'last quarter', 'Q2 2017', 'this month', '2017', 'last 90 days'"),
    rep: str = typer.Option(None, "--rep", help="only this rep's deals"),
    team: str = typer.Option(None, "--team", help="only this team's deals"),
    product: str = typer.Option(None, "--product", help="only this product"),
    as_of: str = typer.Option(None, "--as-of", help="what 'today' is for relative periods (YYYY-MM-DD)"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    query = {"metric": metric, "group_by": by, "period": period, "rep": rep, "team": team, "product": product,
             "as_of": _date(as_of)}
    try:
        res = get_copilot().pipeline(acting(who), query)
    except InvalidRequest as exc:
        raise UserError(str(exc), hint=f"METRIC is {METRICS}; --by is rep, manager, team, product, account, "
                                       "sector, month or quarter") from None
    if json_:
        print_json(res)
        return
    pct = res.metric == "win_rate"

    def fmt(v: float | None) -> str:
        return "-" if v is None else (f"{v:.1%}" if pct else f"{v:,.2f}".rstrip("0").rstrip("."))

    console.print(table(f"{res.metric} ({res.period_label})", ["group", "value", "deals"],
                        [(r.group, fmt(r.value), r.deals) for r in res.rows + [res.total]]))
    console.print(res.description, highlight=False)
    for n in res.notes:
        console.print(f"note: {n}", highlight=False)
