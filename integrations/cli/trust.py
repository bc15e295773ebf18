"""``copilot trust``: your newest answers and the pending suggestions you may see, each with its confidence,
sources and bias hints; ``copilot trust vote REF up|down`` votes on one of your answers."""

from __future__ import annotations

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

trust_app = typer.Typer(name="trust", help="AI trust: confidence, sources and bias hints; votes on answers.",
                        invoke_without_command=True)


def register(app: typer.Typer) -> None:
    trust_app.callback(invoke_without_command=True)(trust)
    trust_app.command("vote", help="Vote on one of your answers: up (helpful) or down.")(vote)
    app.add_typer(trust_app, name="trust")


@cli_errors
def trust(ctx: typer.Context, who: str = typer.Option(None, "--as", help=AS_HELP),
          json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    if ctx.invoked_subcommand is not None:
        return
    cp, principal = get_copilot(), acting(who)
    answers, suggestions = cp.trust_answers(principal), cp.trust_suggestions(principal)
    if json_:
        print_json({"answers": [{"ref": r.ref, "question": r.question, "confidence": r.answer.confidence,
                                 "hints": [h.text for h in r.hints], "votes": r.votes} for r in answers],
                    "suggestions": [{"action": s.action.id, "summary": s.action.summary(),
                                     "confidence": s.action.confidence, "hints": [h.text for h in s.hints]}
                                    for s in suggestions]})
        return
    console.print(table("Your newest answers", ["ref", "question", "confidence", "sources", "bias hints", "votes"],
                        [(r.ref, r.question[:60], f"{r.answer.confidence:.0%}", len(r.answer.citations),
                          "; ".join(h.text for h in r.hints) or "-", f"{r.votes['helpful']}+ {r.votes['not_helpful']}-")
                         for r in answers]))
    console.print(table("Pending suggestions", ["action", "summary", "confidence", "bias hints"],
                        [(s.action.id, s.action.summary()[:60], f"{s.action.confidence:.0%}",
                          "; ".join(h.text for h in s.hints) or "-") for s in suggestions]))


@cli_errors
def vote(ref: str = typer.Argument(..., help="the answer's ref (from 'copilot trust')"),
         verdict: str = typer.Argument(..., help="up or down"),
         who: str = typer.Option(None, "--as", help=AS_HELP)) -> None:
    if verdict not in ("up", "down"):
        raise UserError(f"vote {verdict!r} is neither up nor down", hint="write up or down")
    votes = get_copilot().answer_vote(acting(who), ref, helpful=verdict == "up")
    console.print(f"recorded: {votes['helpful']} helpful, {votes['not_helpful']} not helpful", highlight=False)
