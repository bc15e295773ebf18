"""``copilot roleplay list|start|continue|score|report``: practise calls with a simulated buyer."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from copilot.core.errors import UserError
from integrations.cli.common import (
    AS_HELP,
    JSON_HELP,
    acting,
    cli_errors,
    console,
    err_console,
    get_copilot,
    print_json,
    table,
)

roleplay_app = typer.Typer(help="Role-play coaching: practise calls with a simulated buyer, get scored.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(roleplay_app, name="roleplay")


@roleplay_app.command("list", help="Scenarios in the case library (persona cards).")
@cli_errors
def list_(json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    rows = [{"id": p.id, "title": p.title, "buyer": f"{p.name}, {p.role}", "company": p.company,
             "goal": p.goal, "difficulty": p.difficulty, "competitor": p.competitor, "targets": p.targets}
            for p in get_copilot().roleplay_scenarios()]
    if json_:
        print_json(rows)
        return
    console.print(table("Role-play scenarios (also: deal:<id>, call:<id>)",
                        ["id", "buyer", "goal", "difficulty", "competitor"],
                        [(r["id"], f"{r['buyer']} ({r['company']})", r["goal"], r["difficulty"], r["competitor"])
                         for r in rows]))


def _converse(session, json_: bool) -> None:  # noqa: ANN001
    """Read trainee lines from stdin until the buyer ends the call or the trainee types /end."""
    out = err_console if json_ else console
    out.print(f"[dim]session {session.id}; type /end to finish[/dim]", highlight=False)
    if not session.turns[1:]:
        out.print(f"[bold]{session.persona.name}:[/bold] {session.opening}", highlight=False)
    while not session.ended:
        if sys.stdin.isatty():
            out.print("[bold]You:[/bold] ", end="")
        line = sys.stdin.readline()
        if not line or line.strip() == "/end":
            break
        if not line.strip():
            continue
        turn = session.reply(line)
        out.print(f"[bold]{session.persona.name}:[/bold] {turn.text}", highlight=False)
    score = session.finish()
    if json_:
        print_json({"session": session.id, "transcript": str(session.transcript_path), "outcome": session.state.outcome,
                    **score.model_dump(mode="json")})
        return
    out.print(f"\nCall ended ({session.state.outcome}). Transcript: {session.transcript_path}")
    _print_score(score)


def _print_score(score) -> None:  # noqa: ANN001
    verdict = "[green]PASS[/green]" if score.passed else "[red]NOT YET[/red]"
    console.print(f"Score {score.score:.0f}/100 (pass mark {score.pass_mark:.0f}): {verdict}  "
                  f"knowledge {score.groups.get('knowledge')}%, style {score.groups.get('style')}%, "
                  f"talk ratio {score.talk_ratio:.0%}")
    console.print(table("Checks", ["check", "result", "turn", "evidence / note"],
                        [(c.label, {True: "yes", False: "no", None: "n/a"}[c.passed], c.turn,
                          c.note or c.evidence) for c in score.checks]))
    console.print(f"[bold]Most useful change:[/bold] {score.feedback.message}", highlight=False)
    if score.feedback.example:
        console.print(f'  e.g. "{score.feedback.example}"', highlight=False)
    console.print(f"[dim]{score.disclaimer}[/dim]")


@roleplay_app.command("start", help="Start a practice call (reads your lines from stdin; /end to finish).")
@cli_errors
def start(scenario: str = typer.Argument(..., help="scenario id from 'copilot roleplay list', deal:<id> or call:<id>"),
          who: str = typer.Option(None, "--as", help=AS_HELP),
          json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    principal = acting(who)
    _converse(cp.roleplay_start(principal, scenario), json_)


@roleplay_app.command("continue", help="Continue a saved session by id (e.g. one started in Slack).")
@cli_errors
def continue_(session_id: str = typer.Argument(...), who: str = typer.Option(None, "--as", help=AS_HELP),
              json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    principal = acting(who)
    session = cp.roleplay_session(principal, session_id)
    if session.status == "finished":
        raise UserError(f"session {session_id} is finished", hint="start a new one with 'copilot roleplay start'")
    _converse(session, json_)


@roleplay_app.command("score", help="Score a finished transcript ('Rep:' / 'Customer:' lines) with the rubric.")
@cli_errors
def score(transcript: str = typer.Argument(..., help="text file with speaker-labelled lines, or call:<id> from the CRM"),
          who: str = typer.Option(None, "--as", help="store the score for this trainee (" + AS_HELP + ")"),
          scenario: str = typer.Option(None, "--scenario", help="scenario id, for example lines in feedback"),
          rep: list[str] = typer.Option(None, "--rep", help="speaker name of the rep in a real call transcript"),
          json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    if transcript.startswith("call:"):
        principal = acting(who)
        result = cp.roleplay_score(principal, call_id=transcript.removeprefix("call:"))
    else:
        path = Path(transcript)
        if not path.is_file():
            raise UserError(f"no transcript file at {path}", hint="pass the path of a .txt transcript or call:<id>")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{path} is not UTF-8 text", hint="save the transcript as plain text") from None
        trainee = acting(who) if who else None
        result = cp.roleplay_score(trainee, text=text, scenario_id=scenario, rep_names=set(rep or []))
    if json_:
        print_json(result.model_dump(mode="json"))
        return
    _print_score(result)


@roleplay_app.command("report", help="Your progress per rubric check (a manager sees the team) and what to practise next.")
@cli_errors
def report(who: str = typer.Option(None, "--as", help=AS_HELP),
           trainee: str = typer.Option(None, "--trainee", help="one trainee (managers: someone in your team)"),
           json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    cp = get_copilot()
    principal = acting(who)
    rep = cp.roleplay_report(principal, trainee=trainee)
    if json_:
        print_json(rep)
        return
    console.print(f"Role-play progress for {principal.name}: {rep['sessions']} sessions, {rep['passed']} passed, "
                  f"average {rep['average']}", highlight=False)
    console.print(table("Per check (+ pass, - miss; oldest first)", ["check", "group", "pass rate", "recent", "trend",
                                                                     "history"],
                        [(c["label"], c["group"], c["pass_rate"], c["recent_rate"], c["trend"], c["history"])
                         for c in rep["criteria"]]))
    if len(rep["trainees"]) > 1 or (rep["trainees"] and principal.user_id not in rep["trainees"]):
        console.print(table("Team", ["trainee", "sessions", "passed", "average", "last", "weakest"],
                            [(t, v["sessions"], v["passed"], v["average"], v["last"], v["weakest"])
                             for t, v in rep["trainees"].items()]))
    rec = rep["recommendation"]
    if rec:
        console.print(f"[bold]Next:[/bold] copilot roleplay start {rec['scenario']}  ({rec['title']}; {rec['why']})",
                      highlight=False)
    console.print(f"[dim]{rep['disclaimer']}[/dim]")
