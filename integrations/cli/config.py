"""``copilot config``: sales ops' rules and templates (health, journey, summary, rubric, CRM mappings), shown,
validated by the product's own loaders, previewed, installed with a history, and restored. Admins only; the
local operator acts as an admin unless ``--as`` names someone."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import typer

from copilot.core.domain import OPERATOR, Principal
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

config_app = typer.Typer(name="config", help="Sales ops' rules and templates: show, validate, preview, set, history, "
                                             "restore (admins).", invoke_without_command=True)
WHO = typer.Option(None, "--as", help=AS_HELP)
KIND = typer.Argument(..., help="health, journey, summary, rubric or mapping-<name> ('copilot config' lists them)")


def register(app: typer.Typer) -> None:
    config_app.callback(invoke_without_command=True)(kinds)
    config_app.command("show", help="Print the file in force (YAML).")(show)
    config_app.command("validate", help="Check a file with the loader the product uses; nothing is installed.")(validate)
    config_app.command("preview", help="What a file would change: health scores before and after, a sample "
                                       "call summarized, or what it holds.")(preview)
    config_app.command("set", help="Validate and install a file (kept in the history); a bad file changes nothing.")(set_)
    config_app.command("history", help="Saved versions: who, when, note.")(history)
    config_app.command("diff", help="What one version changed against the version before it.")(diff)
    config_app.command("restore", help="Install an earlier version again (0: the shipped default).")(restore)
    app.add_typer(config_app, name="config")


def _who(who: str | None) -> Principal:
    return acting(who) if who else OPERATOR


def _read(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}", hint="give the path of a YAML file, or - for stdin") from None


@cli_errors
def kinds(ctx: typer.Context, who: str = WHO, json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    if ctx.invoked_subcommand is not None:
        return
    found = get_copilot().config_kinds(_who(who))
    if json_:
        print_json([{"name": k.name, "title": k.title, "custom": custom, "effect": k.effect} for k, custom in found])
        return
    console.print(table("Configuration files", ["name", "what", "in force", "takes effect"],
                        [(k.name, k.title, "edited" if custom else "shipped default", k.effect) for k, custom in found]))


@cli_errors
def show(kind: str = KIND, who: str = WHO) -> None:
    sys.stdout.write(get_copilot().config_show(_who(who), kind))


@cli_errors
def validate(kind: str = KIND, path: Path = typer.Argument(..., help="the YAML file (- for stdin)"),
             who: str = WHO) -> None:
    console.print(f"{path}: valid ({get_copilot().config_validate(_who(who), kind, _read(path))})", highlight=False)


@cli_errors
def preview(kind: str = KIND, path: Path = typer.Argument(..., help="the YAML file (- for stdin)"), who: str = WHO,
            json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    found = get_copilot().config_preview(_who(who), kind, _read(path))
    if json_:
        print_json(dataclasses.asdict(found))
        return
    console.print(f"now:       {found.current}\nwith edit: {found.edited}", highlight=False)
    if found.scores:
        console.print(table("Scores that move most", ["account", "before", "after"],
                            [(c.account, f"{c.before} ({c.band_before})", f"{c.after} ({c.band_after})")
                             for c in found.scores]))
    if found.risks:
        console.print(table("Deals whose risk flags change", ["deal", "before", "after"],
                            [(r.subject, ", ".join(r.before) or "-", ", ".join(r.after) or "-") for r in found.risks]))
    if found.interventions:
        console.print(table("Accounts whose interventions change", ["account", "before", "after"],
                            [(r.subject, ", ".join(r.before) or "-", ", ".join(r.after) or "-")
                             for r in found.interventions]))
    if found.rendered:
        console.print(found.rendered, highlight=False, markup=False)


@cli_errors
def set_(kind: str = KIND, path: Path = typer.Argument(..., help="the YAML file (- for stdin)"),
         note: str = typer.Option("", "--note", help="why (kept in the history)"), who: str = WHO) -> None:
    v = get_copilot().config_save(_who(who), kind, _read(path), note)
    console.print(f"installed {kind} version {v.number} ({v.sha})", highlight=False)


@cli_errors
def history(kind: str = KIND, who: str = WHO, json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    found = get_copilot().config_history(_who(who), kind)
    if json_:
        print_json([dataclasses.asdict(v) for v in found])
        return
    console.print(table(f"{kind}: versions, newest first", ["version", "when", "by", "note"],
                        [(v.number, v.at or "", v.by_name, v.note) for v in found]))


@cli_errors
def diff(kind: str = KIND, version: int = typer.Argument(..., help="the version number"), who: str = WHO) -> None:
    _text, changes = get_copilot().config_version(_who(who), kind, version)
    sys.stdout.write(changes or "(the shipped default)\n")


@cli_errors
def restore(kind: str = KIND, version: int = typer.Argument(..., help="the version to install again"),
            who: str = WHO) -> None:
    v = get_copilot().config_restore(_who(who), kind, version)
    console.print(f"installed {kind} version {v.number}: {v.note}", highlight=False)
