"""``copilot ask`` and ``copilot chat``."""

from __future__ import annotations

import sys

import typer
from rich.markdown import Markdown
from rich.panel import Panel

from copilot.core.domain import Answer
from copilot.core.errors import CopilotError
from copilot.core.i18n import t
from integrations.cli.common import (
    AS_HELP,
    JSON_HELP,
    acting,
    cli_errors,
    console,
    err_console,
    get_copilot,
    print_json,
)


def register(app: typer.Typer) -> None:
    app.command("ask", help="Ask one question; get a cited answer scoped to what you may see.")(ask)
    app.command("chat", help="A multi-turn conversation; follow-ups may say 'it' or 'they'.")(chat)


def answer_json(answer: Answer) -> dict:
    data = answer.model_dump(mode="json")
    return {k: data[k] for k in ("text", "language", "citations", "actions", "confidence", "freshness", "mode", "intent",
                                 "tools_used", "notes")}


def show_answer(answer: Answer) -> None:
    lang = answer.language  # the frame speaks the answer's language
    console.print(Markdown(answer.text))
    if answer.citations:
        console.print(f"\n[bold]{t('sources', lang)}[/bold]")
        for i, c in enumerate(answer.citations, 1):
            console.print(f"  [{i}] {c.location()}", highlight=False)
    for a in answer.actions:
        console.print(f"  [yellow]{t('proposed_action', lang)}[/yellow] {a.id} {a.kind}: {a.summary} "
                      f"({t('approve_with', lang, id=a.id)})", highlight=False)
    fresh = answer.freshness
    bits = [f"{t('mode', lang)}: {answer.mode}", f"{t('confidence', lang)}: {answer.confidence:.0%}"]
    if fresh.age_hours is not None and fresh.newest is not None:
        bits.append(t("synced", lang, age=t("hours", lang, n=f"{fresh.age_hours:.0f}"), when=f"{fresh.newest:%Y-%m-%d %H:%M}"))
    console.print("[dim]" + " | ".join(bits) + "[/dim]")
    for note in answer.notes:
        console.print(f"[dim]{t('note', lang)}: {note}[/dim]", highlight=False)
    if fresh.warning:
        console.print(f"[yellow]{t('warning', lang)}:[/yellow] {fresh.warning}", highlight=False)


@cli_errors
def ask(
    question: str = typer.Argument(..., help="your question, in quotes"),
    as_: str = typer.Option(None, "--as", help=AS_HELP),
    thread: str = typer.Option(None, "--thread", help="continue a conversation thread"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    cp = get_copilot()
    principal = acting(as_)
    answer = cp.ask(principal, question, thread_id=thread)
    if json_:
        print_json(answer_json(answer))
    else:
        show_answer(answer)


@cli_errors
def chat(
    as_: str = typer.Option(None, "--as", help=AS_HELP),
    thread: str = typer.Option(None, "--thread", help="resume a thread id"),
) -> None:
    cp = get_copilot()
    principal = acting(as_)
    thread_id = thread or cp.new_thread()
    interactive = sys.stdin.isatty()
    if interactive:
        console.print(Panel(f"Chatting as {principal.label}. Thread {thread_id}. Type /quit to leave.",
                            title="copilot chat"))
    for line in _lines(interactive):
        q = line.strip()
        if not q:
            continue
        if q in ("/quit", "/exit", "/q"):
            break
        console.print(f"[bold cyan]you>[/bold cyan] {q}", highlight=False) if not interactive else None
        try:
            show_answer(cp.ask(principal, q, thread_id=thread_id))
        except CopilotError as exc:  # one bad question must not end the conversation
            err_console.print(f"[red]error:[/red] {exc}")
        console.print()


def _lines(interactive: bool):  # type: ignore[no-untyped-def]
    while True:
        try:
            line = console.input("[bold cyan]you>[/bold cyan] ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive and line == "":
            return
        yield line
