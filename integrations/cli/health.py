"""``copilot health``: customer health scores with reasons, the daily scan, the renewal-risk backtest, value
reports, rule checks and the signals import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from copilot.core.domain import OPERATOR
from copilot.core.errors import UserError
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

health_app = typer.Typer(name="health", help="Customer health: scores with reasons, the daily scan, renewal risk.",
                         invoke_without_command=True)


def register(app: typer.Typer) -> None:
    health_app.callback(invoke_without_command=True)(health)
    health_app.command("scan", help="Run the daily health scan now: findings, proposals, owner reports, digests.")(scan)
    health_app.command("backtest", help="Renewal-risk model vs the usage-trend baseline on past renewals.")(backtest)
    health_app.command("value", help="Draft a value (ROI) report for an account, proposed as an email.")(value)
    health_app.command("check", help="Validate a health.yaml or journey.yaml before installing it.")(check)
    health_app.command("import", help="Import usage, support-ticket and marketing-touch files (admins).")(import_)
    app.add_typer(health_app, name="health")


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--as-of {value!r} is not a date", hint="write it as YYYY-MM-DD") from None


@cli_errors
def health(
    ctx: typer.Context,
    account: str = typer.Option(None, "--account", help="one account (name or id): its score explained"),
    as_of: str = typer.Option(None, "--as-of", help="as of this date (YYYY-MM-DD)"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    view = get_copilot().health(acting(who), account=account, as_of=_date(as_of))
    if json_:
        print_json(view)
        return
    for n in view.notes:
        console.print(f"note: {n}", highlight=False)
    if view.segments:
        console.print(table(f"Customer health by segment ({view.as_of})", ["segment", "customers", "average",
                                                                          "at risk", "watch", "healthy", "falling"],
                            [(s.segment, s.accounts, s.average_score, s.at_risk, s.watch, s.healthy, s.falling)
                             for s in view.segments]))
        return
    if account and view.accounts:
        h = view.accounts[0]
        console.print(h.summary, highlight=False)
        for c in h.components:
            for cit in c.citations[:2]:
                console.print(f"  [{c.name}] {cit.title}: {cit.snippet}", highlight=False)
        return
    console.print(table(f"Customer health ({view.as_of}), worst first",
                        ["account", "owner", "score", "band", "change", "stage", "renewal", "risk", "signals"],
                        [(h.account, h.owner or "", "-" if h.score is None else f"{h.score:.0f}", h.band,
                          "" if h.change is None else f"{h.change:+.0f}", h.stage, h.renewal_due or "",
                          "" if h.renewal_risk is None else f"{h.renewal_risk:.0%}", ", ".join(h.signals[:3]))
                         for h in view.accounts]))


@cli_errors
def scan(
    as_of: str = typer.Option(None, "--as-of", help="scan as of this date (YYYY-MM-DD)"),
    no_propose: bool = typer.Option(False, "--no-propose", help="report only; propose no interventions"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    principal = acting(who) if who else OPERATOR
    report = get_copilot().health_scan(principal, as_of=_date(as_of), propose=not no_propose)
    if json_:
        print_json(report)
        return
    console.print(f"Scanned {report.scanned} accounts as of {report.as_of}: {len(report.findings)} finding(s), "
                  f"{report.proposed} intervention(s) proposed (waiting for approval in 'copilot actions list').",
                  highlight=False)
    for n in report.notes:
        console.print(f"note: {n}", highlight=False)
    for owner in report.owners:
        console.print(owner.text(), highlight=False)
    for digest in report.digests:
        console.print(digest.text(), highlight=False)


@cli_errors
def backtest(
    horizon: int = typer.Option(90, "--horizon", min=7, max=365, help="predict this many days before each renewal"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    report = get_copilot().health_backtest(OPERATOR, horizon_days=horizon)
    if json_:
        print_json(report)
        return
    console.print(report.explain(), highlight=False)
    for m in report.methods:
        console.print(table(f"Reliability: {m.method}", ["bin", "n", "predicted", "observed"],
                            [(f"{b.lo:.1f}-{b.hi:.1f}", b.n, f"{b.predicted:.2f}", f"{b.observed:.2f}")
                             for b in m.reliability]))


@cli_errors
def value(
    account: str = typer.Argument(..., help="account name or id"),
    no_propose: bool = typer.Option(False, "--no-propose", help="draft only; propose no email"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    report = get_copilot().health_value_report(acting(who), account, propose=not no_propose)
    if json_:
        print_json(report)
        return
    console.print(report.text, highlight=False)
    for a in report.proposed:
        console.print(f"proposed: {a.summary} ({a.id}); approve with 'copilot actions approve {a.id}'", highlight=False)


@cli_errors
def check(path: Path = typer.Argument(..., help="a health.yaml or journey.yaml file")) -> None:
    console.print(f"{path}: valid ({get_copilot().health_rules_check(OPERATOR, path)})", highlight=False)


@cli_errors
def import_(
    path: Path = typer.Argument(..., help="a folder of signal exports (usage, tickets, touches) or one file"),
    mapping: str = typer.Option("generic", "--mapping", help="a shipped signals mapping or a YAML file"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    report = get_copilot().import_signals(acting(who) if who else OPERATOR, path, mapping)
    if json_:
        print_json(report.to_dict())
        return
    console.print(table("Signals import", ["file", "records", "rows"],
                        [(k, v["records"], v["rows"]) for k, v in report.files.items()]))
    for e in report.errors[:10]:
        console.print(f"error {e['where']}: {e['message']}", highlight=False)
    if report.error_count > 10:
        console.print(f"... {report.error_count - 10} more errors", highlight=False)
