"""``copilot forecast interventions|call|scoreboard|override|health``: the forecast review from the terminal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from copilot.core.errors import UserError
from integrations.cli.common import AS_HELP, JSON_HELP, acting, cli_errors, console, get_copilot, print_json


def register(forecast_app: typer.Typer) -> None:
    forecast_app.command("interventions", help="A next action with a date for each at-risk or silent deal, "
                                               "proposed to the actions inbox.")(interventions)
    forecast_app.command("call", help="Record your own call for a quarter: --amount, or --deal with --category.")(call)
    forecast_app.command("scoreboard", help="AI vs human: people's calls beside the model's, scored after the "
                                            "quarter closes.")(scoreboard)
    forecast_app.command("override", help="Override one deal's probability, with the reason (managers, admins).")(
        override)
    forecast_app.command("health", help="The monthly model-health report (text, --json or --html FILE).")(health)


@cli_errors
def interventions(
    as_of: str = typer.Option(None, "--as-of", help="as of this date (YYYY-MM-DD)"),
    propose: bool = typer.Option(True, "--propose/--no-propose", help="propose each to the actions inbox"),
    limit: int = typer.Option(10, "--limit", min=1, help="at most this many, most valuable first"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise UserError(f"--as-of {as_of!r} is not a date", hint="write it as YYYY-MM-DD") from None
    report = get_copilot().forecast_interventions(acting(who), as_of=day, propose=propose, limit=limit)
    if json_:
        print_json(report)
        return
    console.print(report.text(), highlight=False)


@cli_errors
def call(
    amount: float = typer.Option(None, "--amount", help="the number you call for the quarter"),
    deal: str = typer.Option(None, "--deal", help="a deal id or name (with --category)"),
    category: str = typer.Option(None, "--category", help="commit | best_case | pipeline | omitted"),
    quarter: str = typer.Option(None, "--quarter", help="default: this quarter"),
    rep: str = typer.Option(None, "--rep", help="call for this rep's deals (managers)"),
    team: str = typer.Option(None, "--team", help="call for this team"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    rec = get_copilot().forecast_call(acting(who), quarter=quarter, amount=amount, deal=deal, category=category,
                                      rep=rep, team=team, source="cli")
    if json_:
        print_json(rec)
        return
    what = f"{rec.amount:,.0f}" if rec.amount is not None else f"{rec.category} for deal {rec.deal_id}"
    console.print(f"Recorded {rec.caller}'s call for {rec.period} ({rec.subject}): {what}, on {rec.made_on}.",
                  highlight=False)


@cli_errors
def scoreboard(
    quarter: str = typer.Option(None, "--quarter", help="default: this quarter"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    board = get_copilot().forecast_scoreboard(acting(who), quarter=quarter)
    if json_:
        print_json(board)
        return
    console.print(board.table(), highlight=False)


@cli_errors
def override(
    deal: str = typer.Argument(..., help="deal id or exact name"),
    probability: float = typer.Option(None, "--probability", help="0 to 1"),
    withdraw: bool = typer.Option(False, "--withdraw", help="withdraw the override in force"),
    reason: str = typer.Option(..., "--reason", help="why (kept with the override)"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    if (probability is None) != withdraw:
        raise UserError("pass either --probability or --withdraw", hint="e.g. --probability 0.8 --reason '...'")
    shown = get_copilot().forecast_override(acting(who), deal, probability=None if withdraw else probability,
                                            reason=reason)
    if json_:
        print_json(shown)
        return
    console.print(f"{shown.deal}: now {shown.probability:.0%} x {shown.amount:,.0f} = {shown.expected_value:,.0f}"
                  + (f" (override: {shown.override})" if shown.override else " (model)"), highlight=False)


@cli_errors
def health(
    month: str = typer.Option(None, "--month", help="YYYY-MM; default: last month"),
    html: Path = typer.Option(None, "--html", help="also write the report as an HTML page to this file"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    report = get_copilot().forecast_health(acting(who), month=month)
    if html is not None:
        html.write_text(report.html(), encoding="utf-8")
    if json_:
        print_json(report)
        return
    console.print(report.text(), highlight=False)
    if html is not None:
        console.print(f"HTML report written to {html}", highlight=False)
