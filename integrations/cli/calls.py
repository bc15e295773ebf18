"""``copilot call transcribe|summarize`` and ``copilot followup``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from integrations.cli.common import AS_HELP, JSON_HELP, acting, cli_errors, console, get_copilot, print_json

call_app = typer.Typer(help="Recorded calls: transcribe, summarize.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(call_app, name="call")
    app.command("followup", help="Draft the follow-up email and CRM updates for a call (pending actions).")(followup)


@call_app.command("transcribe", help="Transcribe a call recording (wav, flac, mp3, m4a, ogg) with speakers and times.")
@cli_errors
def transcribe(
    audio: Path = typer.Argument(..., help="the recording"),
    speakers: int = typer.Option(None, "--speakers", help="number of speakers in a mono recording (default: guess)"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    t = get_copilot().transcribe(audio, num_speakers=speakers, progress=not json_)
    if json_:
        print_json(t.to_json())
        return
    for s in t.segments:
        m, sec = divmod(int(s.start), 60)
        console.print(f"[dim]{m:02d}:{sec:02d}[/dim] [bold]{s.speaker or '?'}[/bold]: {s.text}", highlight=False)


@call_app.command("summarize", help="Summarize a recording or transcript; with --deal the call is stored on the deal.")
@cli_errors
def summarize(
    source: Path = typer.Argument(..., help="audio file, or a transcript (.txt 'Speaker: text' lines, or .json)"),
    deal: str = typer.Option(None, "--deal", help="deal id the call belongs to"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    on: str = typer.Option(None, "--date", help="call date YYYY-MM-DD (default today)"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    cp = get_copilot()
    principal = acting(who) if (deal or who) else None
    cid, summary, _t = cp.summarize_call(principal, source, deal_id=deal, call_date=_date(on), progress=not json_)
    if json_:
        print_json({"call_id": cid, **summary.model_dump(mode="json")})
        return
    console.print(summary.to_markdown(), highlight=False)
    if deal:
        console.print(f"\nStored as call [bold]{cid}[/bold]; next: copilot followup --call {cid} --as USER")


@cli_errors
def followup(
    call: str = typer.Option(..., "--call", help="call id"),
    who: str = typer.Option(None, "--as", help=AS_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    cp = get_copilot()
    principal = acting(who)
    result = cp.draft_followup(principal, call)
    if json_:
        print_json(result)
        return
    email = result["email"]
    console.print(f"[bold]To:[/bold] {', '.join(email['to'])}\n[bold]Subject:[/bold] {email['subject']}\n")
    console.print(email["body"], highlight=False)
    for a in result["actions"]:
        console.print(f"proposed [bold]{a['kind']}[/bold] {a['id']}: {a.get('summary', '')}", highlight=False)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    from copilot.core.errors import UserError

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--date {value!r} is not a date", hint="use YYYY-MM-DD") from None
