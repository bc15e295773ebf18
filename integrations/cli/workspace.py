"""What the web workspace shows, from the terminal: ``copilot needs map|account|themes|tag|untag`` (the
customer-needs heat map and pre-sales tags), ``copilot timeline DEAL``, ``copilot forecast history`` and
``copilot roleplay assign|assignments|unassign``."""

from __future__ import annotations

from datetime import date

import typer

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
from integrations.cli.forecast import forecast_app
from integrations.cli.roleplay import roleplay_app

needs_app = typer.Typer(help="Customer needs: a heat map of accounts by technical need theme, and pre-sales tags.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(needs_app, name="needs")
    app.command("timeline", help="A deal's history, activities and calls with their summaries, oldest first.")(
        timeline)
    forecast_app.command("history", help="Forecast against actual: each past month end's forecast of its quarter "
                                         "(replayed with what was known then) beside the actual and both baselines.")(
        history)
    roleplay_app.command("assign", help="Assign a scenario to someone in your team (managers, admins).")(assign)
    roleplay_app.command("assignments", help="Assigned scenarios you may see: open, overdue or done.")(assignments)
    roleplay_app.command("unassign", help="Withdraw an assignment by id (managers, admins).")(unassign)
    roleplay_app.command("sessions", help="A trainee's sessions with their scores (yours, or your person's).")(sessions)
    roleplay_app.command("review", help="Read a session's transcript with the rubric's checks beside the turns.")(review)


@needs_app.command("map", help="Accounts you may see by need theme, most signals first (execs: segments).")
@cli_errors
def needs_map(days: int = typer.Option(180, "--days", min=1, max=3650, help="signals from the last N days"),
              limit: int = typer.Option(20, "--limit", min=1, max=200, help="at most this many accounts"),
              who: str = typer.Option(None, "--as", help=AS_HELP),
              json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    view = get_copilot().needs_map(acting(who), days=days, limit=limit)
    if json_:
        print_json(view)
        return
    ids = [t["id"] for t in view.themes]
    console.print(table(f"Customer needs since {view.since} (* includes pre-sales tags)",
                        ["segment" if view.segments else "account", *ids, "total"],
                        [(r.label, *[f"{r.counts.get(i, 0)}{'*' if r.tags.get(i) else ''}" for i in ids], r.total)
                         for r in view.rows]))
    for note in view.notes:
        console.print(f"[dim]{note}[/dim]", highlight=False)


@needs_app.command("account", help="One account's needs: counts per theme, its tags and the evidence.")
@cli_errors
def account(name: str = typer.Argument(..., help="account id or exact name"),
            days: int = typer.Option(365, "--days", min=1, max=3650),
            who: str = typer.Option(None, "--as", help=AS_HELP),
            json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    view = get_copilot().account_needs(acting(who), name, days=days)
    if json_:
        print_json(view)
        return
    console.print(f"[bold]{view.account}[/bold] since {view.since}: " + ", ".join(
        f"{k} {v}" for k, v in sorted(view.counts.items(), key=lambda kv: -kv[1])), highlight=False)
    console.print(table("Pre-sales tags", ["id", "theme", "note", "by", "when"],
                        [(t.id, t.theme, t.note, t.by + (f" ({t.by_title})" if t.by_title else ""), f"{t.at:%Y-%m-%d}")
                         for t in view.tags]))
    console.print(table("Evidence (newest first)", ["theme", "when", "kind", "text", "source"],
                        [(e.theme, f"{e.at:%Y-%m-%d}", e.kind, e.text, e.citation.location()) for e in view.evidence[:20]]))


@needs_app.command("themes", help="The need themes (ids for tags).")
@cli_errors
def themes(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    rows = get_copilot().needs_themes()
    if json_:
        print_json(rows)
        return
    console.print(table("Need themes", ["id", "English", "中文"], [(r["id"], r["en"], r["zh"]) for r in rows]))


@needs_app.command("tag", help="Tag a technical pain on an account you can see.")
@cli_errors
def tag(name: str = typer.Argument(..., help="account id or exact name"),
        theme: str = typer.Argument(..., help="a theme id ('copilot needs themes')"),
        note: str = typer.Option("", "--note", help="what you saw, for sales"),
        who: str = typer.Option(None, "--as", help=AS_HELP),
        json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    made = get_copilot().tag_account(acting(who), name, theme, note)
    if json_:
        print_json(made)
        return
    console.print(f"Tagged {theme} ({made.id}).", highlight=False)


@needs_app.command("untag", help="Remove a tag by id (whoever added it, or a manager or admin).")
@cli_errors
def untag(tag_id: str = typer.Argument(...), who: str = typer.Option(None, "--as", help=AS_HELP)) -> None:
    get_copilot().untag_account(acting(who), tag_id)
    console.print(f"Removed {tag_id}.", highlight=False)


@cli_errors
def timeline(deal: str = typer.Argument(..., help="deal id or exact name"),
             who: str = typer.Option(None, "--as", help=AS_HELP),
             json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    view = get_copilot().deal_timeline(acting(who), deal)
    if json_:
        print_json(view)
        return
    console.print(view.render(), highlight=False, soft_wrap=True)


@cli_errors
def history(rep: str = typer.Option(None, "--rep"), team: str = typer.Option(None, "--team"),
            company: bool = typer.Option(False, "--company"),
            months: int = typer.Option(12, "--months", min=1, max=24, help="month ends to replay"),
            who: str = typer.Option(None, "--as", help=AS_HELP),
            json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    view = get_copilot().forecast_history(acting(who), rep=rep, team=team, company=company, months=months)
    if json_:
        print_json(view)
        return
    console.print(table(f"Forecast against actual: {view.subject}", ["as of", "quarter", "P10", "P50", "P90",
                                                                     "stage-weighted", "conversion", "actual", "in range"],
                        [(str(p.as_of), p.period, f"{p.p10:,.0f}", f"{p.p50:,.0f}", f"{p.p90:,.0f}",
                          f"{p.predicted['stage_weighted']:,.0f}", f"{p.predicted['conversion']:,.0f}",
                          f"{p.actual:,.0f}", "yes" if p.covered else "no") for p in view.points]))
    for a in view.accuracy:
        console.print(f"{a.method}: mean abs. error {a.mape:.1%}, bias {a.bias:+.1%}"
                      + (f", P10-P90 coverage {a.coverage:.0%}" if a.coverage is not None else ""), highlight=False)
    for note in view.notes:
        console.print(f"[dim]{note}[/dim]", highlight=False)


@cli_errors
def assign(trainee: str = typer.Argument(..., help="user id, email or full name"),
           scenario: str = typer.Argument(..., help="scenario id ('copilot roleplay list')"),
           due: str = typer.Option(None, "--due", help="due date, YYYY-MM-DD"),
           note: str = typer.Option("", "--note"),
           who: str = typer.Option(None, "--as", help=AS_HELP),
           json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    try:
        due_on = date.fromisoformat(due) if due else None
    except ValueError:
        raise UserError(f"--due {due!r} is not a date", hint="write it as YYYY-MM-DD") from None
    made = get_copilot().roleplay_assign(acting(who), trainee, scenario, due_on=due_on, note=note)
    if json_:
        print_json(made)
        return
    console.print(f"Assigned {made.scenario} to {made.trainee}" + (f", due {made.due_on}" if made.due_on else "")
                  + f" ({made.id}).", highlight=False)


@cli_errors
def assignments(trainee: str = typer.Option(None, "--trainee", help="one trainee (managers: someone in your team)"),
                who: str = typer.Option(None, "--as", help=AS_HELP),
                json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    rows = get_copilot().roleplay_assignments(acting(who), trainee=trainee)
    if json_:
        print_json(rows)
        return
    console.print(table("Assigned scenarios", ["id", "trainee", "scenario", "due", "status", "score", "by"],
                        [(a.id, a.trainee, a.scenario_id, str(a.due_on or "-"), a.status,
                          "-" if a.score is None else f"{a.score:.0f}", a.assigned_by) for a in rows]))


@cli_errors
def unassign(assignment_id: str = typer.Argument(...), who: str = typer.Option(None, "--as", help=AS_HELP)) -> None:
    get_copilot().roleplay_unassign(acting(who), assignment_id)
    console.print(f"Withdrew {assignment_id}.", highlight=False)


@cli_errors
def sessions(trainee: str = typer.Option(None, "--trainee", help="one trainee (managers: someone in your team)"),
             who: str = typer.Option(None, "--as", help=AS_HELP),
             json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    rows = get_copilot().roleplay_sessions(acting(who), trainee=trainee)
    if json_:
        print_json(rows)
        return
    console.print(table("Sessions, newest first", ["id", "started", "scenario", "status", "turns", "score"],
                        [(x.id, f"{x.started_at:%Y-%m-%d %H:%M}", x.scenario_id, x.status, x.turns,
                          "-" if x.score is None else f"{x.score:.0f}") for x in rows]))


@cli_errors
def review(session_id: str = typer.Argument(...), who: str = typer.Option(None, "--as", help=AS_HELP),
           json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    session, score = get_copilot().roleplay_review(acting(who), session_id)
    marks: dict[int, list[str]] = {}
    for c in score.checks if score else []:
        if c.turn:
            marks.setdefault(c.turn, []).append(("+" if c.passed else "-" if c.passed is False else "~") + c.id)
    if json_:
        print_json({"session_id": session.id, "turns": [t.model_dump(mode="json") for t in session.turns],
                    "score": score})
        return
    for i, t in enumerate(session.turns, start=1):
        console.print(f"{i}. {t.speaker}: {t.text}" + (f"  [{' '.join(marks[i])}]" if i in marks else ""),
                      highlight=False, soft_wrap=True)
    if score:
        console.print(f"Score {score.score:.0f}/100 (pass mark {score.pass_mark:.0f})", highlight=False)
